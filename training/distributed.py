"""Training in several processes (``torchrun``): the helpers that this project adds to the Trainer's DDP.

The Trainer (through accelerate) starts the process group, wraps the model in ``DistributedDataParallel``,
shards the batches and saves checkpoints from rank 0. What is ours: the bi-encoder's cross-device negatives
(every rank's question and passage vectors in one loss, ``gather_rows``) and the gradient averaging that
GradCache needs because its chunked backward passes bypass DDP's forward (``average_gradients``).
"""

from __future__ import annotations

import torch
import torch.distributed as dist

from training.collators import NO_KEY


def is_distributed() -> bool:
    """True inside an initialised process group of more than one process."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def barrier() -> None:
    """Wait here until every rank arrives (a no-op in one process)."""
    if is_distributed():
        dist.barrier()


def leave_process_group() -> None:
    """Wait for every rank, then destroy the process group (a no-op without one). A rank that exits while its gloo
    group is alive can abort in the group's destructor ("terminate called without an active exception",
    SIGABRT), and torchrun then reports the finished run as failed and stops rank 0 mid-save."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def any_rank(flag: bool, device: torch.device) -> bool:
    """True on every rank when ``flag`` is True on any (``device``: where the process group's tensors live)."""
    if not is_distributed():
        return flag
    value = torch.tensor([int(flag)], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


class GatherRows(torch.autograd.Function):
    """Every rank's rows of a tensor, concatenated in rank order; the gradient reaches only this rank's rows.

    Ranks may hold different numbers of rows (the last batch of an epoch, questions with fewer hard
    negatives): rows are padded to the largest count for ``all_gather`` and trimmed after.

    Backward: every rank computes the same loss from the same gathered rows, so the sum over ranks of
    the loss's gradient with respect to this rank's rows is ``world_size`` times this rank's own; returning
    that (instead of communicating it) lets DDP's average over ranks give exactly the gradient of the
    whole-world batch's loss, while the loss itself, as logged, stays that of the whole-world batch.
    """

    @staticmethod
    def forward(ctx, rows: torch.Tensor, counts: tuple[int, ...]) -> torch.Tensor:
        padded = rows.new_zeros((max(counts), *rows.shape[1:]))
        padded[: len(rows)] = rows
        pieces = [torch.empty_like(padded) for _ in counts]
        dist.all_gather(pieces, padded.contiguous())
        ctx.start = sum(counts[: dist.get_rank()])
        ctx.stop = ctx.start + len(rows)
        return torch.cat([piece[:count] for piece, count in zip(pieces, counts)])

    @staticmethod
    def backward(ctx, gradient: torch.Tensor) -> torch.Tensor:
        return gradient[ctx.start : ctx.stop] * dist.get_world_size(), None


def row_counts(count: int, device: torch.device) -> list[int]:
    """The number of rows each rank holds, in rank order."""
    mine = torch.tensor([count], device=device)
    counts = [torch.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(counts, mine)
    return [int(value) for value in counts]


def gather_rows(rows: torch.Tensor) -> tuple[torch.Tensor, int]:
    """(every rank's rows in rank order, where this rank's rows start); the gradient flows as ``GatherRows``
    says. Outside a process group: (``rows``, 0)."""
    if not is_distributed():
        return rows, 0
    counts = tuple(row_counts(len(rows), rows.device))
    return GatherRows.apply(rows, counts), sum(counts[: dist.get_rank()])


def gather_batch(
    question_vectors: torch.Tensor, passage_vectors: torch.Tensor, inputs: dict
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The in-batch layout of ``encoders.losses.in_batch_negatives_loss`` over every rank's batch: (question
    vectors, passage vectors, targets, ignore mask), the mask rebuilt across ranks from the passage keys of
    ``training.collators.BiEncoderCollator`` (a passage that is a gold passage of a question on another rank
    is no negative for it)."""
    questions, _ = gather_rows(question_vectors)
    passages, passage_start = gather_rows(passage_vectors)
    with torch.no_grad():
        targets, _ = gather_rows(inputs["targets"] + passage_start)
        passage_keys, _ = gather_rows(inputs["passage_keys"])
        gold_keys, _ = gather_rows(pad_columns(inputs["gold_keys"]))
    ignore_mask = (gold_keys.unsqueeze(2) == passage_keys.view(1, 1, -1)).any(1)
    return questions, passages, targets, ignore_mask


def pad_columns(keys: torch.Tensor) -> torch.Tensor:
    """``keys`` [B, G] padded with ``NO_KEY`` to the most columns any rank has (all_gather needs one shape)."""
    widths = row_counts(keys.shape[1], keys.device)
    return torch.nn.functional.pad(keys, (0, max(widths) - keys.shape[1]), value=NO_KEY)


def average_gradients(module: torch.nn.Module) -> None:
    """Average the gradients of ``module``'s parameters over the ranks, as DDP's backward would have."""
    size = dist.get_world_size()
    for parameter in module.parameters():
        if parameter.grad is not None:
            dist.all_reduce(parameter.grad)
            parameter.grad /= size
