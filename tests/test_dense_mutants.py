"""Tests that kill mutants of ``retrieval/dense.py`` (``exact_search`` and its helpers) which survived
``make mutate`` (mutmut 3.8.1). The test names its mutants (mutmut's ids at the time, and the changes)."""

from __future__ import annotations

import numpy as np

from retrieval.dense import chunk_bounds


def test_chunk_bounds_end_at_the_last_key_of_a_passage():
    """``x_chunk_bounds__mutmut_19``: ``owners[end - 1]`` -> ``owners[end + 1]`` (chunks run one passage long, or
    index past the end); ``__mutmut_20``: -> ``owners[end - 2]`` (chunks stop one passage short)."""
    assert chunk_bounds(np.arange(5), 2) == [(0, 2), (2, 4), (4, 5)]
    assert chunk_bounds(np.array([0, 0, 1, 1, 1, 2, 3]), 3) == [(0, 5), (5, 7)]
