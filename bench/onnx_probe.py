"""ONNX Runtime as a candidate inference engine for the cross-encoder: measured, not offered by rerank.py.

A saved cross-encoder is exported once with ``torch.onnx.export`` (fp32) and, for the int8 row, quantized by
``onnxruntime.quantization.quantize_dynamic`` (int8 weights, activations quantized per batch). Pairs go through
the project's own tokenization and length-sorted, dynamically padded batches (``encoders.batching.run_batched``),
so that only the engine differs from the torch rows beside it. Without ``onnxruntime`` and ``onnxscript``
(requirements-dev.txt) the rows are left out with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

OPSET = 17


def available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export(encoder, directory: Path) -> Path:
    """The encoder's model as ``directory/model.onnx`` (batch and sequence axes dynamic)."""
    import torch

    path = directory / "model.onnx"
    names = ["input_ids", "attention_mask", *(["token_type_ids"] if encoder.model.config.type_vocab_size > 1 else [])]
    sample = encoder.tokenizer(["a question"], ["a passage"], return_tensors="pt")
    inputs = tuple(sample[name] for name in names)
    axes = {name: {0: "batch", 1: "sequence"} for name in names}

    class Logits(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model(**dict(zip(names, tensors))).logits

    model = Logits(encoder.model.float().eval())
    torch.onnx.export(
        model, inputs, str(path), input_names=names, output_names=["logits"], opset_version=OPSET,
        dynamic_axes={**axes, "logits": {0: "batch"}}, dynamo=False,
    )  # fmt: skip
    return path


def quantized(path: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = path.with_name("model.int8.onnx")
    quantize_dynamic(str(path), str(target), weight_type=QuantType.QInt8)
    return target


def scorer(path: Path, encoder, questions: list[str], passages: list[str], threads: int) -> Callable[[], np.ndarray]:
    """A callable that scores the pairs with an ONNX Runtime session over ``path``, batched as the project does."""
    import onnxruntime
    import torch

    from encoders.batching import run_batched, tokenize
    from runtime import Runtime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = [item.name for item in session.get_inputs()]
    runtime = Runtime(precision="fp32", batch_size=64)

    def forward(batch: dict) -> torch.Tensor:
        feed = {name: batch[name].numpy().astype(np.int64) for name in names}
        return torch.from_numpy(session.run(["logits"], feed)[0][:, 0])

    def run() -> np.ndarray:
        encodings = tokenize(encoder.tokenizer, questions, passages, max_length=encoder.settings.max_pair_length)
        return run_batched(encoder.tokenizer, encodings, forward, runtime)

    return run
