"""Shared by the test_reliability_* files: CLI flags, a harness that starts CLIs in their own processes (with a
step or a file write slowed down on request), and helpers that read what a run left behind."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import torch

import rerank

ROOT = Path(__file__).resolve().parents[1]
CPU = ["--precision", "fp32", "--device", "cpu"]
DENSE = ["--retriever", "dense"]  # the dense index and the DPR stages are what these tests check
LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]
ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_NUM_THREADS": "1",
}

HARNESS = '''"""Run a CLI script with a slow-down injected, so that a test can interrupt it at a known point."""
import os, runpy, sys, time
if os.environ.get("SLOW_STEP"):  # every training step lasts at least this long
    import training.trainer as trainer
    step_end = trainer.StopOnInterrupt.on_step_end
    def slow_step_end(self, *args, **kwargs):
        time.sleep(float(os.environ["SLOW_STEP"]))
        return step_end(self, *args, **kwargs)
    trainer.StopOnInterrupt.on_step_end = slow_step_end
if os.environ.get("SLOW_INDEX_SAVE"):  # every array of the index waits this long once written
    import numpy as np
    save = np.save
    def slow_save(*args, **kwargs):
        save(*args, **kwargs)
        time.sleep(float(os.environ["SLOW_INDEX_SAVE"]))
    np.save = slow_save
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
'''


# ---------------------------------------------------------------------------------------------
# Helpers and fixtures


def launch(script: str, args: list, workdir: Path | None = None, **env: str) -> subprocess.Popen:
    """Start ``script`` (through the harness when ``env`` asks for a slow-down); output goes to files in workdir."""
    command = [sys.executable, script, *map(str, args)]
    if env:
        command = [sys.executable, str(workdir / "harness.py"), script, *map(str, args)]
        (workdir / "harness.py").write_text(HARNESS, encoding="utf-8")
    if workdir is None:
        return subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stem = Path(script).stem
    with (workdir / f"{stem}.out").open("w") as stdout, (workdir / f"{stem}.err").open("w") as stderr:
        return subprocess.Popen(command, cwd=ROOT, env={**ENV, **env}, stdout=stdout, stderr=stderr, text=True)


def outputs_of(process: subprocess.Popen, workdir: Path | None = None, timeout: float = 300) -> tuple[str, str]:
    """Wait for ``process``; return its (stdout, stderr)."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if workdir is not None:
        name = Path(process.args[2] if "harness.py" in process.args[1] else process.args[1]).stem
        stdout = (workdir / f"{name}.out").read_text(encoding="utf-8")
        stderr = (workdir / f"{name}.err").read_text(encoding="utf-8")
    return stdout, stderr


def run_rerank(*args) -> str:
    """``rerank.main`` in-process; returns what it printed to stdout."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert rerank.main([str(arg) for arg in args]) == 0
    return printed.getvalue()


def built(stdout: str) -> bool:
    assert ("index: built" in stdout) != ("index: reused" in stdout), stdout
    return "index: built" in stdout


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (relative path -> bytes)."""
    return {str(path.relative_to(directory)): path.read_bytes() for path in directory.rglob("*") if path.is_file()}


def tensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(path)


def error_line(stderr: str) -> str:
    """The one ``error:`` line, which must end stderr; no traceback anywhere."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and stderr.rstrip().endswith(errors[0]), stderr
    return errors[0]


def retrieve_args(directory: Path, corpus: Path, queries: Path, *extra) -> list:
    return [
        "--input_directory", directory, "--corpus", corpus, "--queries", queries, "--stages", "retrieve",
        "--top_k_retrieval", "5", "--output_directory", directory / "results", *CPU, *DENSE, *extra,
    ]  # fmt: skip
