"""Tests that kill mutants of ``encoders/losses.py`` which survived ``make mutate`` (mutmut 3.8.1).

Each test names its mutant (mutmut's id at the time, and the change it made): the ids move when the module
changes, the change does not.
"""

from __future__ import annotations

import math

import pytest
import torch

from encoders.losses import distillation_loss, in_batch_negatives_loss, local_contrastive_loss, pointwise_bce_loss


def test_ignore_mask_with_hard_negative_columns():
    """``x_in_batch_negatives_loss__mutmut_7``: ``F.one_hot(targets, scores.shape[1])`` -> ``F.one_hot(targets)``.

    Without the column count, one_hot has max(target) + 1 columns: fewer than the passages whenever hard
    negatives follow the positives, and the mask no longer lines up with the scores.
    """
    questions = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
    passages = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0], [-1.0, 1.0]])
    ignore_mask = torch.tensor([[True, False, False, True], [False, True, False, False]])
    scores = (questions @ passages.T).tolist()

    def nll(row: list[float], target: int, kept: list[int]) -> float:
        return -(row[target] - math.log(sum(math.exp(row[j]) for j in kept)))

    expected = (nll(scores[0], 0, [0, 1, 2]) + nll(scores[1], 1, [0, 1, 2, 3])) / 2

    loss = in_batch_negatives_loss(questions, passages, torch.tensor([0, 1]), ignore_mask)

    assert loss.item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("valid_mask", [None, torch.ones(2, 3, dtype=torch.bool)])
def test_local_contrastive_targets_are_made_on_the_scores_device(valid_mask):
    """``x_local_contrastive_loss__mutmut_15`` / ``__mutmut_18``: ``device=scores.device`` -> ``device=None`` /
    dropped.

    The targets then land on the CPU whatever device the scores are on, and cross_entropy refuses the mix (on
    a GPU: training fails). The ``meta`` device shows the same refusal without a GPU.
    """
    scores = torch.zeros(2, 3, device="meta")
    mask = None if valid_mask is None else valid_mask.to("meta")
    loss = local_contrastive_loss(scores, mask)
    assert loss.device.type == "meta" and loss.shape == ()


def test_pointwise_bce_labels_column_zero_as_relevant():
    """``x_pointwise_bce_loss__mutmut_5``: ``labels[:, 0] = 1.0`` -> ``labels[:, 1] = 1.0``.

    Swapping the labels of columns 0 and 1 changes the summed loss by s0 - s1 per row; in the two-row groups
    of ``tests/test_losses.py`` those differences (+1 and -1) cancel. One row does not.
    """
    row = [2.0, 1.0, 0.0, -1.0]

    def softplus(x: float) -> float:
        return math.log1p(math.exp(x))

    expected = (softplus(-row[0]) + sum(softplus(score) for score in row[1:])) / len(row)

    assert pointwise_bce_loss(torch.tensor([row])).item() == pytest.approx(expected, rel=1e-6)


STUDENT = torch.tensor([[2.0, 0.5, -1.0], [0.3, 1.0, 0.0]])
TEACHER = torch.tensor([[1.0, 1.0, -3.0], [0.0, 2.0, 7.0]])


def test_distillation_defaults_are_every_pair_valid_and_temperature_one():
    """``x_distillation_loss``: the default mask (``valid_mask is None`` -> all True) inverted or dropped, and
    the default ``temperature=1.0`` changed (the loss at 1 and at 2 differ on these groups)."""
    every = torch.ones_like(STUDENT, dtype=torch.bool)
    at_one = distillation_loss(STUDENT, TEACHER, every, temperature=1.0)
    assert distillation_loss(STUDENT, TEACHER).item() == pytest.approx(at_one.item(), rel=1e-6)
    assert distillation_loss(STUDENT, TEACHER, every, temperature=2.0).item() != pytest.approx(at_one.item())


def test_distillation_leaves_padded_pairs_out_of_both_softmaxes():
    """``x_distillation_loss``: the padding filled with a finite value instead of ``-inf`` in either softmax, or
    the padded terms kept in the sum: a group padded with pairs equals the same group without them."""
    padded_student = torch.tensor([[2.0, 0.5, 9.0, -9.0]])
    padded_teacher = torch.tensor([[1.0, 1.0, -9.0, 9.0]])
    valid = torch.tensor([[True, True, False, False]])
    alone = distillation_loss(STUDENT[:1, :2], TEACHER[:1, :2])
    assert alone.item() > 0.1
    assert distillation_loss(padded_student, padded_teacher, valid).item() == pytest.approx(alone.item(), rel=1e-6)


def test_distillation_is_scaled_by_the_square_of_the_temperature():
    """``x_distillation_loss__mutmut_52``: ``temperature**2`` -> ``temperature * 2``, the same at 2 (the temperature
    the KL test uses) but not at 3: the loss is 9 times the KL of the two group softmaxes at temperature 3."""
    p = torch.softmax(TEACHER / 3.0, dim=-1)
    kl = (p * (p.log() - torch.log_softmax(STUDENT / 3.0, dim=-1))).sum(dim=-1).mean()
    loss = distillation_loss(STUDENT, TEACHER, temperature=3.0)
    assert loss.item() == pytest.approx(9 * kl.item(), rel=1e-5)
