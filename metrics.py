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


# The graded measures of the retrieval field, computed by ir-measures through pytrec_eval (trec_eval's own code):
# our key -> ir-measures' name. ``bench/ir_metrics_libraries.py`` chose it over ranx (the same numbers, ranx about
# twice as slow here and a numba dependency).
GRADED_MEASURES = {"ndcg@10": "nDCG@10", "recall@100": "R@100", "map": "AP"}


def graded_metrics(
    rankings: Sequence[Sequence[str]], judgements: Sequence[dict[str, int]], measures: dict[str, str] = GRADED_MEASURES
) -> dict[str, float]:
    """``measures`` averaged over every question with a passage graded 1 or more; a question whose ranking is
    empty or misses every judged passage counts as 0 (trec_eval would leave a question with no ranking out)."""
    import ir_measures

    judged = {str(i): dict(grades) for i, grades in enumerate(judgements) if any(g >= 1 for g in grades.values())}
    if not judged:
        return {key: float("nan") for key in measures}
    run = {
        str(i): {pid: float(len(ranking) - rank) for rank, pid in enumerate(ranking)}  # best first, no ties
        for i, ranking in enumerate(rankings)
        if str(i) in judged and ranking
    }
    parsed = {key: ir_measures.parse_measure(name) for key, name in measures.items()}
    totals = dict.fromkeys(measures, 0.0)
    by_measure = {measure: key for key, measure in parsed.items()}
    for value in ir_measures.iter_calc(list(parsed.values()), judged, run):
        totals[by_measure[value.measure]] += value.value
    return {key: total / len(judged) for key, total in totals.items()}
