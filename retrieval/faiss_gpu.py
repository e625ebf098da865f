"""A GPU copy of a loaded FAISS index, for runs on CUDA where the installed faiss has GPU support (the
``faiss-gpu-cu12`` wheel or conda's ``faiss-gpu``; the ``faiss-cpu`` of requirements.txt has none).

The saved index stays on disk and in host memory as before; the copy only searches. Three cases keep the CPU
index: HNSW (FAISS has no GPU graph index), a search deeper than the GPU's selection limit (``GPU_MAX_K``),
and an index the GPU cloner refuses (it names what it does not support). IVF-PQ is copied with float16
lookup tables, which FAISS's GPU kernels need for the longer codes (more than 48 bytes a vector); the flat
index keeps float32 storage, so its search stays exact.
"""

from __future__ import annotations

import sys

import faiss
import torch

# The most neighbours (k) and lists probed (nprobe) one faiss GPU search can select (faiss 1.7.3 and later).
GPU_MAX_K = 2048


def has_gpu_faiss() -> bool:
    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


class GpuCopy:
    """The index on one GPU, with the resources it allocates from (they must live as long as the copy)."""

    def __init__(self, index: faiss.Index, device: torch.device):
        ivf = faiss.try_extract_index_ivf(index)
        options = faiss.GpuClonerOptions()
        # For IVF-PQ, float16 lookup tables; for a flat index it would mean float16 storage, so not there.
        options.useFloat16 = ivf is not None and isinstance(faiss.downcast_index(ivf), faiss.IndexIVFPQ)
        self.resources = faiss.StandardGpuResources()
        self.index = faiss.index_cpu_to_gpu(self.resources, device.index or 0, index, options)
        self.probes = faiss.GpuParameterSpace()

    def set_nprobe(self, nprobe: int) -> None:
        self.probes.set_index_parameter(self.index, "nprobe", min(nprobe, GPU_MAX_K))


def gpu_copy(index: faiss.Index, device: torch.device) -> GpuCopy | None:
    """The index copied onto ``device`` when that is a CUDA device and faiss can search there, else None (with a
    one-line note saying why, where the run asked for a GPU)."""
    if device.type != "cuda":
        return None
    if not has_gpu_faiss():
        note("this faiss has no GPU support, so the FAISS index is searched on the CPU (pip install faiss-gpu-cu12)")
        return None
    if hasattr(index, "hnsw"):
        note("FAISS has no GPU HNSW index, so --index hnsw is searched on the CPU")
        return None
    try:
        return GpuCopy(index, device)
    except RuntimeError as refused:
        message = str(refused).strip()
        reason = message.splitlines()[-1] if message else type(refused).__name__
        note(f"faiss cannot copy this {type(index).__name__} to the GPU ({reason}); it is searched on the CPU")
        return None
