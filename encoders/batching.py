"""Fast inference over many texts: tokenize once, sort by length, pad each batch only to its longest.

Used by both encoders. Sorting by length means a batch of short passages is never
padded to the length of a long one; ``inference_mode`` and autocast cut the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from runtime import Runtime


def tokenize(tokenizer, texts: Sequence[str], pairs: Sequence[str] | None = None, max_length: int = 512) -> dict:
    """Token ids of every text (or text pair), truncated, without padding."""
    if not len(texts):  # fast tokenizers fail on an empty batch
        return {"input_ids": [], "attention_mask": []}
    return tokenizer(
        list(texts),
        None if pairs is None else list(pairs),
        truncation="longest_first" if pairs is not None else True,
        max_length=max_length,
        padding=False,
    )


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Index batches, longest first, so every batch holds texts of similar length."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def pad_batch(tokenizer, encodings: dict, indices: np.ndarray, device: torch.device) -> dict[str, torch.Tensor]:
    features = [{key: values[i] for key, values in encodings.items()} for i in indices]
    padded = tokenizer.pad(features, padding=True, return_tensors="pt")
    return {key: value.to(device, non_blocking=True) for key, value in padded.items()}


def run_batched(
    tokenizer,
    encodings: dict,
    forward: Callable[[dict[str, torch.Tensor]], torch.Tensor],
    runtime: Runtime,
    description: str = "",
    unit: str = "it",
) -> np.ndarray:
    """Apply ``forward`` to length-sorted, dynamically padded batches; results in input order (float32)."""
    lengths = [len(ids) for ids in encodings["input_ids"]]
    results: np.ndarray | None = None
    with (
        torch.inference_mode(),
        runtime.autocast(),
        tqdm(total=len(lengths), desc=description, unit=unit, disable=not description, leave=False) as bar,
    ):
        for indices in length_sorted_batches(lengths, runtime.batch_size):
            output = forward(pad_batch(tokenizer, encodings, indices, runtime.device)).float().cpu().numpy()
            if results is None:
                results = np.empty((len(lengths),) + output.shape[1:], dtype=np.float32)
            results[indices] = output
            bar.update(len(indices))
    if results is None:
        return np.empty((0,), dtype=np.float32)
    return results
