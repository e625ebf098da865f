"""What only a machine with CUDA can show: the device and precision choices, fp16/bf16 inference and training,
and DDP over nccl. Skipped without a CUDA device; ``make gpu-check`` (``bench/gpu_check.py``) runs them first.

Written before this project had a GPU at hand: the CPU tests cover the same code paths with the device and the
capability faked; these check what faking cannot (kernels, autocast dtypes, nccl)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import distributed_helpers
import numpy as np
import pytest
import torch

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device (make gpu-check runs these)"),
]

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
TEXTS = ["what dulamo and kesiva ?", "the tarino of bovela was in the north", "a short one", "ri " * 40]


def test_auto_is_the_first_gpu_in_its_native_precision():
    from runtime import Runtime

    runtime = Runtime.resolve("auto", "auto")
    assert runtime.device.type == "cuda"
    native_bf16 = torch.cuda.get_device_capability(0) >= (8, 0)
    assert runtime.precision == ("bf16" if native_bf16 else "fp16")


def test_a_gpu_past_the_last_is_one_line():
    from errors import UserError
    from runtime import resolve_device

    count = torch.cuda.device_count()
    with pytest.raises(UserError, match=f"this machine has {count} CUDA"):
        resolve_device(f"cuda:{count}")


@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16"])
def test_gpu_inference_agrees_with_the_cpu(saved, precision):
    """The same saved encoders on the GPU under autocast and on the CPU in fp32: embeddings point the same way
    and the reranker's scores order the same pairs alike."""
    from encoders.bi_encoder import BiEncoder
    from encoders.cross_encoder import CrossEncoder
    from runtime import Runtime

    if precision == "bf16" and torch.cuda.get_device_capability(0) < (8, 0):
        pytest.skip("no native bf16 on this GPU")
    cpu, gpu = Runtime(torch.device("cpu"), "fp32"), Runtime(torch.device("cuda", 0), precision)
    bi = BiEncoder.load(saved / "bi_encoder")
    on_cpu = bi.prepare(cpu).encode(TEXTS, "passage")
    on_gpu = bi.prepare(gpu).encode(TEXTS, "passage")
    cosine = (on_cpu * on_gpu).sum(1) / np.linalg.norm(on_cpu, axis=1) / np.linalg.norm(on_gpu, axis=1)
    assert cosine.min() > 0.99
    cross = CrossEncoder.load(saved / "cross_encoder")
    questions = [TEXTS[0]] * len(TEXTS)
    scores_cpu = cross.prepare(cpu).score(questions, TEXTS)
    scores_gpu = cross.prepare(gpu).score(questions, TEXTS)
    tolerance = 1e-4 if precision == "fp32" else 3e-2
    np.testing.assert_allclose(scores_gpu, scores_cpu, atol=tolerance * max(1.0, float(np.abs(scores_cpu).max())))


def train(tiny_model, squad_files, output: Path, *launch_and_flags: str) -> Path:
    argv = [*launch_and_flags, "--model", str(tiny_model), "--output_directory", str(output)]
    argv += ["--train_data", str(squad_files["train"]), "--max_query_length", "16", "--max_passage_length", "64"]
    argv += ["--stride", "16", "--quiet", "--no_weight_tuning", "--lr", "1e-3", "--max_steps", "6"]
    argv += ["--logging_steps", "1", "--save_steps", "100000", "--train_batch_size", "4"]
    completed = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return output


def logged_losses(directory: Path) -> list[float]:
    lines = [json.loads(line) for line in (directory / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    return [line["loss"] for line in lines if "loss" in line]


@pytest.mark.parametrize("encoder", ["bi", "cross"])
@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_half_precision_training_on_the_gpu(tiny_model, squad_files, tmp_path, encoder, precision):
    if precision == "bf16" and torch.cuda.get_device_capability(0) < (8, 0):
        pytest.skip("no native bf16 on this GPU")
    launch = [sys.executable, "train.py", "--encoder", encoder, "--device", "cuda", "--precision", precision]
    directory = train(tiny_model, squad_files, tmp_path, *launch) / f"{encoder}_encoder"
    record = json.loads((directory / "train_config.json").read_text(encoding="utf-8"))
    assert record["precision_used"] == precision
    losses = logged_losses(directory)
    assert len(losses) == 6 and all(np.isfinite(losses))


def test_torchrun_on_every_gpu_uses_nccl(tiny_model, squad_files, tmp_path):
    """Every GPU present, one rank each: the Trainer's DDP over nccl, with cross-device negatives."""
    count = torch.cuda.device_count()
    launch = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(count)]
    launch += ["train.py", "--encoder", "bi", "--device", "auto", "--precision", "auto"]
    directory = train(tiny_model, squad_files, tmp_path, *launch) / "bi_encoder"
    record = json.loads((directory / "train_config.json").read_text(encoding="utf-8"))
    assert record["world_size"] == count and record["negatives_cross_device"] is True
    assert all(np.isfinite(logged_losses(directory)))


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="nccl between ranks needs two GPUs")
def test_two_gpus_equal_one_process_on_the_whole_batch(tmp_path):
    """``tests/test_distributed.py``'s exactness check, over nccl on two GPUs."""
    distributed_helpers.run_ranks(distributed_helpers.rank_main, 2, str(tmp_path), 0, True, "nccl")
    reference = distributed_helpers.one_process()
    for rank in range(2):
        result = json.loads((tmp_path / f"rank{rank}.json").read_text(encoding="utf-8"))
        assert result["loss"] == pytest.approx(reference["loss"], abs=1e-4)
        for name, gradient in reference["gradients"].items():
            torch.testing.assert_close(
                torch.tensor(result["gradients"][name]), torch.tensor(gradient), atol=1e-4, rtol=0
            )


def test_faiss_indexes_on_a_cuda_run_find_what_the_cpu_finds(tmp_path):
    """With a GPU faiss installed, flat and IVF-PQ search on the GPU and agree with the CPU index; with faiss-cpu
    (requirements.txt), the run says so in one line and searches on the CPU."""
    from retrieval.faiss_gpu import has_gpu_faiss
    from retrieval.faiss_index import FaissIndex, FaissOptions

    rng = np.random.default_rng(0)
    owners = np.repeat(np.arange(2000), 2)
    vectors, queries = rng.standard_normal((4000, 64), dtype=np.float32), rng.standard_normal((50, 64), dtype="f4")
    options, ids = FaissOptions(nprobe=8), [f"p{i}" for i in range(2000)]
    for factory in ("Flat", "IVF64,PQ16x8"):
        FaissIndex.build(vectors, owners, ids, "f", factory, options).save(tmp_path / factory)
        on_cpu = FaissIndex.load(tmp_path / factory, "f", options)
        on_gpu = FaissIndex.load(tmp_path / factory, "f", options, device="cuda")
        assert (on_gpu.gpu is not None) == has_gpu_faiss()
        found, expected = on_gpu.search_positions(queries, 100)[1], on_cpu.search_positions(queries, 100)[1]
        overlap = np.mean([len(set(a) & set(b)) / 100 for a, b in zip(found, expected)])
        assert overlap == 1.0 if factory == "Flat" else overlap > 0.9, (factory, overlap)
