"""Ranking metrics on hand-made rankings; exact dense search against a brute-force numpy ranking."""

from __future__ import annotations

import math

import numpy as np
import pytest

from metrics import first_hit, mrr_at_k, ranking_metrics, top_k_accuracy
from retrieval.dense import chunk_bounds, exact_search

RANKINGS = [
    ["a", "b", "c", "d"],  # gold at rank 0
    ["x", "y", "z", "w"],  # gold at rank 2
    ["p", "q", "r", "s"],  # gold missing
    ["m", "n", "o", "k"],  # two golds, the first one at rank 1
    ["e", "f", "g", "h"],  # no gold known: left out of every average
]
GOLDS = [{"a"}, {"z"}, {"nope"}, {"o", "n"}, set()]


def test_first_hit():
    assert [first_hit(ranking, gold) for ranking, gold in zip(RANKINGS, GOLDS, strict=True)] == [0, 2, None, 1, None]


def test_top_k_accuracy_by_hand():
    assert top_k_accuracy(RANKINGS, GOLDS, 1) == pytest.approx(1 / 4)
    assert top_k_accuracy(RANKINGS, GOLDS, 2) == pytest.approx(2 / 4)
    assert top_k_accuracy(RANKINGS, GOLDS, 3) == pytest.approx(3 / 4)
    assert top_k_accuracy(RANKINGS, GOLDS, 100) == pytest.approx(3 / 4)


def test_mrr_by_hand():
    assert mrr_at_k(RANKINGS, GOLDS, 10) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert mrr_at_k(RANKINGS, GOLDS, 2) == pytest.approx((1 + 0 + 0 + 1 / 2) / 4)  # rank 3 is past k


def test_ranking_metrics_names_only_the_depths_the_rankings_have():
    metrics = ranking_metrics(RANKINGS, GOLDS, ks=(1, 3, 5, 20), mrr_k=10)
    assert set(metrics) == {"top1", "top3", "mrr@10"}
    assert metrics["top3"] == pytest.approx(3 / 4)
    assert metrics["mrr@10"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)


def test_metrics_without_any_gold_are_nan():
    assert math.isnan(top_k_accuracy([["a"]], [set()], 1))
    assert math.isnan(mrr_at_k([["a"]], [set()]))


def brute_force(queries: np.ndarray, keys: np.ndarray, owners: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Score every window, take each passage's best window, sort every passage."""
    window_scores = queries @ keys.T
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    passage_scores = np.maximum.reduceat(window_scores, starts, axis=1)
    order = np.argsort(-passage_scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(passage_scores, order, axis=1), order


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(0)
    windows_per_passage = rng.integers(1, 5, size=23)  # 23 passages of 1 to 4 windows
    owners = np.repeat(np.arange(23), windows_per_passage)
    keys = rng.standard_normal((len(owners), 8)).astype(np.float32)
    queries = rng.standard_normal((9, 8)).astype(np.float32)
    return queries, keys, owners


@pytest.mark.parametrize("k", [1, 5, 23, 40])
@pytest.mark.parametrize("chunk_size", [5, 16, 65536])
def test_exact_search_with_owners_equals_brute_force(vectors, k, chunk_size):
    queries, keys, owners = vectors
    bounds = chunk_bounds(owners, chunk_size)
    if chunk_size < len(keys):
        assert len(bounds) > 2
    assert bounds[0][0] == 0 and bounds[-1][1] == len(keys)
    for (_, end), (start, _) in zip(bounds, bounds[1:], strict=False):
        assert end == start and owners[start - 1] != owners[start]  # never splits a passage's windows

    scores, ids = exact_search(queries, keys, k, owners, chunk_size=chunk_size, query_batch_size=4)

    expected_scores, expected_ids = brute_force(queries, keys, owners, k)
    assert ids.shape == (len(queries), min(k, 23))
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("k", [1, 7, 100])
def test_exact_search_without_owners_ranks_every_key(vectors, k):
    queries, keys, _ = vectors
    scores, ids = exact_search(queries, keys, k, chunk_size=6, query_batch_size=2)

    expected_scores, expected_ids = brute_force(queries, keys, np.arange(len(keys)), k)
    assert ids.shape == (len(queries), min(k, len(keys)))
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-5, atol=1e-5)
    assert np.all(np.diff(scores, axis=1) <= 0)  # best first


def test_exact_search_best_window_decides():
    # Passage 0 has a weak and a strong window, passage 1 one middling window.
    keys = np.array([[0.1, 0.0], [5.0, 0.0], [2.0, 0.0]], dtype=np.float32)
    scores, ids = exact_search(np.array([[1.0, 0.0]], dtype=np.float32), keys, 2, np.array([0, 0, 1]), chunk_size=1)
    assert ids.tolist() == [[0, 1]]
    np.testing.assert_allclose(scores, [[5.0, 2.0]])


def test_equal_scores_come_in_passage_order_across_chunks():
    """Ties are ordered by passage position, whatever the chunking (the order topk left them in was arbitrary)."""
    keys = np.ones((40, 8), dtype=np.float16)
    scores, positions = exact_search(np.ones((3, 8), dtype=np.float32), keys, 40, chunk_size=7)
    assert positions.tolist() == [list(range(40))] * 3
    assert scores.dtype == np.float32 and (scores == 8.0).all()
