"""The three training losses against hand computations (plain math, no torch)."""

from __future__ import annotations

import math

import pytest
import torch

from encoders.losses import in_batch_negatives_loss, local_contrastive_loss, pointwise_bce_loss

QUESTIONS = [[1.0, 0.0], [0.0, 1.0], [1.0, 2.0]]
PASSAGES = [[2.0, 0.0], [0.5, 1.0], [1.0, 1.5]]


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def softmax_nll(scores: list[float], target: int, kept: list[int]) -> float:
    """-log softmax(scores)[target], the softmax taken over the columns in ``kept`` only."""
    return -(scores[target] - math.log(sum(math.exp(scores[j]) for j in kept)))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def tensor(rows: list[list[float]]) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float32)


def test_in_batch_negatives_loss_is_mean_cross_entropy_over_all_passages():
    scores = [[dot(q, p) for p in PASSAGES] for q in QUESTIONS]
    expected = sum(softmax_nll(row, i, [0, 1, 2]) for i, row in enumerate(scores)) / 3

    loss = in_batch_negatives_loss(tensor(QUESTIONS), tensor(PASSAGES), torch.arange(3))

    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_in_batch_negatives_loss_drops_masked_duplicates_but_never_the_target():
    # Passage 2 is the same passage as passage 0: questions 0 and 2 share their positive. The mask
    # marks every gold passage of each question, its own target included (as the collator does).
    ignore_mask = torch.tensor([[True, False, True], [False, True, False], [True, False, True]])
    scores = [[dot(q, p) for p in PASSAGES] for q in QUESTIONS]
    expected = (
        softmax_nll(scores[0], 0, [0, 1])  # column 2 drops out of row 0
        + softmax_nll(scores[1], 1, [0, 1, 2])
        + softmax_nll(scores[2], 2, [1, 2])  # column 0 drops out of row 2
    ) / 3

    loss = in_batch_negatives_loss(tensor(QUESTIONS), tensor(PASSAGES), torch.arange(3), ignore_mask)

    assert loss.item() == pytest.approx(expected, rel=1e-6)
    unmasked = in_batch_negatives_loss(tensor(QUESTIONS), tensor(PASSAGES), torch.arange(3))
    assert loss.item() < unmasked.item()


def test_in_batch_negatives_loss_with_everything_masked_keeps_the_target():
    ignore_mask = torch.ones(3, 3, dtype=torch.bool)
    loss = in_batch_negatives_loss(tensor(QUESTIONS), tensor(PASSAGES), torch.arange(3), ignore_mask)
    assert loss.item() == pytest.approx(0.0, abs=1e-7)


def test_in_batch_negatives_loss_with_hard_negative_columns():
    # Two questions, their two positives, then one hard negative each (N = 4 > B = 2).
    questions = [[1.0, -1.0], [0.5, 2.0]]
    passages = [[1.0, 0.0], [0.0, 1.0], [2.0, -1.0], [-1.0, 1.0]]
    scores = [[dot(q, p) for p in passages] for q in questions]
    expected = (softmax_nll(scores[0], 0, [0, 1, 2, 3]) + softmax_nll(scores[1], 1, [0, 1, 2, 3])) / 2

    loss = in_batch_negatives_loss(tensor(questions), tensor(passages), torch.tensor([0, 1]))

    assert loss.item() == pytest.approx(expected, rel=1e-6)


GROUPS = [[2.0, 1.0, 0.0, -1.0], [0.5, 1.5, 9.0, -0.5]]
VALID = [[True, True, True, True], [True, True, False, True]]  # row 1, column 2 is padding


def test_local_contrastive_loss_ignores_padding():
    expected = (softmax_nll(GROUPS[0], 0, [0, 1, 2, 3]) + softmax_nll(GROUPS[1], 0, [0, 1, 3])) / 2

    loss = local_contrastive_loss(tensor(GROUPS), torch.tensor(VALID))

    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_local_contrastive_loss_without_mask_uses_every_column():
    expected = (softmax_nll(GROUPS[0], 0, [0, 1, 2, 3]) + softmax_nll(GROUPS[1], 0, [0, 1, 2, 3])) / 2
    assert local_contrastive_loss(tensor(GROUPS)).item() == pytest.approx(expected, rel=1e-6)


def test_pointwise_bce_loss_by_hand():
    terms = []
    for row, valid_row in zip(GROUPS, VALID, strict=True):
        for column, (score, valid) in enumerate(zip(row, valid_row, strict=True)):
            if valid:
                terms.append(-math.log(sigmoid(score)) if column == 0 else -math.log(1.0 - sigmoid(score)))
    expected = sum(terms) / len(terms)

    loss = pointwise_bce_loss(tensor(GROUPS), torch.tensor(VALID))

    assert len(terms) == 7
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_pointwise_bce_loss_without_mask_counts_every_pair():
    terms = [
        -math.log(sigmoid(score)) if column == 0 else -math.log(1.0 - sigmoid(score))
        for row in GROUPS
        for column, score in enumerate(row)
    ]
    assert pointwise_bce_loss(tensor(GROUPS)).item() == pytest.approx(sum(terms) / len(terms), rel=1e-6)
