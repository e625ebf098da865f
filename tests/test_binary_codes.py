"""BPR's binary passage codes: the hash layer, its two losses against hand computations and the binary index
against a brute-force search (fast tests, also `make mutate`'s; the CLI path is in test_binary_training.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from encoders.hashing import hash_scale, pack_codes, sign_codes, soft_codes, unpack_codes
from encoders.losses import binary_passage_loss, in_batch_negatives_loss
from retrieval.binary_index import BinaryIndex
from retrieval.dense import exact_search

# ---------------------------------------------------------------------------------------------
# The hash layer


def test_codes_are_one_bit_per_dimension_the_sign_of_the_vector():
    vectors = np.array([[0.3, -0.2, 0.0, 5.0, -1e-6, 2.0, -3.0, 0.1, 0.7, -0.4, 0.2]], dtype=np.float32)
    packed = pack_codes(vectors)
    assert packed.shape == (1, 2) and packed.dtype == np.uint8  # 11 bits in 2 bytes
    expected = [1, -1, -1, 1, -1, 1, -1, 1, 1, -1, 1]  # 0 counts as negative, on every path
    np.testing.assert_array_equal(unpack_codes(packed, 11)[0], expected)
    np.testing.assert_array_equal(sign_codes(vectors)[0], expected)


def test_the_training_hash_slope_grows_with_the_step_and_approaches_the_sign():
    assert hash_scale(0) == 1.0
    assert hash_scale(990, gamma=0.1) == pytest.approx(math.sqrt(100.0))
    vectors = torch.tensor([[0.5, -0.05, 0.01]])
    early, late = soft_codes(vectors, hash_scale(0)), soft_codes(vectors, hash_scale(10**7))
    np.testing.assert_allclose(early.numpy(), np.tanh(vectors.numpy()), rtol=1e-6)
    np.testing.assert_allclose(late.numpy(), sign_codes(vectors.numpy()), atol=1e-3)


# ---------------------------------------------------------------------------------------------
# The two losses

QUESTIONS = [[1.0, -0.5], [-0.3, 0.8], [0.6, 0.4]]
PASSAGES = [[0.9, -0.2], [-0.4, 0.7], [0.2, 0.1], [0.5, -0.9]]  # three positives, then one hard negative


def by_hand(scale: float, margin: float, ignored: set[tuple[int, int]] = frozenset()) -> tuple[float, float]:
    """(candidate loss, reranking loss) of BPR computed with plain math on QUESTIONS x PASSAGES, targets 0, 1, 2."""
    codes = [[math.tanh(scale * x) for x in p] for p in PASSAGES]
    question_codes = [[math.tanh(scale * x) for x in q] for q in QUESTIONS]
    hinges, nlls = [], []
    for i, (question, question_code) in enumerate(zip(QUESTIONS, question_codes)):
        binary = [sum(a * b for a, b in zip(question_code, code)) for code in codes]
        dense = [sum(a * b for a, b in zip(question, code)) for code in codes]
        kept = [j for j in range(len(codes)) if j == i or (i, j) not in ignored]
        hinges += [max(0.0, margin - (binary[i] - binary[j])) for j in kept if j != i]
        nlls.append(-(dense[i] - math.log(sum(math.exp(dense[j]) for j in kept))))
    return sum(hinges) / len(hinges), sum(nlls) / len(nlls)


def loss(scale: float, margin: float = 0.1, ignore_mask=None, binary_weight=1.0, dense_weight=1.0) -> float:
    questions, passages = torch.tensor(QUESTIONS), torch.tensor(PASSAGES)
    return binary_passage_loss(
        questions, passages, torch.arange(3), ignore_mask, scale, margin, binary_weight, dense_weight
    ).item()


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_bpr_loss_is_the_candidate_hinge_plus_the_reranking_cross_entropy(scale):
    """A margin of 2 makes every hinge active (the codes' dot products lie in [-2, 2]), so each pair counts."""
    candidate, reranking = by_hand(scale, margin=2.0)
    assert loss(scale, margin=2.0) == pytest.approx(candidate + reranking, rel=1e-5)
    assert loss(scale, margin=2.0, dense_weight=0.0) == pytest.approx(candidate, rel=1e-5)
    assert loss(scale, margin=2.0, binary_weight=0.0) == pytest.approx(reranking, rel=1e-5)
    assert loss(scale, margin=2.0, binary_weight=0.5, dense_weight=2.0) == pytest.approx(
        0.5 * candidate + 2 * reranking, rel=1e-5
    )


def test_bpr_loss_hinge_is_zero_past_the_margin():
    candidate, _ = by_hand(1.0, margin=0.1)
    assert 0.0 < candidate < by_hand(1.0, margin=2.0)[0]  # some pairs already beat the margin
    assert loss(1.0, margin=0.1, dense_weight=0.0) == pytest.approx(candidate, rel=1e-5)


def test_bpr_loss_leaves_masked_negatives_out_of_both_losses():
    """Question 0's column 2 is another gold passage of it: neither the hinge nor the softmax may push it down."""
    ignore_mask = torch.zeros(3, 4, dtype=torch.bool)
    ignore_mask[0, 2] = ignore_mask[0, 0] = True  # the collator also marks the target itself
    candidate, reranking = by_hand(1.0, margin=2.0, ignored={(0, 2)})
    assert loss(1.0, margin=2.0, ignore_mask=ignore_mask) == pytest.approx(candidate + reranking, rel=1e-5)
    assert loss(1.0, margin=2.0, ignore_mask=ignore_mask) != pytest.approx(loss(1.0, margin=2.0), rel=1e-3)


def test_bpr_reranking_loss_compares_the_continuous_question_with_the_passage_codes():
    """The dense part is DPR's loss with each passage replaced by its code (a slope so steep it is the sign)."""
    questions, passages = torch.tensor(QUESTIONS), torch.tensor(PASSAGES)
    expected = in_batch_negatives_loss(questions, torch.tensor(sign_codes(np.array(PASSAGES))), torch.arange(3))
    assert loss(1e6, binary_weight=0.0) == pytest.approx(expected.item(), rel=1e-5)
    assert loss(1e6, binary_weight=0.0) != pytest.approx(in_batch_negatives_loss(questions, passages, torch.arange(3)))


def test_bpr_loss_of_a_lone_question_is_zero_and_keeps_its_graph():
    """The last batch of an epoch can hold one question and no other passage: no pair for the hinge, one column
    for the softmax. The loss is 0, not NaN (the mean of no pairs), and still backpropagates."""
    question = torch.tensor([[0.3, -0.7]], requires_grad=True)
    value = binary_passage_loss(question, torch.tensor([[0.5, 0.5]]), torch.tensor([0]), scale=2.0)
    value.backward()
    assert value.item() == 0.0 and question.grad is not None and torch.isfinite(question.grad).all()


# ---------------------------------------------------------------------------------------------
# The binary index


def windows_of_passages(seed: int, passages: int, dimension: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Random window vectors, 1 to 5 windows a passage; a dimension that is no multiple of 8 on purpose."""
    rng = np.random.default_rng(seed)
    owners = np.repeat(np.arange(passages), rng.integers(1, 6, passages))
    return rng.standard_normal((len(owners), dimension), dtype=np.float32), owners


def build(vectors, owners, binary_k: int) -> BinaryIndex:
    return BinaryIndex.build(vectors, owners, [f"p{i}" for i in range(owners[-1] + 1)], "f", binary_k)


@pytest.mark.parametrize("k", [1, 5, 40])
def test_binary_search_over_every_window_is_the_exact_search_of_the_codes(k):
    """With every window a candidate, the ranking is the question vector · the ±1 codes, each passage at its best
    window: ordering by Hamming distance instead (no rescoring) fails this test."""
    vectors, owners = windows_of_passages(0, 40)
    queries = np.random.default_rng(1).standard_normal((30, 20), dtype=np.float32)
    index = build(vectors, owners, binary_k=len(vectors))
    scores, positions = index.search_positions(queries, k)
    expected_scores, expected_positions = exact_search(queries, sign_codes(vectors), k, owners)
    np.testing.assert_array_equal(positions, expected_positions)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-5, atol=1e-5)
    assert [ranking.ids for ranking in index.search(queries, k)] == [[f"p{p}" for p in row] for row in positions]


def test_binary_search_rescores_only_the_hamming_candidates():
    vectors, owners = windows_of_passages(2, 200)
    queries = np.random.default_rng(3).standard_normal((20, 20), dtype=np.float32)
    index = build(vectors, owners, binary_k=30)
    hamming = (pack_codes(queries)[:, None, :] ^ pack_codes(vectors)[None, :, :]).astype(np.uint8)
    distances = np.unpackbits(hamming, axis=2).sum(axis=2)
    _, positions = index.search_positions(queries, 3)
    for row, found in zip(distances, positions):
        # every passage found has a window within the 30 nearest by Hamming distance (ties at the edge included)
        cutoff = np.sort(row)[index.binary_k - 1]
        assert all(row[owners == p].min() <= cutoff for p in found)
    _, everything = build(vectors, owners, binary_k=len(vectors)).search_positions(queries, 3)
    assert (positions != everything).any()  # the candidate step matters on this data


def test_binary_search_finds_k_passages_however_small_binary_k():
    """``binary_k`` is raised to k x the most windows of a passage, so a deep first stage keeps its depth."""
    vectors, owners = windows_of_passages(4, 60)
    _, positions = build(vectors, owners, binary_k=1).search_positions(vectors[:5], 50)
    assert (positions >= 0).all() and all(len(set(row)) == 50 for row in positions)


def test_binary_codes_are_32_times_smaller_than_float32_vectors():
    vectors, owners = windows_of_passages(5, 30, dimension=64)
    assert build(vectors, owners, binary_k=10).code_bytes == len(vectors) * 8 == vectors.nbytes // 32


def test_binary_index_is_saved_mapped_and_loads_only_while_fresh_and_whole(tmp_path):
    vectors, owners = windows_of_passages(5, 30)
    index = build(vectors, owners, binary_k=10)
    index.save(tmp_path / "binary")
    loaded = BinaryIndex.load(tmp_path / "binary", "f", binary_k=10)
    assert not loaded.index.xb.is_owned  # the codes stay in the mapped file, not copied into memory
    assert loaded.fingerprint == "f" and loaded.binary_k == 10
    np.testing.assert_array_equal(loaded.search_positions(vectors[:4], 5)[1], index.search_positions(vectors[:4], 5)[1])
    np.testing.assert_array_equal(loaded.window_vectors(3), sign_codes(vectors[owners == 3]))
    assert BinaryIndex.load(tmp_path / "binary", "stale") is None
    meta_path = tmp_path / "binary" / "meta.json"
    meta = json.loads(meta_path.read_text())
    for field, wrong in (("windows", meta["windows"] + 1), ("passages", 29), ("dimension", 200)):
        meta_path.write_text(json.dumps({**meta, field: wrong}))
        assert BinaryIndex.load(tmp_path / "binary", "f") is None, field  # files that disagree are never trusted
    meta_path.write_text(json.dumps(meta))
    owners_path = tmp_path / "binary" / "owners.npy"
    np.save(owners_path, owners[:-1])
    assert BinaryIndex.load(tmp_path / "binary", "f") is None  # an owner per window, or nothing
    np.save(owners_path, owners)
    (tmp_path / "binary" / "index.faiss").write_bytes((tmp_path / "binary" / "index.faiss").read_bytes()[:50])
    assert BinaryIndex.load(tmp_path / "binary", "f") is None  # a truncated file is never trusted
    assert [path.name for path in tmp_path.iterdir()] == ["binary"]


def test_a_one_window_index_finds_its_passage():
    vectors = np.array([[0.5, -1.0, 2.0]], dtype=np.float32)
    scores, positions = build(vectors, np.array([0]), binary_k=5).search_positions(vectors, 3)
    assert positions.tolist() == [[0]] and scores[0, 0] == pytest.approx(0.5 + 1.0 + 2.0)
