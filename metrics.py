"""Ranking metrics: pure functions of ranked passage ids and gold ids.

Questions without gold passages are left out of every average.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence


def first_hit(ranking: Sequence[str], gold: Collection[str]) -> int | None:
    """0-based rank of the first gold passage, or None."""
    for rank, passage_id in enumerate(ranking):
        if passage_id in gold:
            return rank
    return None


def top_k_accuracy(rankings: Sequence[Sequence[str]], golds: Sequence[Collection[str]], k: int) -> float:
    """Share of questions with a gold passage among the first k."""
    hits = [first_hit(ranking[:k], gold) is not None for ranking, gold in zip(rankings, golds) if gold]
    return sum(hits) / len(hits) if hits else float("nan")


def mrr_at_k(rankings: Sequence[Sequence[str]], golds: Sequence[Collection[str]], k: int = 10) -> float:
    """Mean reciprocal rank of the first gold passage, 0 when it is not in the first k."""
    values = []
    for ranking, gold in zip(rankings, golds):
        if gold:
            rank = first_hit(ranking[:k], gold)
            values.append(0.0 if rank is None else 1.0 / (rank + 1))
    return sum(values) / len(values) if values else float("nan")


def ranking_metrics(
    rankings: Sequence[Sequence[str]], golds: Sequence[Collection[str]], ks: Iterable[int], mrr_k: int = 10
) -> dict[str, float]:
    """``top{k}`` for each k no larger than the longest ranking, and ``mrr@{mrr_k}``."""
    depth = max((len(ranking) for ranking in rankings), default=0)
    metrics = {f"top{k}": top_k_accuracy(rankings, golds, k) for k in ks if k <= depth}
    metrics[f"mrr@{mrr_k}"] = mrr_at_k(rankings, golds, mrr_k)
    return metrics
