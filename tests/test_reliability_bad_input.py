"""What a user types that cannot work: broken or mismatched models, bad flags and unwritable outputs (exit 2, one
error line, nothing lost), and precisions a device cannot honour (a fallback with a warning)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
import torch
from reliability_helpers import CPU, LENGTHS, error_line, launch, outputs_of, snapshot

import runtime

pytestmark = pytest.mark.usefixtures("single_thread")


# ---------------------------------------------------------------------------------------------
# 1-3. What a user types: broken models, bad flags, an unwritable output directory (all through the CLIs)


def bigger_tokenizer(model: Path, target: Path) -> int:
    """Replace the tokenizer files in ``target`` with the tiny model's tokenizer plus 20 new tokens; its size."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    tokenizer.add_tokens([f"newword{number}" for number in range(20)])
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        (target / name).unlink(missing_ok=True)
    tokenizer.save_pretrained(target)
    return len(tokenizer)


@pytest.fixture(scope="module")
def cli_runs(saved, corpus_file, squad_files, tiny_model, tmp_path_factory) -> dict:
    """Case name -> (script, input directory or None, words the error line must contain, (stdout, stderr), status).

    Every case runs in its own process and all start together (most of their time is importing torch)."""
    base = tmp_path_factory.mktemp("cli")
    data = ["--corpus", corpus_file, "--queries", squad_files["validation"], *CPU, "--top_k_retrieval", "5"]

    def input_copy(name: str) -> Path:
        directory = base / name
        shutil.copytree(saved, directory)
        (directory / "results").mkdir()
        (directory / "results" / "predictions.jsonl").write_text('{"id": "previous"}\n', encoding="utf-8")
        return directory

    missing = input_copy("missing-weights")
    (missing / "bi_encoder" / "question_encoder" / "model.safetensors").unlink()
    truncated = input_copy("truncated-weights")
    weights = truncated / "cross_encoder" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    mismatched = input_copy("mismatched-tokenizer")
    with contextlib.redirect_stderr(io.StringIO()):
        tokens = bigger_tokenizer(tiny_model, mismatched / "cross_encoder")
    regular_file = base / "a-file"
    regular_file.write_text("not a directory\n", encoding="utf-8")
    unwritable = input_copy("unwritable")
    cuda_output = base / "cuda-output"
    train_args = ["--encoder", "bi", "--model", tiny_model, "--train_data", squad_files["train"], *LENGTHS]
    cases = {
        "missing weights": (
            "rerank.py", missing, ["--input_directory", missing, *data],
            ["--input_directory", str(missing / "bi_encoder" / "question_encoder"), "cannot load"],
        ),
        "truncated weights": (
            "rerank.py", truncated, ["--input_directory", truncated, *data],
            ["--input_directory", str(truncated / "cross_encoder"), "cannot load", "damaged or incomplete"],
        ),
        "tokenizer of another model": (
            "rerank.py", mismatched, ["--input_directory", mismatched, *data],
            [str(mismatched / "cross_encoder"), f"{tokens} tokens", f"only {tokens - 20}", "do not belong together"],
        ),
        "output under a file": (
            "rerank.py", unwritable,
            ["--input_directory", unwritable, *data, "--output_directory", regular_file / "out"],
            ["--output_directory", str(regular_file / "out"), "cannot write"],
        ),
        "negative top_k": ("rerank.py", None, ["--top_k", "-1"], ["--top_k", "-1"]),
        "zero batch_size": ("rerank.py", None, ["--batch_size", "0"], ["--batch_size", "0"]),
        "zero rerank_windows": (
            "rerank.py", None, ["--rerank_windows", "0"],
            ["--rerank_windows", "expected auto, all or a positive integer"],
        ),
        "zero epochs": ("train.py", None, [*train_args, "--epochs", "0"], ["--epochs", "0"]),
        "negative stride": ("train.py", None, [*train_args, "--stride", "-1"], ["--stride", "-1"]),
    }  # fmt: skip
    if not torch.cuda.is_available():
        cases["cuda without CUDA"] = (
            "train.py", None, [*train_args, "--device", "cuda", "--output_directory", cuda_output],
            ["--device cuda", "CUDA is not available"],
        )  # fmt: skip
    before = {name: snapshot(case[1]) for name, case in cases.items() if case[1] is not None}
    started = {name: launch(script, args) for name, (script, _, args, _) in cases.items()}
    results = {}
    for name, process in started.items():
        script, directory, _, words = cases[name]
        output = outputs_of(process)
        results[name] = (directory, words, output, process.returncode, before.get(name))
    assert not cuda_output.exists()  # refused before anything was written
    assert regular_file.read_text(encoding="utf-8") == "not a directory\n"
    return results


@pytest.mark.parametrize(
    "case",
    [
        "missing weights",
        "truncated weights",
        "tokenizer of another model",
        "output under a file",
        "negative top_k",
        "zero batch_size",
        "zero rerank_windows",
        "zero epochs",
        "negative stride",
        "cuda without CUDA",
    ],
)
def test_bad_model_or_flag_exits_2_with_one_line(cli_runs, case):
    if case not in cli_runs:
        pytest.skip("this machine has CUDA")
    directory, words, (_, stderr), status, before = cli_runs[case]
    assert status == 2, stderr
    line = error_line(stderr)
    for word in words:
        assert word in line, line
    if directory is not None:  # nothing written, nothing lost: no index, the previous results untouched
        assert snapshot(directory) == before


# ---------------------------------------------------------------------------------------------
# 2. Precision a device cannot honour: a fallback with a warning naming the precision used


def test_bf16_on_a_cpu_without_it_falls_back_to_fp32(monkeypatch, capsys):
    monkeypatch.setattr(runtime, "cpu_has_bf16", lambda: False)
    assert runtime.resolve_precision("bf16", torch.device("cpu")) == "fp32"
    assert capsys.readouterr().err.strip() == (
        "warning: --precision bf16 falls back to fp32: this CPU has no native bf16 instructions"
    )
    assert runtime.resolve_precision("auto", torch.device("cpu")) == "fp32"
    assert capsys.readouterr().err == ""  # auto picks without a warning
    monkeypatch.setattr(runtime, "cpu_has_bf16", lambda: True)
    assert runtime.resolve_precision("bf16", torch.device("cpu")) == "bf16"
    assert runtime.resolve_precision("auto", torch.device("cpu")) == "bf16"
    assert capsys.readouterr().err == ""


def test_bf16_on_a_gpu_without_it_falls_back_to_fp16(capsys):
    assert runtime.cuda_precision("bf16", (7, 5), "Tesla T4") == "fp16"
    assert capsys.readouterr().err.strip() == (
        "warning: --precision bf16 falls back to fp16: Tesla T4 (compute capability 7.5) has no native bf16"
    )
    assert runtime.cuda_precision("auto", (7, 5), "Tesla T4") == "fp16"


def test_fp16_on_the_cpu_falls_back_to_fp32(capsys):
    assert runtime.resolve_precision("fp16", torch.device("cpu")) == "fp32"
    warning = capsys.readouterr().err.strip()
    assert warning.startswith("warning: --precision fp16 falls back to fp32: ") and "\n" not in warning
