"""The ranked list every retrieval stage returns: passage ids of one question, best first, with scores."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Ranking:
    """Passage ids of one question, best first, with their scores."""

    ids: list[str]
    scores: list[float]
