"""Two-process (gloo, CPU) checks of cross-device negatives, run by ``tests/test_distributed.py`` through
``torch.multiprocessing``: each rank computes the bi-encoder loss on its half of a batch inside DDP and
writes its loss and averaged gradients for the parent test to compare with one process on the whole batch.

Every rank meets on the loopback interface (``GLOO_SOCKET_IFNAME=lo``, a TCP store on 127.0.0.1) rather than
on whatever address the machine's host name resolves to, and every wait is bounded: a machine where two
processes cannot talk fails these tests within a minute instead of hanging the suite."""

from __future__ import annotations

import datetime
import json
import os
import socket
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from encoders.losses import in_batch_negatives_loss
from training.collators import NO_KEY, passage_key
from training.grad_cache import GradCache
from training.trainer import BiEncoderLoss

FEATURES = 6
RENDEZVOUS_SECONDS = 60
LOOPBACK = {"GLOO_SOCKET_IFNAME": "lo", "MASTER_ADDR": "127.0.0.1"}
# Per rank: question passage ids (the positive first, then other gold ids) and hard negative ids. Rank 1's
# first question asks about rank 0's first positive ("p0"): in the whole batch that passage must be masked,
# not a negative, for both questions; rank 1 also holds fewer rows (unequal shapes across ranks).
BATCHES = [
    {"gold": [["p0"], ["p1", "p9"], ["p2"]], "negatives": ["n0", "p9", "n2"]},
    {"gold": [["p0"], ["p4"]], "negatives": ["n3"]},
]


class TinyBiEncoder(nn.Module):
    """A linear question tower and a linear passage tower, with the bi-encoder's ``embed``/``forward``."""

    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.question = nn.Linear(FEATURES, 4)
        self.passage = nn.Linear(FEATURES, 4)
        for parameter in self.parameters():
            parameter.data = torch.randn(parameter.shape, generator=generator)

    def embed(self, kind: str, inputs: dict) -> torch.Tensor:
        return (self.question if kind == "question" else self.passage)(inputs["input_ids"])

    def forward(self, question_inputs: dict, passage_inputs: dict):
        return self.embed("question", question_inputs), self.embed("passage", passage_inputs)


def features(name: str) -> torch.Tensor:
    return torch.randn(FEATURES, generator=torch.Generator().manual_seed(passage_key(name) % 2**31))


def local_batch(batch: dict, masked_by_id: bool = True) -> dict:
    """The tensors of ``BiEncoderCollator`` for one rank's batch (features stand in for token ids)."""
    questions = [f"question-{gold[0]}-{i}" for i, gold in enumerate(batch["gold"])]
    passage_ids = [gold[0] for gold in batch["gold"]] + batch["negatives"]
    # rank 1's question about p0 reads another window of it: other features, the same passage id
    passage_rows = [features(f"{pid}-window{i}") for i, pid in enumerate(passage_ids)]
    # without masking by id, each question's gold key list names a passage that is nowhere in the batch
    gold_keys = [[passage_key(g if masked_by_id else f"{g}-elsewhere") for g in gold] for gold in batch["gold"]]
    width = max(map(len, gold_keys))
    return {
        "question_inputs": {"input_ids": torch.stack([features(q) for q in questions])},
        "passage_inputs": {"input_ids": torch.stack(passage_rows)},
        "targets": torch.arange(len(questions)),
        "ignore_mask": torch.tensor([[pid in gold for pid in passage_ids] for gold in batch["gold"]]),
        "passage_keys": torch.tensor([passage_key(pid) for pid in passage_ids]),
        "gold_keys": torch.tensor([keys + [NO_KEY] * (width - len(keys)) for keys in gold_keys]),
    }


def whole_batch(batches: list[dict]) -> dict:
    """Every rank's batch as one process would see it: questions, then passages, in rank order."""
    parts = [local_batch(batch) for batch in batches]
    gold = [g for batch in batches for g in batch["gold"]]
    passage_ids = [pid for batch in batches for pid in [g[0] for g in batch["gold"]] + batch["negatives"]]
    starts = torch.tensor([0, *[len(part["passage_keys"]) for part in parts]]).cumsum(0)
    return {
        "question_inputs": {"input_ids": torch.cat([part["question_inputs"]["input_ids"] for part in parts])},
        "passage_inputs": {"input_ids": torch.cat([part["passage_inputs"]["input_ids"] for part in parts])},
        "targets": torch.cat([part["targets"] + start for part, start in zip(parts, starts)]),
        "ignore_mask": torch.tensor([[pid in g for pid in passage_ids] for g in gold]),
    }


def gradients(model: nn.Module) -> dict[str, list]:
    return {name: parameter.grad.tolist() for name, parameter in model.named_parameters()}


def one_process(grad_cache_chunk: int = 0) -> dict:
    """The loss and gradients of one process on the whole batch (the reference)."""
    model = TinyBiEncoder()
    loss_function = BiEncoderLoss(in_batch_negatives_loss)
    batch = whole_batch(BATCHES)
    if grad_cache_chunk:
        loss = GradCache(loss_function, grad_cache_chunk).step(model, batch, lambda value: value.backward())
    else:
        loss = loss_function(model, batch)
        loss.backward()
    return {"loss": loss.item(), "gradients": gradients(model)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_ranks(target, world: int, *arguments) -> None:
    """``target(rank, world, port, *arguments)`` in ``world`` fresh processes; fails (never hangs) when one
    fails or all have not finished within the rendezvous time plus a minute of work."""
    import torch.multiprocessing as mp

    os.environ.update(LOOPBACK)
    context = mp.start_processes(target, (world, free_port(), *arguments), nprocs=world, join=False)
    deadline = time.monotonic() + RENDEZVOUS_SECONDS + 60
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            raise AssertionError(f"{target.__name__}: {world} ranks did not finish in time")


def join_group(rank: int, world: int, port: int, backend: str = "gloo") -> None:
    dist.init_process_group(
        backend,
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world,
        timeout=datetime.timedelta(seconds=RENDEZVOUS_SECONDS),
    )


def to_device(batch: dict, device: torch.device) -> dict:
    return {
        key: to_device(value, device) if isinstance(value, dict) else value.to(device) for key, value in batch.items()
    }


def rank_result(rank: int, grad_cache_chunk: int, masked_by_id: bool, device: torch.device) -> dict:
    """This rank's loss and gradients. Its own function so that the DDP model (and its reducer) is gone before
    the process group is destroyed: a reducer that outlives its group can hang the process on exit."""
    model = DistributedDataParallel(TinyBiEncoder().to(device))
    loss_function = BiEncoderLoss(in_batch_negatives_loss, cross_device=True)
    batch = to_device(local_batch(BATCHES[rank], masked_by_id), device)
    if grad_cache_chunk:
        loss = GradCache(loss_function, grad_cache_chunk).step(model, batch, lambda value: value.backward())
    else:
        loss = loss_function(model, batch)
        loss.backward()
    return {"loss": loss.item(), "gradients": gradients(model.module)}


def rank_main(
    rank: int, world: int, port: int, output: str, grad_cache_chunk: int, masked_by_id: bool, backend: str = "gloo"
) -> None:
    """One rank of the comparison: gloo on the CPU, or nccl on GPU ``rank`` (``tests/test_cuda.py``)."""
    device = torch.device("cuda", rank) if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    join_group(rank, world, port, backend)
    try:
        result = rank_result(rank, grad_cache_chunk, masked_by_id, device)
        Path(output, f"rank{rank}.json").write_text(json.dumps(result), encoding="utf-8")
        dist.barrier()
    finally:
        dist.destroy_process_group()


def interrupt_main(rank: int, world: int, port: int, output: str) -> None:
    """Rank 1 alone gets the signal; both ranks must decide to save and stop after the same step."""
    from types import SimpleNamespace

    from transformers import TrainerControl, TrainerState

    from training.trainer import StopOnInterrupt

    join_group(rank, world, port)
    try:
        stop, control = StopOnInterrupt(), TrainerControl()
        stop.interrupted = rank == 1
        stop.on_step_end(SimpleNamespace(device=torch.device("cpu")), TrainerState(), control)
        decided = {"save": control.should_save, "stop": control.should_training_stop}
        Path(output, f"rank{rank}.json").write_text(json.dumps(decided), encoding="utf-8")
    finally:
        dist.destroy_process_group()


def leave_main(rank: int, world: int, port: int, output: str) -> None:
    """Rank 0 writes a file late, as rank 0 saves the model after training; then every rank leaves the group. What
    each rank saw on leaving goes to ``rank<N>.json``: whether rank 0's file was there and the group gone."""
    from training.distributed import leave_process_group

    join_group(rank, world, port)
    saved = Path(output, "saved")
    if rank == 0:
        time.sleep(1.0)
        saved.write_text("model", encoding="utf-8")
    leave_process_group()
    seen = {"saved_seen": saved.exists(), "group_left": not dist.is_initialized()}
    Path(output, f"rank{rank}.json").write_text(json.dumps(seen), encoding="utf-8")
