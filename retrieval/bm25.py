"""BM25 over a corpus with ``bm25s``: build from pre-tokenized passages, save/load with a fingerprint, search.

bm25s precomputes every (term, passage) score into a sparse matrix, so a query's scores are a sum of
matrix rows, and a batch of queries is one sparse product with that matrix. This module only tokenizes
(``bm25_tokenizers``), keeps passage ids beside the bm25s files, scores batches of queries, and selects
the top k with ties broken by corpus position, so results never depend on the order in which a partial
sort happened to leave equal scores.

Files in the index directory: bm25s's own (``*.index.npy``, ``vocab.index.json``,
``params.index.json``), ``passage_ids.json`` and ``meta.json`` with the fingerprint (corpus content,
tokenizer settings, BM25 parameters, bm25s version). It is written under a temporary name and renamed
when complete, like the dense index.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import bm25s
import numpy as np
from scipy import sparse

from errors import UserError
from file_utils import atomic_directory, write_json
from fingerprints import combine
from retrieval.bm25_tokenizers import make_tokenizer
from retrieval.index import load_or_build
from retrieval.ranking import Ranking, rankings_from

if TYPE_CHECKING:
    from data_utils import Corpus

DEFAULT_PARAMETERS = {"k1": 1.5, "b": 0.75, "method": "lucene"}
CHUNK = 1024  # passages tokenized at once
SCORES_PER_CHUNK = 1 << 24  # dense query x passage scores held at once while searching (64 MiB)


def bm25_fingerprint(corpus_fingerprint: str, tokenizer, parameters: dict | None = None) -> str:
    """What a saved BM25 index depends on: the corpus, the tokenizer, the BM25 parameters, the bm25s version."""
    return combine(
        corpus=corpus_fingerprint,
        tokenizer=tokenizer.describe(),
        bm25={**DEFAULT_PARAMETERS, **(parameters or {})},
        bm25s=bm25s.__version__,
    )


def token_ids(tokenizer, texts: Sequence[str], vocabulary: dict[str, int]) -> list[array]:
    """Each text's terms as compact arrays of term ids; new terms are added to ``vocabulary`` in order of appearance.

    Tokenizing chunk by chunk keeps memory at 4 bytes a term: a large corpus as lists of n-gram strings would
    take tens of bytes for each.
    """
    ids = []
    for start in range(0, len(texts), CHUNK):
        for tokens in tokenizer(texts[start : start + CHUNK]):
            ids.append(array("i", [vocabulary.setdefault(token, len(vocabulary)) for token in tokens]))
    return ids


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best scores in each row of ``scores`` [Q, N], best first; equal scores in position order.

    Vectorized over rows: the k-th best value of each row splits it into the positions above it (all taken) and
    those equal to it (taken in position order until k are chosen), so ties never depend on how a partial sort
    happened to leave them.
    """
    rows, columns = scores.shape
    k = min(k, columns)
    if k == 0:
        return np.empty((rows, 0), dtype=np.int64)
    kth = np.partition(scores, columns - k, axis=1)[:, columns - k, None]
    above = scores > kth
    tied = scores == kth
    wanted = k - above.sum(axis=1, keepdims=True)
    chosen = above | (tied & (np.cumsum(tied, axis=1, dtype=np.int32) <= wanted))
    positions = np.nonzero(chosen)[1].reshape(rows, k)  # ascending positions in each row
    order = np.argsort(-np.take_along_axis(scores, positions, axis=1), axis=1, kind="stable")
    return np.take_along_axis(positions, order, axis=1)


def consistent(retriever: bm25s.BM25, passage_ids, meta: dict) -> bool:
    """Whether loaded files agree with each other (a file cut short or from another index does not)."""
    scores, vocabulary = retriever.scores, retriever.vocab_dict
    if not isinstance(passage_ids, list) or not len(passage_ids) == meta.get("passages") == scores.get("num_docs"):
        return False
    terms = len(scores["indptr"]) - 1
    if len(vocabulary) != terms or max(vocabulary.values(), default=-1) != terms - 1:
        return False
    return len(scores["data"]) == len(scores["indices"]) == scores["indptr"][-1]


class BM25Index:
    """A bm25s index of a corpus, with the tokenizer that made it and the passage id of each row."""

    def __init__(self, retriever: bm25s.BM25, tokenizer, passage_ids: list[str], fingerprint: str):
        self.retriever = retriever
        self.tokenizer = tokenizer
        self.passage_ids = passage_ids
        self.fingerprint = fingerprint
        self._term_scores: sparse.csr_matrix | None = None

    @classmethod
    def build(
        cls,
        corpus_texts: Sequence[str],
        tokenizer_name: str = "char-ngram",
        ngram: int = 2,
        model_directory: str | Path | None = None,
        passage_ids: list[str] | None = None,
        corpus_fingerprint: str = "",
        tokenizer=None,
        **parameters,
    ) -> BM25Index:
        """Tokenize and index ``corpus_texts``. ``tokenizer`` (an already made one) overrides the name and options;
        ``parameters`` (k1, b, method) go to ``bm25s.BM25``."""
        tokenizer = tokenizer or make_tokenizer(tokenizer_name, ngram, model_directory)
        parameters = {**DEFAULT_PARAMETERS, **parameters}
        retriever = bm25s.BM25(**parameters)
        vocabulary: dict[str, int] = {}
        corpus_ids = token_ids(tokenizer, corpus_texts, vocabulary)
        if not vocabulary:
            raise UserError("BM25: the corpus has no terms for this tokenizer (only punctuation or symbols?)")
        retriever.index((corpus_ids, vocabulary), create_empty_token=False, show_progress=False)
        passage_ids = list(passage_ids) if passage_ids is not None else [str(i) for i in range(len(corpus_texts))]
        return cls(retriever, tokenizer, passage_ids, bm25_fingerprint(corpus_fingerprint, tokenizer, parameters))

    def save(self, directory: str | Path) -> None:
        with atomic_directory(directory) as staging:
            self.retriever.save(staging, show_progress=False)
            write_json(staging / "passage_ids.json", self.passage_ids)
            meta = {
                "fingerprint": self.fingerprint,
                "passages": len(self.passage_ids),
                "tokenizer": self.tokenizer.describe(),
                "bm25s": bm25s.__version__,
            }
            write_json(staging / "meta.json", meta)

    @classmethod
    def load(cls, directory: str | Path, fingerprint: str, tokenizer=None) -> BM25Index | None:
        """The saved index when its fingerprint matches, else None (missing, stale or unreadable).

        ``tokenizer`` tokenizes the queries; without it, one is made from the settings in ``meta.json``
        (the ``model`` tokenizer cannot be: its files are only known by their hash).
        """
        directory = Path(directory)
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or meta.get("fingerprint") != fingerprint:
                return None
            passage_ids = json.loads((directory / "passage_ids.json").read_text(encoding="utf-8"))
            retriever = bm25s.BM25.load(directory, show_progress=False)
            if not consistent(retriever, passage_ids, meta):
                return None
        except (OSError, ValueError, EOFError, KeyError, TypeError):  # truncated arrays, broken JSON, odd params
            return None
        if tokenizer is None:
            settings = meta["tokenizer"]
            tokenizer = make_tokenizer(settings["name"], settings.get("n", 2))
        return cls(retriever, tokenizer, passage_ids, fingerprint)

    def term_scores(self) -> sparse.csr_matrix:
        """bm25s's precomputed scores as a [terms, passages] sparse matrix (built once, shares bm25s's arrays)."""
        if self._term_scores is None:
            scores = self.retriever.scores
            self._term_scores = sparse.csr_matrix(
                (scores["data"], scores["indices"], scores["indptr"]),
                shape=(len(scores["indptr"]) - 1, scores["num_docs"]),
            )
        return self._term_scores

    def query_terms(self, query_texts: Sequence[str]) -> sparse.csr_matrix:
        """[queries, terms] counts of each query's known terms (a repeated term counts again, as in bm25s)."""
        term_ids = [self.retriever.get_tokens_ids(tokens) for tokens in self.tokenizer(query_texts)]
        indptr = np.cumsum([0] + [len(ids) for ids in term_ids])
        indices = np.fromiter((i for ids in term_ids for i in ids), dtype=np.int64, count=int(indptr[-1]))
        counts = np.ones(len(indices), dtype=np.float32)
        matrix = sparse.csr_matrix((counts, indices, indptr), shape=(len(term_ids), self.term_scores().shape[0]))
        matrix.sum_duplicates()
        return matrix

    def search(self, query_texts: Sequence[str], k: int) -> list[Ranking]:
        """The top-k passages per query text, best first."""
        return rankings_from(*self.search_positions(query_texts, k), self.passage_ids)

    def search_positions(self, query_texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores [Q, k'], passage positions [Q, k']) of the top passages per query, best first;
        ``k' = min(k, passages)``. A query with no known term scores every passage 0.

        A query's scores are the sum of its terms' rows of the score matrix, so all queries are scored at once
        by one sparse product, in chunks of queries whose dense scores stay under ``SCORES_PER_CHUNK``.
        """
        passages = len(self.passage_ids)
        k = min(k, passages)
        queries = self.query_terms(query_texts)
        all_scores = np.zeros((len(query_texts), k), dtype=np.float32)
        positions = np.zeros((len(query_texts), k), dtype=np.int64)
        step = max(1, SCORES_PER_CHUNK // max(passages, 1))
        for start in range(0, len(query_texts), step):
            scores = (queries[start : start + step] @ self.term_scores()).toarray().astype(np.float32, copy=False)
            chosen = top_k(scores, k)
            positions[start : start + step] = chosen
            all_scores[start : start + step] = np.take_along_axis(scores, chosen, axis=1)
        return all_scores, positions


def open_bm25_index(corpus: Corpus, tokenizer, directory: Path, rebuild: bool = False) -> tuple[BM25Index, bool]:
    """The saved BM25 index in ``directory`` if it is fresh, else a new one (saved there). Returns (index, reused)."""
    corpus_fingerprint = corpus.fingerprint()
    fingerprint = bm25_fingerprint(corpus_fingerprint, tokenizer)
    return load_or_build(
        directory,
        lambda: BM25Index.load(directory, fingerprint, tokenizer),
        lambda: BM25Index.build(
            corpus.texts, passage_ids=list(corpus.ids), corpus_fingerprint=corpus_fingerprint, tokenizer=tokenizer
        ),
        rebuild,
        "index (bm25)",
        "corpus, tokenizer, BM25 parameters or bm25s",
    )
