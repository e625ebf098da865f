"""OpenVINO as the engine of a saved encoder: ``rerank.py --backend openvino`` (CPU only).

The graphs are the shared ONNX export of ``encoders/exported_graphs.py``, which OpenVINO reads as they are and
compiles for this CPU with torch's thread count. Its precision follows ``--precision``: bf16 where the runtime
chose bf16 (``auto`` on a CPU with native bf16), else fp32; OpenVINO's own default would be bf16 on such CPUs
even for an fp32 request, so the hint is always set.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from encoders.exported_graphs import Engine, Runner
from errors import UserError
from runtime import Runtime


def compile_graph(path: Path, runtime: Runtime) -> Runner:
    """A runner over ``path`` compiled by OpenVINO for the CPU, in the runtime's precision."""
    import openvino

    config = {
        "INFERENCE_NUM_THREADS": torch.get_num_threads(),
        "INFERENCE_PRECISION_HINT": "bf16" if runtime.precision == "bf16" else "f32",
        "PERFORMANCE_HINT": "LATENCY",
    }
    compiled = openvino.Core().compile_model(str(path), "CPU", config)
    request = compiled.create_infer_request()
    names = [port.get_any_name() for port in compiled.inputs]
    output = compiled.output(0)

    def run(feed: dict[str, np.ndarray]) -> np.ndarray:
        return np.array(request.infer({name: feed[name].astype(np.int64, copy=False) for name in names})[output])

    return run


def cpu_runtime(runtime: Runtime) -> Runtime:
    """The runtime OpenVINO runs under here: the CPU, in bf16 or fp32."""
    if runtime.device.type != "cpu":
        raise UserError(f"--backend openvino runs on the CPU; use --device cpu, or --backend torch on {runtime.device}")
    return runtime if runtime.precision in ("fp32", "bf16") else replace(runtime, precision="fp32")


ENGINE = Engine("openvino", ("openvino",), compile_graph, cpu_runtime)
