"""The ranked list every retrieval stage returns, and the helpers that cut, merge and reorder such lists."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Ranking:
    """Passage ids of one question, best first, with their scores."""

    ids: list[str]
    scores: list[float]


def rankings_from(scores: np.ndarray, positions: np.ndarray, passage_ids: list[str]) -> list[Ranking]:
    """One Ranking per row of a search result (scores and passage positions, best first)."""
    return [
        Ranking([passage_ids[p] for p in row], [float(s) for s in row_scores])
        for row, row_scores in zip(positions, scores)
    ]


def best_window_passages(window_scores: np.ndarray, owners: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, passage positions) of the top ``k`` passages of windows given best first (``window_scores``
    descending, ``owners[i]`` the passage of window i): a passage scores as its best window, its first here."""
    _, first = np.unique(owners, return_index=True)
    best = np.sort(first)[:k]
    return window_scores[best], owners[best]


def head(rankings: list[Ranking], k: int) -> list[Ranking]:
    """The first ``k`` passages of each ranking."""
    return [Ranking(ranking.ids[:k], ranking.scores[:k]) for ranking in rankings]


def union(first: list[Ranking], second: list[Ranking]) -> list[Ranking]:
    """Per question, the passages of both lists (first's order, then second's additions), scores dropped."""
    return [
        Ranking(ids := list(dict.fromkeys([*a.ids, *b.ids])), [0.0] * len(ids))
        for a, b in zip(first, second, strict=True)
    ]


def within(rankings: list[Ranking], candidates: list[Ranking]) -> list[Ranking]:
    """Each ranking cut to the passages of the question's ``candidates``, order and scores kept."""
    results = []
    for ranking, kept in zip(rankings, candidates, strict=True):
        wanted = set(kept.ids)
        pairs = [(pid, score) for pid, score in zip(ranking.ids, ranking.scores) if pid in wanted]
        results.append(Ranking([pid for pid, _ in pairs], [score for _, score in pairs]))
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
