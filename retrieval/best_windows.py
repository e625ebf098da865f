"""Which windows of a candidate the cross-encoder scores (``rerank.py --rerank_windows N``).

A long passage is cut into several windows for each encoder, and the cross-encoder scoring every one of them
costs one pair each: most of a reranking's pairs on a corpus of long paragraphs. The dense index already holds
one vector per bi-encoder window, so the question's dot product with them says where in the passage the
bi-encoder found its match. The cross-encoder then scores only the reranker windows that cover the passage's
best ``N`` bi-encoder windows. The two encoders cut windows of different sizes, so they are matched by
character offsets: each chosen bi-encoder window maps to the reranker window that shares the most characters
with it, so a candidate costs at most ``N`` pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from encoders.windows import Span, WindowedCorpus


class WindowVectors(Protocol):
    """A dense index that can hand back the vectors of one passage's windows (None when it cannot)."""

    passage_ids: list[str]

    def window_vectors(self, position: int) -> np.ndarray | None: ...


def rows_of(owners: np.ndarray, position: int) -> tuple[int, int]:
    """The index rows of the passage at ``position`` (owners are non-decreasing: a passage's rows are adjacent)."""
    return int(np.searchsorted(owners, position, "left")), int(np.searchsorted(owners, position, "right"))


def most_overlapping(spans: Sequence[Span], span: Span) -> int:
    """The index of the span in ``spans`` sharing the most characters with ``span`` (the first on a tie)."""
    start, end = span
    shared = [min(end, last) - max(start, first) for first, last in spans]
    return int(np.argmax(shared))


class BestWindows:
    """For question ``i`` and a candidate, the indices of its reranker windows the cross-encoder scores.

    ``question_vectors`` are the bi-encoder's vectors of the questions searched; ``bi_windows`` the corpus cut as
    the index was built (the bi-encoder's windows), so that row ``j`` of a passage's vectors is its window ``j``.
    A passage whose vectors the index cannot return keeps every window.
    """

    def __init__(self, index: WindowVectors, question_vectors: np.ndarray, bi_windows: WindowedCorpus, count: int):
        self.index = index
        self.question_vectors = np.asarray(question_vectors, dtype=np.float32)
        self.bi_windows = bi_windows
        self.count = count
        self.positions = {passage_id: i for i, passage_id in enumerate(index.passage_ids)}

    def __call__(self, question: int, passage_id: str, spans: Sequence[Span]) -> list[int]:
        every = list(range(len(spans)))
        if len(spans) <= self.count or passage_id not in self.positions:
            return every
        vectors = self.index.window_vectors(self.positions[passage_id])
        bi_spans = self.bi_windows.spans_of(passage_id)
        if vectors is None or len(vectors) != len(bi_spans):
            return every
        scores = np.asarray(vectors, dtype=np.float32) @ self.question_vectors[question]
        best = np.argsort(-scores, kind="stable")[: self.count]
        return sorted({most_overlapping(spans, bi_spans[j]) for j in best})
