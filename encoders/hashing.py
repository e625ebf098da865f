"""BPR's hash layer (Yamada, Asai & Hajishirzi 2021, "Efficient Passage Retrieval with Hashing for Open-domain
Question Answering"): a bi-encoder vector becomes a binary code, one bit per dimension.

There are no new weights: the code is the sign of the pooled vector, so a binary bi-encoder saves and loads like
any other and its float vectors stay usable. Training cannot back-propagate through a sign, so it uses
``tanh(scale * v)`` instead, with ``scale = sqrt(1 + gamma * step)`` growing with the optimizer step (the
HashNet schedule BPR uses): early on the codes are soft, later they are close to the signs that inference uses.

One definition of the bit for every path: bit 1 where the vector is > 0, else 0; as a ±1 code, +1 and -1.
"""

from __future__ import annotations

import math

import numpy as np
import torch

HASHNET_GAMMA = 0.1  # BPR's default slope growth


def hash_scale(step: int, gamma: float = HASHNET_GAMMA) -> float:
    """The slope of the training-time tanh at optimizer step ``step``."""
    return math.sqrt(1.0 + gamma * step)


def soft_codes(vectors: torch.Tensor, scale: float) -> torch.Tensor:
    """The differentiable stand-in for the codes during training, in (-1, 1)."""
    return torch.tanh(vectors.float() * scale)


def sign_codes(vectors: np.ndarray) -> np.ndarray:
    """±1 float32 codes of float vectors."""
    return np.where(np.asarray(vectors) > 0, 1.0, -1.0).astype(np.float32)


def pack_codes(vectors: np.ndarray) -> np.ndarray:
    """[N, D] float vectors -> [N, ceil(D / 8)] uint8, eight bits a byte (FAISS's binary layout)."""
    return np.packbits(np.asarray(vectors) > 0, axis=1)


def unpack_codes(packed: np.ndarray, dimension: int) -> np.ndarray:
    """[N, ceil(D / 8)] uint8 -> [N, D] ±1 float32 codes."""
    bits = np.unpackbits(np.asarray(packed), axis=1, count=dimension)
    return bits.astype(np.float32) * 2.0 - 1.0
