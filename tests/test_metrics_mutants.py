"""Tests that kill mutants of ``metrics.py`` which survived ``make mutate`` (mutmut 3.8.1).

Each test names its mutants (mutmut's ids at the time, and the change each made): the ids move when the
module changes, the changes do not.
"""

from __future__ import annotations

import math

import pytest

from metrics import GRADED_MEASURES, graded_metrics, mrr_at_k, ranking_metrics

ELEVEN = [f"p{i}" for i in range(11)]  # the gold passage, p10, at 1-based rank 11


def test_mrr_default_depth_is_ten():
    """``x_mrr_at_k__mutmut_1``: the default ``k = 10`` -> ``k = 11``."""
    assert mrr_at_k([ELEVEN], [{"p10"}]) == 0.0
    assert mrr_at_k([ELEVEN], [{"p10"}], k=11) == pytest.approx(1 / 11)


def test_ranking_metrics_default_mrr_depth_is_ten():
    """``x_ranking_metrics__mutmut_1``: the default ``mrr_k = 10`` -> ``mrr_k = 11`` (key and value)."""
    metrics = ranking_metrics([ELEVEN], [{"p10"}], ks=(1,))
    assert metrics == {"top1": 0.0, "mrr@10": 0.0}


def test_ranking_metrics_of_no_rankings_has_only_mrr():
    """``x_ranking_metrics__mutmut_4`` / ``_6`` / ``_7``: ``max(..., default=0)`` -> ``default=None`` (TypeError
    on ``k <= None``), no default (ValueError on an empty max), ``default=1`` (a ``top1`` of nothing)."""
    metrics = ranking_metrics([], [], ks=(1, 5))
    assert list(metrics) == ["mrr@10"] and math.isnan(metrics["mrr@10"])


def test_ranking_metrics_passes_each_k_and_mrr_k_on():
    """``x_ranking_metrics__mutmut_11``: ``top_k_accuracy(..., k)`` -> ``(..., None)`` (no cut);
    ``__mutmut_15``: ``k <= depth`` -> ``k < depth`` (a k equal to the longest ranking dropped);
    ``__mutmut_19`` / ``__mutmut_22``: ``mrr_at_k(..., mrr_k)`` -> ``(..., None)`` / the default 10."""
    rankings = [["a", "b", "c", "d"], ["x", "y", "z", "w"]]
    golds = [{"b"}, {"w"}]  # 1-based ranks 2 and 4
    metrics = ranking_metrics(rankings, golds, ks=(1, 2, 4), mrr_k=2)
    assert metrics == {"top1": 0.0, "top2": 0.5, "top4": 1.0, "mrr@2": pytest.approx(0.25)}


def test_graded_metrics_with_no_judged_question_are_nan_for_each_measure():
    """``x_graded_metrics``: the early return for no judged question removed (a division by zero) or its keys
    or values changed."""
    values = graded_metrics([["a"], []], [{"a": 0}, {}])
    assert list(values) == list(GRADED_MEASURES) and all(math.isnan(v) for v in values.values())


def test_graded_metrics_rank_best_first_and_average_over_judged_questions():
    """``x_graded_metrics``: the run's scores reversed (the last passage ranked first), another question's
    ranking scored, or the sum divided by every question instead of the judged ones."""
    rankings = [["a", "b", "c", "d"], ["x", "y"], ["q"]]
    judgements = [{"a": 1}, {"y": 1}, {}]
    values = graded_metrics(rankings, judgements, {"rr": "RR@10", "ndcg@1": "nDCG@1"})
    assert values == {"rr": pytest.approx((1 + 1 / 2) / 2), "ndcg@1": pytest.approx(1 / 2)}
