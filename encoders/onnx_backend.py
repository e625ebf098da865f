"""ONNX Runtime as the engine of a saved encoder: ``rerank.py --backend onnx``.

The graphs are the shared export of ``encoders/exported_graphs.py``; this module opens them in an ONNX Runtime
session (CPU, or CUDA with ``onnxruntime-gpu``) with torch's thread count. The graphs are fp32, so every
``--precision`` runs as fp32 here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from encoders.exported_graphs import Engine, Runner
from errors import UserError
from runtime import Runtime


def open_session(path: Path, runtime: Runtime) -> Runner:
    """A runner over an ONNX Runtime session of ``path`` on the runtime's device."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    if runtime.device.type == "cuda":
        if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
            raise UserError(
                "--backend onnx: this onnxruntime has no CUDA provider (pip install onnxruntime-gpu), "
                "or use --device cpu or --backend torch"
            )
        providers = [("CUDAExecutionProvider", {"device_id": runtime.device.index or 0})]
    else:
        providers = ["CPUExecutionProvider"]
    session = onnxruntime.InferenceSession(str(path), options, providers=providers)
    names = [item.name for item in session.get_inputs()]

    def run(feed: dict[str, np.ndarray]) -> np.ndarray:
        return session.run(None, {name: feed[name].astype(np.int64, copy=False) for name in names})[0]

    return run


def fp32_runtime(runtime: Runtime) -> Runtime:
    """The runtime the fp32 graphs run under; says so when another precision was chosen."""
    if runtime.precision != "fp32":
        print(f"--backend onnx runs fp32 graphs; --precision {runtime.precision} applies to --backend torch")
    return replace(runtime, precision="fp32")


ENGINE = Engine("onnx", ("onnxruntime",), open_session, fp32_runtime)
