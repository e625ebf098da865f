"""Tests that kill mutants of ``retrieval/fusion.py`` which survived ``make mutate`` (mutmut 3.8.1).

Each test names its mutants (mutmut's ids at the time, and the change each made): the ids move when the
module changes, the changes do not.
"""

from __future__ import annotations

import pytest

from retrieval.fusion import fuse, fuse_all, interpolate, interpolate_all
from retrieval.ranking import Ranking

FIRST = Ranking(["a", "b", "c"], [3.0, 1.0, 2.0])
SECOND = Ranking(["c", "d"], [0.5, 0.9])


def test_defaults_are_minmax_and_an_even_weight():
    """``x_fuse__mutmut_1`` / ``_2`` and ``x_fuse_all__mutmut_1`` / ``_2``: the default ``method="minmax"`` ->
    ``"XXminmaxXX"`` / ``"MINMAX"`` (an unknown method: ValueError)."""
    assert fuse(FIRST, SECOND) == fuse(FIRST, SECOND, "minmax", 0.5)
    assert fuse_all([FIRST], [SECOND]) == [fuse(FIRST, SECOND, "minmax", 0.5)]


def test_fuse_all_passes_the_weight_on():
    """``x_fuse_all__mutmut_11``: ``fuse(first, second, method, weight)`` -> ``fuse(first, second, method, )``."""
    assert fuse_all([FIRST], [SECOND], "minmax", 1.0) == [fuse(FIRST, SECOND, "minmax", 1.0)]
    assert fuse_all([FIRST], [SECOND], "minmax", 1.0) != [fuse(FIRST, SECOND, "minmax", 0.5)]


def test_fuse_all_refuses_lists_of_different_lengths():
    """``x_fuse_all__mutmut_14`` / ``_17`` / ``_18``: ``zip(..., strict=True)`` -> ``strict=None`` / no strict /
    ``strict=False``: the extra questions would be dropped silently."""
    with pytest.raises(ValueError):
        fuse_all([FIRST, FIRST], [SECOND])


def test_weight_above_one_is_refused_with_its_range():
    """``x_fuse__mutmut_10``: ``0 <= weight <= 1`` -> ``0 <= weight <= 2``; ``x_fuse__mutmut_11``: the message ->
    ``ValueError(None)``."""
    with pytest.raises(ValueError, match=r"fusion weight 1\.5 is not in \[0, 1\]"):
        fuse(FIRST, SECOND, "minmax", 1.5)


def test_a_passage_missing_from_an_empty_list_scores_zero_there():
    """``x_normalized__mutmut_21``: the missing score of an empty list ``0.0`` -> ``1.0``."""
    fused = fuse(Ranking(["a", "b"], [2.0, 1.0]), Ranking([], []), "minmax", 0.5)
    assert fused.ids == ["a", "b"]
    assert fused.scores == pytest.approx([0.5, 0.0])


def test_ties_keep_first_appearance_order_beyond_insertion_sort_sizes():
    """``x_fuse__mutmut_46`` / ``_48``: ``np.argsort(..., kind="stable")`` -> ``kind=None`` / the default
    quicksort, which is stable only for short arrays (insertion sort): 40 passages with two score values."""
    ids = [f"p{i}" for i in range(40)]
    fused = fuse(Ranking(ids, [float(i % 2 == 0) for i in range(40)]), Ranking([], []), "minmax", 0.5)
    assert fused.ids == ids[0::2] + ids[1::2]


SCORED = Ranking(["d", "c", "b", "a"], [0.1, 0.9, 0.4, 0.2])


def test_interpolate_all_passes_each_question_s_lists_weight_and_method_on():
    """``x_interpolate_all``: the weight or the method not passed on (the default minmax used), a question's
    lists paired with another question's, and lists of different lengths cut silently (``strict=True`` lost)."""
    other = Ranking(["c", "a"], [5.0, 4.0])
    expected = [interpolate(FIRST, SCORED, 0.4, "zscore"), interpolate(other, SCORED, 0.4, "zscore")]
    assert interpolate_all([FIRST, other], [SCORED, SCORED], 0.4, "zscore") == expected
    assert expected[0] != interpolate(FIRST, SCORED, 0.4, "minmax")
    assert expected[0] != interpolate(FIRST, SCORED, 0.6, "zscore")
    assert interpolate_all([FIRST], [SCORED], 0.4) == [interpolate(FIRST, SCORED, 0.4, "minmax")]
    with pytest.raises(ValueError):
        interpolate_all([FIRST, other], [SCORED], 0.4)


def test_interpolate_keeps_the_first_stage_s_passages_only_and_scores_each_by_its_own_score():
    """``x_interpolate``: the scores looked up for the wrong passages, or the cross-encoder's extra passage
    (``d``) let in; at weight 1 the cross-encoder's order of the first stage's passages."""
    mixed = interpolate(FIRST, SCORED, 0.5, "minmax")
    assert sorted(mixed.ids) == ["a", "b", "c"]
    # minmax: first a 1, b 0, c 0.5; scored a 0, b 0.4, c 1 (of 0.2..0.9 over a, b, c).
    expected = {"a": 0.5, "b": 0.5 * (0.4 - 0.2) / 0.7, "c": 0.75}
    assert dict(zip(mixed.ids, mixed.scores)) == pytest.approx(expected)
    assert interpolate(FIRST, SCORED, 1.0).ids == ["c", "b", "a"]
