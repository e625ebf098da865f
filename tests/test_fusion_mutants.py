"""Tests that kill mutants of ``retrieval/fusion.py`` which survived ``make mutate`` (mutmut 3.8.1).

Each test names its mutants (mutmut's ids at the time, and the change each made): the ids move when the
module changes, the changes do not.
"""

from __future__ import annotations

import pytest

from retrieval.fusion import fuse, fuse_all
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
