"""Device and numeric precision: which device to run on and which autocast to use there.

``--precision auto`` picks the fastest precision the device runs well: bf16 on CUDA
devices with native bf16 (compute capability 8.0 and newer: A100, RTX 30xx, H100), else
fp16 on CUDA (V100 7.0, T4 7.5: ``torch.cuda.is_bf16_supported()`` says True there too,
counting bf16 emulated without tensor cores); bf16 on CPUs with native bf16 instructions
(AVX-512 BF16 or AMX), else fp32. An explicit request the device cannot honour falls back
with a warning that says which precision is used.

A training run in one process sees exactly one GPU (``pin_single_gpu``): the Trainer would
otherwise train on GPU 0 whatever ``--device`` says and wrap the model in ``DataParallel``
when several are visible. Several GPUs are for ``torchrun``, which gives each rank its own.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field

import torch

from errors import UserError

PRECISIONS = ("fp32", "fp16", "bf16", "auto")
NATIVE_BF16 = (8, 0)  # the first compute capability with bf16 tensor cores (Ampere)
LAUNCHER_VARIABLES = ("LOCAL_RANK", "WORLD_SIZE")  # set by torchrun / accelerate launch for every rank


def launched_distributed(environ: Mapping[str, str] = os.environ) -> bool:
    return any(name in environ for name in LAUNCHER_VARIABLES)


def wait_for_every_rank(hours: float = 48) -> int:
    """Under a distributed launch: wait until every rank reaches this point, then return this rank (0 without a
    launch). A CPU (gloo) barrier: it needs no GPU, and its long timeout lets a slow rank finish a shard of
    encoding; torchrun stops every rank if one fails."""
    if not launched_distributed():
        return 0
    import datetime

    import torch.distributed as dist

    dist.init_process_group("gloo", timeout=datetime.timedelta(hours=hours))
    try:
        dist.barrier()
        return dist.get_rank()
    finally:
        dist.destroy_process_group()


def single_gpu_visibility(flag: str, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """For a run in one process: (the CUDA_VISIBLE_DEVICES that leaves only the GPU ``--device`` names visible,
    the ``--device`` to use then). (None, flag) leaves things as they are: the CPU, a distributed launch
    (which assigns each rank its GPU), or a flag that ``resolve_device`` will refuse."""
    if flag == "cpu" or launched_distributed(environ):
        return None, flag
    if flag in ("auto", "cuda"):
        index, after = 0, flag
    elif flag.startswith("cuda:") and flag[5:].isdigit():
        index, after = int(flag[5:]), "cuda:0"
    else:
        return None, flag
    visible = environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return str(index), after
    ids = [entry.strip() for entry in visible.split(",") if entry.strip()]
    if index >= len(ids):
        return None, flag
    return ids[index], after


def pin_single_gpu(flag: str, environ: MutableMapping[str, str] = os.environ) -> str:
    """Apply ``single_gpu_visibility`` before CUDA initialises; return the ``--device`` to resolve."""
    visible, after = single_gpu_visibility(flag, environ)
    if visible is not None:
        environ["CUDA_VISIBLE_DEVICES"] = visible
    return after


def check_cuda_index(name: str, device: torch.device, count: int) -> None:
    if device.index is not None and device.index >= count:
        plural = "device" if count == 1 else "devices"
        raise UserError(f"--device {name}: this machine has {count} CUDA {plural} (cuda:0 to cuda:{count - 1})")


def resolve_device(name: str = "auto", environ: Mapping[str, str] = os.environ) -> torch.device:
    """``auto`` -> the first CUDA device when there is one, else the CPU. Under a distributed launch, ``auto``
    and ``cuda`` -> this rank's GPU, ``cuda:{LOCAL_RANK}`` (the device the Trainer trains on)."""
    if launched_distributed(environ) and name in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda", int(environ.get("LOCAL_RANK", "0")))
    if launched_distributed(environ) and name.startswith("cuda:"):
        raise UserError(
            f"--device {name}: under torchrun each rank uses cuda:LOCAL_RANK; use --device auto or cuda "
            "(choose the GPUs with CUDA_VISIBLE_DEVICES)"
        )
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise UserError(f"--device {name}: not a device name (expected auto, cpu, cuda or cuda:N)") from error
    if device.type not in ("cpu", "cuda"):
        raise UserError(f"--device {name}: this toolkit runs on cpu or cuda (expected auto, cpu, cuda or cuda:N)")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"--device {name}: CUDA is not available on this machine; use --device cpu")
    if device.type == "cuda":
        check_cuda_index(name, device, torch.cuda.device_count())
    return device


def cpu_has_bf16() -> bool:
    """True when the CPU has native bf16 arithmetic (AVX-512 BF16 or AMX)."""
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, probe, lambda: False)() for probe in probes)


def resolve_precision(requested: str, device: torch.device) -> str:
    """Turn a ``--precision`` value into fp32, fp16 or bf16 for ``device``."""
    if requested not in PRECISIONS:
        raise UserError(f"--precision {requested}: expected one of {', '.join(PRECISIONS)}")
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return cuda_precision(requested, torch.cuda.get_device_capability(index), torch.cuda.get_device_name(index))
    if requested == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    if requested == "fp16":
        warn_fallback("fp16", "fp32", "fp16 autocast on the CPU is slow and unsupported by the Trainer")
        return "fp32"
    if requested == "bf16" and not cpu_has_bf16():
        warn_fallback("bf16", "fp32", "this CPU has no native bf16 instructions")
        return "fp32"
    return requested


def cuda_precision(requested: str, capability: tuple[int, int], name: str) -> str:
    """The precision on a CUDA device of compute ``capability``: bf16 only where it is native (8.0 and newer)."""
    native_bf16 = tuple(capability) >= NATIVE_BF16
    if requested == "auto":
        return "bf16" if native_bf16 else "fp16"
    if requested == "bf16" and not native_bf16:
        major, minor = capability
        warn_fallback("bf16", "fp16", f"{name} (compute capability {major}.{minor}) has no native bf16")
        return "fp16"
    return requested


def warn_fallback(requested: str, used: str, why: str) -> None:
    print(f"warning: --precision {requested} falls back to {used}: {why}", file=sys.stderr)


@dataclass(frozen=True)
class Runtime:
    """Where and how a model runs inference: the device, the autocast precision and the batch size.

    Fixed once, when a model is prepared (``prepare``), so that ``encode(texts)`` and ``score(pairs)``
    take only their inputs.
    """

    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    precision: str = "fp32"
    batch_size: int = 64

    @classmethod
    def resolve(cls, device: str = "auto", precision: str = "auto", batch_size: int = 64) -> Runtime:
        """A runtime from the ``--device`` and ``--precision`` flags (``auto`` resolved for this machine)."""
        chosen = resolve_device(device)
        return cls(chosen, resolve_precision(precision, chosen), batch_size)

    def autocast(self) -> contextlib.AbstractContextManager:
        return autocast(self.device, self.precision)

    def describe(self) -> str:
        return f"device {self.device}, {self.precision}"


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager:
    """An autocast context for inference in ``precision`` (a no-op for fp32)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dtype)


def prepare_for_inference(model: torch.nn.Module, device: torch.device, precision: str) -> torch.nn.Module:
    """Move an inference-only model to ``device``; on a CPU in bf16 also cast its weights to bf16.

    Under CPU autocast every linear layer casts its fp32 weights and inputs to bf16 on each call and the
    norms, softmax and activations run in fp32 in between; weights already in bf16 skip both, which
    ``bench/rerank_throughput.py`` measures as faster with the same rankings. CUDA keeps fp32 weights
    under autocast (its casts are cheap). Never use this on a model that is still being trained.
    """
    model.to(device)
    if device.type == "cpu" and precision == "bf16":
        model.to(torch.bfloat16)
    return model
