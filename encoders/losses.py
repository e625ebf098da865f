"""Training losses, one function each, with the paper they come from and the shapes they expect, and one
registry per encoder (``LOSSES``): a new loss is one function and one registry line."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from encoders.hashing import soft_codes


def in_batch_negatives_loss(
    question_vectors: torch.Tensor,
    passage_vectors: torch.Tensor,
    targets: torch.Tensor,
    ignore_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """DPR's in-batch negatives loss (Karpukhin et al. 2020): softmax over every passage in the batch.

    question_vectors: [B, D]; passage_vectors: [N, D] (the B positives, then any hard negatives);
    targets: [B] the column of each question's positive; ignore_mask: [B, N] True where a passage
    must not count as a negative for that question (it is the same passage as its positive, or
    another of its gold passages). The target column itself is never ignored.
    """
    scores = question_vectors.float() @ passage_vectors.float().T
    if ignore_mask is not None:
        keep_target = F.one_hot(targets, scores.shape[1]).bool()
        scores = scores.masked_fill(ignore_mask & ~keep_target, float("-inf"))
    return F.cross_entropy(scores, targets)


def binary_passage_loss(
    question_vectors: torch.Tensor,
    passage_vectors: torch.Tensor,
    targets: torch.Tensor,
    ignore_mask: torch.Tensor | None = None,
    scale: float = 1.0,
    margin: float = 0.1,
    binary_weight: float = 1.0,
    dense_weight: float = 1.0,
) -> torch.Tensor:
    """BPR's two losses (Yamada, Asai & Hajishirzi 2021), on the in-batch layout of ``in_batch_negatives_loss``.

    Passages enter as their training-time codes ``tanh(scale * p)`` (``encoders/hashing.py``).
    Candidate generation (``binary_weight``): the question's code against the passage codes, a margin ranking
    loss ``max(0, margin - (s+ - s-))`` averaged over every (positive, kept negative) pair, so that Hamming
    search finds the positive. Reranking (``dense_weight``): the continuous question vector against the passage
    codes, the softmax cross-entropy of ``in_batch_negatives_loss``, so that rescoring orders the candidates.
    Negatives that ``ignore_mask`` marks count in neither.
    """
    passage_codes = soft_codes(passage_vectors, scale)
    dense = in_batch_negatives_loss(question_vectors, passage_codes, targets, ignore_mask)
    scores = soft_codes(question_vectors, scale) @ passage_codes.T
    negatives = ~F.one_hot(targets, scores.shape[1]).bool()
    if ignore_mask is not None:
        negatives &= ~ignore_mask
    positive = scores.gather(1, targets.unsqueeze(1))
    violations = F.relu(margin - (positive - scores))[negatives]
    binary = violations.mean() if violations.numel() else scores.sum() * 0.0
    return binary_weight * binary + dense_weight * dense


def local_contrastive_loss(group_scores: torch.Tensor, valid_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Localized contrastive estimation (Gao, Dai & Callan 2021, "Rethink Training of BERT Rerankers").

    group_scores: [B, G] cross-encoder scores of each question's group, the positive in column 0
    and G-1 negatives after it; valid_mask: [B, G] False for padding (a group with fewer negatives).
    Cross-entropy of the positive against its own group's negatives.
    """
    scores = group_scores.float()
    if valid_mask is not None:
        scores = scores.masked_fill(~valid_mask, float("-inf"))
    targets = torch.zeros(scores.shape[0], dtype=torch.long, device=scores.device)
    return F.cross_entropy(scores, targets)


def pointwise_bce_loss(group_scores: torch.Tensor, valid_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Pointwise binary cross-entropy (Nogueira & Cho 2019, "Passage Re-ranking with BERT").

    Same inputs as ``local_contrastive_loss``: column 0 is relevant (label 1), the rest are not
    (label 0); each valid pair is an independent binary example.
    """
    scores = group_scores.float()
    labels = torch.zeros_like(scores)
    labels[:, 0] = 1.0
    if valid_mask is None:
        valid_mask = torch.ones_like(scores, dtype=torch.bool)
    return F.binary_cross_entropy_with_logits(scores[valid_mask], labels[valid_mask])


def distillation_loss(
    group_scores: torch.Tensor,
    teacher_scores: torch.Tensor,
    valid_mask: torch.Tensor | None = None,
    temperature: float = 1.0,
) -> torch.Tensor:
    """Listwise distillation (Hinton, Vinyals & Dean 2015): KL(teacher || student) between the softmax of each
    question's group at ``temperature``, times its square (so the gradient's size does not depend on it).

    Same groups as ``local_contrastive_loss``; ``teacher_scores`` [B, G] are the teacher's scores of the same
    pairs. The student learns how the teacher ranks the whole group, not only which candidate is the positive.
    """
    if valid_mask is None:
        valid_mask = torch.ones_like(group_scores, dtype=torch.bool)
    hidden = float("-inf")
    student = F.log_softmax((group_scores.float() / temperature).masked_fill(~valid_mask, hidden), dim=-1)
    teacher = F.log_softmax((teacher_scores.float() / temperature).masked_fill(~valid_mask, hidden), dim=-1)
    terms = torch.where(valid_mask, teacher.exp() * (teacher - student), torch.zeros_like(student))
    return terms.sum(dim=-1).mean() * temperature**2


# One registry per encoder: ``train.py --loss`` takes its choices from these; the first is the default.
BI_ENCODER_LOSSES = {"in-batch": in_batch_negatives_loss}
CROSS_ENCODER_LOSSES = {"lce": local_contrastive_loss, "bce": pointwise_bce_loss}
LOSSES = {"bi": BI_ENCODER_LOSSES, "cross": CROSS_ENCODER_LOSSES}
