"""The second stage: the cross-encoder scores the windows of every candidate (all of them, or those a
``WindowChoice`` picks), a passage's windows pool to one score, and each question's candidates are ordered by it.

Questions are processed in chunks so that memory for tokenized pairs stays bounded; within a chunk
all pairs go through one length-sorted batching pass. Windows come from the cross-encoder's
``WindowedCorpus``, computed only for the passages that are candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

from data_utils import Corpus
from encoders.backends import PairScorer, check_finite
from encoders.windows import Span
from retrieval.ranking import Ranking

# (question index, passage id, the passage's reranker window spans) -> the indices of the windows to score.
WindowChoice = Callable[[int, str, Sequence[Span]], Sequence[int]]

# How the scores of a long passage's windows become its score; ``rerank.py --window_pooling`` choices.
WINDOW_POOLINGS: dict[str, Callable[[np.ndarray], float]] = {
    "max": lambda scores: float(scores.max()),
    "mean": lambda scores: float(scores.mean()),
    "first": lambda scores: float(scores[0]),
}


def rerank(
    scorer: PairScorer,
    questions: Sequence[str],
    candidates: list[Ranking],
    corpus: Corpus,
    window_pooling: str,
    questions_per_chunk: int = 64,
    choose_windows: WindowChoice | None = None,
) -> list[Ranking]:
    """Every candidate of every question, ordered by its pooled cross-encoder score (best first).
    ``choose_windows`` (default: every window) says which windows of a candidate are scored."""
    pool = WINDOW_POOLINGS[window_pooling]
    short_questions = scorer.truncate_questions(questions)
    windows = scorer.windows(corpus)
    results: list[Ranking] = []
    total = sum(len(ranking.ids) for ranking in candidates)  # candidates, not pairs: known before any tokenizing
    pairs = 0
    with tqdm(total=total, desc="rerank", unit=" candidates", leave=False) as bar:
        for start in range(0, len(questions), questions_per_chunk):
            chunk = range(start, min(start + questions_per_chunk, len(questions)))
            windows.prepare(pid for i in chunk for pid in candidates[i].ids)
            pair_questions, pair_passages, owners = [], [], []
            for i in chunk:
                for slot, pid in enumerate(candidates[i].ids):
                    texts = windows.windows_of(pid)
                    if choose_windows is not None:
                        texts = [texts[j] for j in choose_windows(i, pid, windows.spans_of(pid))]
                    pair_questions += [short_questions[i]] * len(texts)
                    pair_passages += texts
                    owners += [(i, slot)] * len(texts)
            scores = scorer.score(pair_questions, pair_passages)
            check_finite(scores, "the cross-encoder's scores")
            grouped: dict[tuple[int, int], list[float]] = {}
            for owner, score in zip(owners, scores):
                grouped.setdefault(owner, []).append(score)
            for i in chunk:
                ids = candidates[i].ids
                pooled = [pool(np.asarray(grouped[i, slot])) for slot in range(len(ids))]
                order = np.argsort(-np.asarray(pooled), kind="stable")
                results.append(Ranking([ids[j] for j in order], [pooled[j] for j in order]))
            pairs += len(owners)
            bar.set_postfix(pairs=pairs, refresh=False)
            bar.update(sum(len(candidates[i].ids) for i in chunk))
    return results
