"""Hard negatives mined by a retriever (BM25 or a trained bi-encoder), for training either encoder.

For every training question: the top ``depth`` passages of the retriever over the training
passages, without the question's gold passages and without any passage that contains one of
its answer strings (a likely false negative). The collators sample from these lists afresh
each epoch.

The lists are cached as JSON beside the retriever's index, under a fingerprint of the
retriever's index, the training data and the depth, and reused when none of them changed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from data_utils import QAData
from evaluation import answer_hits
from file_utils import write_json
from fingerprints import combine
from retrieval.bm25 import open_bm25_index
from retrieval.dense import open_dense_retriever
from retrieval.ranking import Ranking
from runtime import Runtime


def drop_false_negatives(data: QAData, rankings: list[Ranking], depth: int) -> dict[str, list[str]]:
    """Question id -> its ranked passages without gold or answer-containing ones, at most ``depth``."""
    negatives = {}
    for question, ranking in zip(data.questions, rankings, strict=True):
        gold = {data.corpus[g].id for g in question.gold_ids}
        candidates = [pid for pid in ranking.ids if pid not in gold]
        false_negatives = set(answer_hits(candidates, question.answers, data.corpus)) if question.answers else set()
        negatives[question.id] = [pid for pid in candidates if pid not in false_negatives][:depth]
    return negatives


def search_depth(data: QAData, depth: int) -> int:
    """How many passages to retrieve so that ``depth`` remain after dropping each question's golds."""
    return depth + max((len(question.gold_ids) for question in data.questions), default=0)


def cached_negatives(index_directory: Path, index_fingerprint: str, data: QAData, depth: int, rank) -> dict:
    """The mined lists saved beside ``index_directory`` for this index, data and depth if readable; else
    ``rank(k)`` (the top-k rankings of every training question) filtered by ``drop_false_negatives``, saved."""
    key = combine(index=index_fingerprint, data=data.fingerprint(), depth=depth)[:16]
    cache = index_directory.parent / f"{index_directory.name}-negatives-{key}.json"
    try:
        negatives = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(negatives, dict):
            print(f"mining: reused the mined lists in {cache}", file=sys.stderr)
            return negatives
    except (OSError, ValueError):
        pass
    negatives = drop_false_negatives(data, rank(search_depth(data, depth)), depth)
    write_json(cache, negatives)
    return negatives


def mine_dense_negatives(
    bi_directory: Path, data: QAData, depth: int, runtime: Runtime, trust_remote_code: bool = False
) -> dict[str, list[str]]:
    """Question id -> up to ``depth`` hard negative passage ids from the bi-encoder in ``bi_directory``."""
    from encoders.bi_encoder import BiEncoder

    # fp32 weights under autocast, as mining has always run: casting them (as rerank.py does) mines other lists
    bi_encoder = BiEncoder.load(bi_directory, "--negatives_from", trust_remote_code)
    bi_encoder.prepare(runtime, cast_weights=False)
    index_directory = bi_directory.parent / "index" / f"mining-{data.corpus.fingerprint()[:16]}"
    retriever, reused = open_dense_retriever(bi_encoder, data.corpus, index_directory)
    print(f"mining: {'reused' if reused else 'built'} the index of the training passages in {index_directory}")
    texts = [question.text for question in data.questions]
    fingerprint = retriever.index.fingerprint
    return cached_negatives(index_directory, fingerprint, data, depth, lambda k: retriever.search(texts, k))


def mine_bm25_negatives(index_root: Path, data: QAData, depth: int, tokenizer) -> dict[str, list[str]]:
    """Question id -> up to ``depth`` hard negative passage ids from BM25 over the training passages."""
    index_directory = index_root / f"mining-bm25-{data.corpus.fingerprint()[:16]}"
    index, reused = open_bm25_index(data.corpus, tokenizer, index_directory)
    print(f"mining: {'reused' if reused else 'built'} the BM25 index of the training passages in {index_directory}")
    texts = [question.text for question in data.questions]
    return cached_negatives(index_directory, index.fingerprint, data, depth, lambda k: index.search(texts, k))
