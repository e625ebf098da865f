"""The retrieve-then-rerank stages: index the corpus, retrieve (dense dot product, BM25, or both fused),
rerank with the cross-encoder.

Each stage is a function of plain inputs (encoders, a corpus, question texts) that
returns plain outputs (an index, ranked passage ids with scores), so the CLI only
wires them and tests call them directly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from data_utils import Corpus
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.windows import split_into_windows, truncate_text
from fingerprints import combine, directory_digest
from retrieval.bm25 import BM25Index, bm25_fingerprint
from retrieval.dense import DenseIndex
from retrieval.ranking import Ranking

WINDOW_POOLINGS = ("max", "mean", "first")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "*.model")


def index_fingerprint(
    encoder_directory: Path,
    corpus: Corpus,
    max_length: int,
    stride: int,
    dtype: str,
    tokenizer_directory: Path | None = None,
    pooling: str = "cls",
) -> str:
    return combine(
        encoder=directory_digest(encoder_directory),
        tokenizer=directory_digest(tokenizer_directory or encoder_directory, TOKENIZER_FILES),
        pooling=pooling,
        corpus=corpus.fingerprint(),
        max_length=max_length,
        stride=stride,
        dtype=dtype,
    )


def passage_encoder_directory(bi_directory: Path, bi_encoder: BiEncoder) -> Path:
    return bi_directory / ("encoder" if bi_encoder.shared else "passage_encoder")


def tokenizer_directory(bi_directory: Path, bi_encoder: BiEncoder) -> Path:
    """Where ``BiEncoder.load`` read the tokenizer that splits and encodes the passages: the first encoder."""
    return bi_directory / ("encoder" if bi_encoder.shared else "question_encoder")


def build_dense_index(
    bi_encoder: BiEncoder,
    corpus: Corpus,
    max_length: int,
    stride: int,
    batch_size: int,
    device: torch.device,
    precision: str,
    dtype: str,
    fingerprint: str,
) -> DenseIndex:
    """Embed every window of every passage with the passage encoder."""
    tokens = max_length - bi_encoder.tokenizer.num_special_tokens_to_add(pair=False)
    texts, owners = [], []
    for position, (passage, spans) in enumerate(
        zip(corpus.passages, split_into_windows(bi_encoder.tokenizer, corpus.texts, tokens, stride))
    ):
        for start, end in spans:
            texts.append(passage.text[start:end])
            owners.append(position)
    vectors = bi_encoder.encode(texts, "passage", max_length, batch_size, device, precision, description="index")
    return DenseIndex(vectors.astype(dtype), np.asarray(owners, dtype=np.int64), corpus.ids, fingerprint)


def load_or_build_index(
    bi_directory: Path,
    bi_encoder: BiEncoder,
    corpus: Corpus,
    index_directory: Path,
    batch_size: int,
    device: torch.device,
    precision: str,
    dtype: str = "float16",
    rebuild: bool = False,
) -> tuple[DenseIndex, bool]:
    """The saved index if its fingerprint matches, else a new one (saved). Returns (index, reused)."""
    max_length = int(bi_encoder.settings.get("max_passage_length", 384))
    stride = int(bi_encoder.settings.get("stride", 128))
    encoder_directory = passage_encoder_directory(bi_directory, bi_encoder)
    fingerprint = index_fingerprint(
        encoder_directory,
        corpus,
        max_length,
        stride,
        dtype,
        tokenizer_directory(bi_directory, bi_encoder),
        bi_encoder.pooling,
    )
    if not rebuild:
        index = DenseIndex.load(index_directory, fingerprint)
        if index is not None:
            return index, True
        if (index_directory / "meta.json").exists():
            print(
                "index: the saved index is stale (encoder, tokenizer, pooling, corpus or lengths changed); rebuilding",
                file=sys.stderr,
            )
    index = build_dense_index(bi_encoder, corpus, max_length, stride, batch_size, device, precision, dtype, fingerprint)
    index.save(index_directory)
    return DenseIndex.load(index_directory, fingerprint) or index, False


def retrieve(
    bi_encoder: BiEncoder,
    index: DenseIndex,
    questions: list[str],
    k: int,
    batch_size: int,
    device: torch.device,
    precision: str,
) -> list[Ranking]:
    """Top-k passages per question by dot product."""
    max_length = int(bi_encoder.settings.get("max_query_length", 64))
    queries = bi_encoder.encode(questions, "question", max_length, batch_size, device, precision)
    scores, positions = index.search(queries, k, device)
    return rankings_from(scores, positions, index.passage_ids)


def rankings_from(scores: np.ndarray, positions: np.ndarray, passage_ids: list[str]) -> list[Ranking]:
    """One Ranking per row of a search result (scores and passage positions, best first)."""
    return [
        Ranking([passage_ids[p] for p in row], [float(s) for s in row_scores])
        for row, row_scores in zip(positions, scores)
    ]


def bi_tokenizer_directory(bi_directory: Path) -> Path:
    """The bi-encoder's tokenizer without loading its models: the first encoder directory, as ``BiEncoder.load``."""
    shared = bi_directory / "encoder"
    return shared if shared.is_dir() else bi_directory / "question_encoder"


def load_or_build_bm25_index(
    corpus: Corpus, tokenizer, index_directory: Path, rebuild: bool = False
) -> tuple[BM25Index, bool]:
    """The saved BM25 index if its fingerprint matches, else a new one (saved). Returns (index, reused)."""
    corpus_fingerprint = corpus.fingerprint()
    fingerprint = bm25_fingerprint(corpus_fingerprint, tokenizer)
    if not rebuild:
        index = BM25Index.load(index_directory, fingerprint, tokenizer)
        if index is not None:
            return index, True
        if (index_directory / "meta.json").exists():
            print(
                "index (bm25): the saved index is stale (corpus, tokenizer, BM25 parameters or bm25s changed); "
                "rebuilding",
                file=sys.stderr,
            )
    index = BM25Index.build(
        corpus.texts, passage_ids=corpus.ids, corpus_fingerprint=corpus_fingerprint, tokenizer=tokenizer
    )
    index.save(index_directory)
    return index, False


def retrieve_bm25(index: BM25Index, questions: list[str], k: int) -> list[Ranking]:
    """Top-k passages per question by BM25 score."""
    return rankings_from(*index.search(questions, k), index.passage_ids)


def pool_window_scores(scores: np.ndarray, pooling: str) -> float:
    if pooling == "max":
        return float(scores.max())
    if pooling == "mean":
        return float(scores.mean())
    return float(scores[0])


def rerank(
    cross_encoder: CrossEncoder,
    questions: list[str],
    candidates: list[Ranking],
    corpus: Corpus,
    top_k: int | None,
    window_pooling: str,
    batch_size: int,
    device: torch.device,
    precision: str,
    questions_per_chunk: int = 64,
) -> list[Ranking]:
    """Score every (question, candidate window) pair; a passage's score pools its windows; keep the top-k
    (all candidates when ``top_k`` is None).

    Questions are processed in chunks so that memory for tokenized pairs stays bounded; within
    a chunk all pairs go through one length-sorted batching pass.
    """
    settings = cross_encoder.settings
    max_query = int(settings.get("max_query_length", 64))
    max_passage = int(settings.get("max_passage_length", 384))
    stride = int(settings.get("stride", 128))
    tokens = max_passage - cross_encoder.tokenizer.num_special_tokens_to_add(pair=True)
    max_length = int(settings.get("max_length", max_query + max_passage))
    short_questions = truncate_text(cross_encoder.tokenizer, questions, max_query)
    spans: dict[str, list[tuple[int, int]]] = {}
    results: list[Ranking] = []
    with tqdm(desc="rerank", unit=" pairs", leave=False) as bar:
        for start in range(0, len(questions), questions_per_chunk):
            chunk = range(start, min(start + questions_per_chunk, len(questions)))
            needed = [pid for i in chunk for pid in candidates[i].ids if pid not in spans]
            needed = list(dict.fromkeys(needed))
            texts = [corpus[pid].text for pid in needed]
            spans.update(zip(needed, split_into_windows(cross_encoder.tokenizer, texts, tokens, stride)))
            pair_questions, pair_passages, owners = [], [], []
            for i in chunk:
                for slot, pid in enumerate(candidates[i].ids):
                    text = corpus[pid].text
                    for first, last in spans[pid]:
                        pair_questions.append(short_questions[i])
                        pair_passages.append(text[first:last])
                        owners.append((i, slot))
            scores = cross_encoder.score(pair_questions, pair_passages, max_length, batch_size, device, precision)
            grouped: dict[tuple[int, int], list[float]] = {}
            for owner, score in zip(owners, scores):
                grouped.setdefault(owner, []).append(score)
            for i in chunk:
                ids = candidates[i].ids
                pooled = [pool_window_scores(np.asarray(grouped[i, slot]), window_pooling) for slot in range(len(ids))]
                order = np.argsort(-np.asarray(pooled), kind="stable")[:top_k]
                results.append(Ranking([ids[j] for j in order], [pooled[j] for j in order]))
            bar.update(len(owners))
    return results


def reorder(candidates: list[Ranking], scored: list[Ranking]) -> list[Ranking]:
    """Each question's ``candidates`` ordered by the scores ``scored`` gives them (``scored`` holds at least
    the same passages, e.g. the cross-encoder's scores of a union of candidate lists)."""
    results = []
    for ranking, scores in zip(candidates, scored, strict=True):
        lookup = dict(zip(scores.ids, scores.scores))
        values = [lookup[pid] for pid in ranking.ids]
        order = np.argsort(-np.asarray(values), kind="stable")
        results.append(Ranking([ranking.ids[j] for j in order], [values[j] for j in order]))
    return results


def union(first: list[Ranking], second: list[Ranking]) -> list[Ranking]:
    """Per question, the passages of both lists (first's order, then second's additions), scores dropped."""
    return [
        Ranking(ids := list(dict.fromkeys([*a.ids, *b.ids])), [0.0] * len(ids))
        for a, b in zip(first, second, strict=True)
    ]


def head(rankings: list[Ranking], k: int) -> list[Ranking]:
    return [Ranking(ranking.ids[:k], ranking.scores[:k]) for ranking in rankings]
