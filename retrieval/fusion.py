"""Fusion of two ranked lists of one question into one (sparse + dense hybrid retrieval).

Pure functions on (ids, scores); the result holds the union of both lists' passages, best first.

- ``minmax``: each list's scores are rescaled to [0, 1] for this question ((s - min) / (max - min)).
- ``zscore``: each list's scores are standardized for this question ((s - mean) / std, population std).

  For both, a passage missing from one list gets that list's minimum normalized score (it ranked below
  everything the list returned), a list whose scores are all equal normalizes to 0 everywhere, and the
  fused score is ``weight * first + (1 - weight) * second``.
- ``rrf``: reciprocal rank fusion (Cormack et al., 2009) with k = 60, scores ignored:
  ``2 * (weight / (60 + rank_first) + (1 - weight) / (60 + rank_second))`` with 1-based ranks, a list
  missing the passage adding nothing; ``weight`` 0.5 gives the usual unweighted sum.

Equal fused scores keep the order in which passages first appear in the heavier list (the first at
weight 0.5), then the other's additions: so weight 1 ranks the first list's passages exactly as it does and
weight 0 the second's, the other list's additions after them.

``interpolate`` is the same sum over one list's passages scored twice (a first stage and the cross-encoder):
the final score of a reranked row. Its two ends are the lists themselves, raw scores kept: weight 0 is the
first stage, weight 1 the cross-encoder's order (ties in first-stage order), as reranking was before weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.ranking import Ranking, reorder

FUSION_METHODS = ("minmax", "zscore", "rrf")
RRF_K = 60


def minmax(scores: Sequence[float]) -> np.ndarray:
    values = np.asarray(scores, dtype=np.float64)
    spread = values.max() - values.min() if len(values) else 0.0
    return (values - values.min()) / spread if spread > 0 else np.zeros_like(values)


def zscore(scores: Sequence[float]) -> np.ndarray:
    values = np.asarray(scores, dtype=np.float64)
    std = values.std() if len(values) else 0.0
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


def rrf_scores(ids: Sequence[str], k: int = RRF_K) -> dict[str, float]:
    return {pid: 1.0 / (k + rank) for rank, pid in enumerate(ids, start=1)}


def normalized(ranking: Ranking, method: str) -> tuple[dict[str, float], float]:
    """Normalized score of each passage of ``ranking``, and the score a missing passage gets."""
    if method == "rrf":
        return rrf_scores(ranking.ids), 0.0
    values = (minmax if method == "minmax" else zscore)(ranking.scores)
    return dict(zip(ranking.ids, values.tolist())), float(values.min()) if len(values) else 0.0


def fuse(first: Ranking, second: Ranking, method: str = "minmax", weight: float = 0.5) -> Ranking:
    """One ranking of the union of ``first`` and ``second``; ``weight`` is the first list's share."""
    if method not in FUSION_METHODS:
        raise ValueError(f"unknown fusion method {method!r}; expected one of {FUSION_METHODS}")
    if not 0 <= weight <= 1:
        raise ValueError(f"fusion weight {weight} is not in [0, 1]")
    scale = 2.0 if method == "rrf" else 1.0
    (first_scores, first_missing), (second_scores, second_missing) = (
        normalized(ranking, method) for ranking in (first, second)
    )
    heavier, lighter = (first, second) if weight >= 0.5 else (second, first)
    union = list(dict.fromkeys([*heavier.ids, *lighter.ids]))

    def combined(pid: str) -> float:
        return weight * first_scores.get(pid, first_missing) + (1 - weight) * second_scores.get(pid, second_missing)

    fused = [scale * combined(pid) for pid in union]
    order = np.argsort(-np.asarray(fused), kind="stable")
    return Ranking([union[i] for i in order], [fused[i] for i in order])


def fuse_all(
    firsts: Sequence[Ranking], seconds: Sequence[Ranking], method: str = "minmax", weight: float = 0.5
) -> list[Ranking]:
    """``fuse`` question by question."""
    return [fuse(first, second, method, weight) for first, second in zip(firsts, seconds, strict=True)]


def interpolate(first: Ranking, scored: Ranking, weight: float, method: str = "minmax") -> Ranking:
    """``first``'s passages by ``weight * scored + (1 - weight) * first``, both normalized per question by
    ``method``; ``scored`` holds a score for each of them (and maybe for others, which are left out)."""
    if weight == 0:
        return first
    if weight == 1:
        return reorder([first], [scored])[0]
    lookup = dict(zip(scored.ids, scored.scores))
    return fuse(first, Ranking(first.ids, [lookup[pid] for pid in first.ids]), method, 1.0 - weight)


def interpolate_all(
    firsts: Sequence[Ranking], scored: Sequence[Ranking], weight: float, method: str = "minmax"
) -> list[Ranking]:
    """``interpolate`` question by question."""
    return [interpolate(first, scores, weight, method) for first, scores in zip(firsts, scored, strict=True)]
