"""Reliability: broken models, flags a device cannot honour, full disks, interrupted runs, stale caches, safety
and determinism.

What a user types is checked through the CLIs in their own processes (exit status 2, one ``error:`` line naming the
flag or file, no traceback, nothing already written lost). Failures that cannot be caused from outside (a disk that
fills up half-way through a save) are injected in-process with ``monkeypatch``. Interruptions are real signals sent
to real processes; a small harness slows a step or a file write down so that the signal lands where it should.
Models are the tiny random BERT of ``conftest.py``, saved untrained as train.py saves them.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import file_utils
import rerank
import runtime
import train
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from errors import run_cli
from file_utils import atomic_file, write_json
from retrieval.dense import DenseIndex

pytestmark = pytest.mark.usefixtures("single_thread")

ROOT = Path(__file__).resolve().parents[1]
CPU = ["--precision", "fp32", "--device", "cpu"]
DENSE = ["--retriever", "dense"]  # the dense index and the DPR stages are what these tests check
LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]
SETTINGS = {"max_query_length": 16, "max_passage_length": 64, "stride": 16}
ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_NUM_THREADS": "1",
    "PROJECT_ROOT": str(ROOT),
}

HARNESS = '''"""Run a CLI script with a slow-down injected, so that a test can interrupt it at a known point."""
import os, runpy, sys, time
sys.path.insert(0, os.environ["PROJECT_ROOT"])
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


def wait_until(condition, process: subprocess.Popen, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended (status {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


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


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def error_line(stderr: str) -> str:
    """The one ``error:`` line, which must end stderr; no traceback anywhere."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and stderr.rstrip().endswith(errors[0]), stderr
    return errors[0]


@pytest.fixture
def input_directory(saved, tmp_path) -> Path:
    """A private copy of ``saved`` with a previous run's results in it."""
    directory = tmp_path / "input"
    shutil.copytree(saved, directory)
    (directory / "results").mkdir()
    (directory / "results" / "predictions.jsonl").write_text('{"id": "from a previous run"}\n', encoding="utf-8")
    return directory


def retrieve_args(directory: Path, corpus: Path, queries: Path, *extra) -> list:
    return [
        "--input_directory", directory, "--corpus", corpus, "--queries", queries, "--stages", "retrieve",
        "--top_k_retrieval", "5", "--output_directory", directory / "results", *CPU, *DENSE, *extra,
    ]  # fmt: skip


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


def test_bf16_on_a_gpu_without_it_falls_back_to_fp16(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: False)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *args: "Tesla T4")
    assert runtime.resolve_precision("bf16", torch.device("cuda")) == "fp16"
    assert capsys.readouterr().err.strip() == "warning: --precision bf16 falls back to fp16: Tesla T4 lacks bf16"
    assert runtime.resolve_precision("auto", torch.device("cuda")) == "fp16"


def test_fp16_on_the_cpu_falls_back_to_fp32(capsys):
    assert runtime.resolve_precision("fp16", torch.device("cpu")) == "fp32"
    warning = capsys.readouterr().err.strip()
    assert warning.startswith("warning: --precision fp16 falls back to fp32: ") and "\n" not in warning


# ---------------------------------------------------------------------------------------------
# 3. A disk that fills up while saving: the previous result stays whole, no temporary files stay behind


@pytest.mark.parametrize("kind", ["bi", "cross"])
def test_disk_full_while_saving_an_encoder_keeps_the_previous_one(kind, saved, tmp_path, monkeypatch):
    target = tmp_path / f"{kind}_encoder"
    shutil.copytree(saved / f"{kind}_encoder", target)
    (target / "log.jsonl").write_text('{"step": 1, "loss": 2.0}\n', encoding="utf-8")  # kept across saves
    before = snapshot(target)
    with contextlib.redirect_stderr(io.StringIO()):
        encoder = (BiEncoder if kind == "bi" else CrossEncoder).load(target)
    # The weights are written (of the first encoder, for the bi-encoder), then the tokenizer meets a full disk.
    monkeypatch.setattr(type(encoder.tokenizer), "save_pretrained", disk_full)
    with pytest.raises(OSError) as raised, contextlib.redirect_stderr(io.StringIO()):
        if kind == "bi":
            encoder.save(target, {**SETTINGS, "new": True}, 64)
        else:
            encoder.save(target, {**SETTINGS, "new": True})
    assert raised.value.errno == errno.ENOSPC
    assert snapshot(target) == before
    assert [path.name for path in tmp_path.iterdir()] == [target.name]  # no staging or retired directory


def test_disk_full_while_saving_the_index_keeps_the_previous_one(tmp_path, monkeypatch):
    directory = tmp_path / "dense"
    old = DenseIndex(np.arange(12, dtype=np.float16).reshape(4, 3), np.array([0, 0, 1, 2]), ["a", "b", "c"], "old")
    old.save(directory)
    before = snapshot(directory)
    real_save, calls = np.save, []

    def fills_up_on_the_second_array(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            disk_full()
        real_save(*args, **kwargs)

    monkeypatch.setattr(np, "save", fills_up_on_the_second_array)
    new = DenseIndex(np.ones((5, 3), np.float16), np.arange(5), list("abcde"), "new")
    with pytest.raises(OSError) as raised:
        new.save(directory)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(directory)
    assert len(calls) == 2
    monkeypatch.undo()
    assert snapshot(directory) == before
    assert [path.name for path in tmp_path.iterdir()] == ["dense"]
    loaded = DenseIndex.load(directory, "old")
    assert loaded is not None and loaded.passage_ids == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded.embeddings, old.embeddings)
    assert DenseIndex.load(directory, "new") is None


def test_disk_full_in_atomic_file_keeps_the_old_content(tmp_path, monkeypatch):
    path = tmp_path / "metrics.json"
    path.write_text('{"old": true}\n', encoding="utf-8")
    with pytest.raises(OSError) as raised:  # the disk fills up half-way through writing
        with atomic_file(path) as handle:
            handle.write('{"new": ')
            disk_full()
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
    monkeypatch.setattr(file_utils.os, "fsync", disk_full)  # or when the data is flushed to the disk
    with pytest.raises(OSError) as raised:
        write_json(path, {"new": True})
    assert raised.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [entry.name for entry in tmp_path.iterdir()] == ["metrics.json"]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/out/model.safetensors"),
         "error: cannot write /out/model.safetensors: No space left on device"),
        (OSError(errno.ENOSPC, "No space left on device"), "error: cannot write: No space left on device"),
        (OSError(errno.EROFS, "Read-only file system", "/out/x"), "error: cannot write /out/x: Read-only file system"),
        (PermissionError(errno.EACCES, "Permission denied", "/data/corpus.jsonl"),
         "error: /data/corpus.jsonl: Permission denied"),
    ],
)  # fmt: skip
def test_environment_os_errors_become_one_line(error, expected, capsys):
    def main(argv):
        raise error

    assert run_cli(main, []) == 2
    assert capsys.readouterr().err == expected + "\n"


def test_other_os_errors_keep_their_traceback():
    def main(argv):
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(OSError):
        run_cli(main, [])


def test_disk_full_during_rerank_is_one_line_and_keeps_the_previous_results(
    input_directory, corpus_file, squad_files, monkeypatch, capsys
):
    args = retrieve_args(input_directory, corpus_file, squad_files["validation"])
    run_rerank(*args)
    results = input_directory / "results"
    before = snapshot(results)
    capsys.readouterr()
    monkeypatch.setattr(file_utils.os, "fsync", disk_full)
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_cli(rerank.main, [str(arg) for arg in args]) == 2
    line = error_line(capsys.readouterr().err)
    assert line == f"error: cannot write {results / 'predictions.jsonl'}: No space left on device"
    assert snapshot(results) == before
    assert not [path for path in results.iterdir() if path.name.startswith(".")]


def test_disk_full_while_train_saves_keeps_the_previous_model(saved, tiny_model, squad_files, tmp_path, monkeypatch):
    import encoders.bi_encoder

    shutil.copytree(saved / "bi_encoder", tmp_path / "bi_encoder")
    model_files = ("question_encoder", "passage_encoder", "train_config.json")  # the log is the new run's
    before = {key: value for key, value in snapshot(tmp_path / "bi_encoder").items() if key.startswith(model_files)}
    # The first encoder's weights and tokenizer are written, then the disk is full.
    monkeypatch.setattr(encoders.bi_encoder, "write_sentence_transformers_config", disk_full)
    argv = ["--encoder", "bi", "--model", str(tiny_model), "--train_data", str(squad_files["validation"])]
    argv += ["--output_directory", str(tmp_path), "--max_steps", "1", "--quiet", "--save_steps", "100", *CPU, *LENGTHS]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as stderr:
        assert run_cli(train.main, argv) == 2
    line = error_line(stderr.getvalue())
    assert line.startswith("error: cannot write ") and line.endswith(": No space left on device")
    after = snapshot(tmp_path / "bi_encoder")
    assert {key: value for key, value in after.items() if key.startswith(model_files)} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bi_encoder"]


# ---------------------------------------------------------------------------------------------
# 4. Interruptions: SIGKILL and SIGINT during training, SIGKILL while rerank.py writes the index


def interrupt_flags(tiny_model: Path, squad_files: dict, output: Path) -> list:
    return [
        "--encoder", "bi", "--model", tiny_model, "--train_data", squad_files["validation"], "--output_directory",
        output, *CPU, *LENGTHS, "--quiet", "--train_batch_size", "4", "--save_steps", "2", "--max_steps", "8",
        "--logging_steps", "1", "--seed", "3",
    ]  # fmt: skip


def complete_checkpoints(checkpoints: Path) -> list[int]:
    found = checkpoints.glob("checkpoint-*")
    return sorted(int(path.name.split("-")[1]) for path in found if (path / "trainer_state.json").is_file())


@pytest.fixture(scope="module")
def interrupted(tiny_model, squad_files, tmp_path_factory) -> dict[str, tuple]:
    """Three runs of the same 8 steps, side by side: undisturbed, SIGKILLed after a checkpoint, and SIGINTed after
    one (those two with steps slowed to 0.5 s, so the signal lands mid-run). Name -> (output, stdout, stderr, status).
    """
    base = tmp_path_factory.mktemp("interrupted")
    runs = {}
    for name in ("reference", "killed", "sigint"):
        (base / name).mkdir()
        slow = {} if name == "reference" else {"SLOW_STEP": "0.5"}
        output = base / name / "save"
        runs[name] = (output, launch("train.py", interrupt_flags(tiny_model, squad_files, output), base / name, **slow))
    results = {}
    try:
        for name, sig in (("killed", signal.SIGKILL), ("sigint", signal.SIGINT)):
            output, process = runs[name]
            checkpoints = output / "bi_encoder" / "checkpoints"
            wait_until(lambda: complete_checkpoints(checkpoints) != [], process, "the first checkpoint")  # noqa: B023
            process.send_signal(sig)
        for name, (output, process) in runs.items():
            stdout, stderr = outputs_of(process, output.parent)
            results[name] = (output, stdout, stderr, process.returncode)
    finally:
        for _, process in runs.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


def test_sigkill_between_checkpoints_then_resume_gives_the_uninterrupted_weights(interrupted, tiny_model, squad_files):
    reference, _, stderr, status = interrupted["reference"]
    assert status == 0, stderr
    output, _, _, status = interrupted["killed"]
    assert status == -signal.SIGKILL
    bi_encoder = output / "bi_encoder"
    checkpoints = bi_encoder / "checkpoints"
    last = complete_checkpoints(checkpoints)[-1]
    assert last < 8 and not (bi_encoder / "train_config.json").exists()
    # A kill while the next checkpoint was written leaves its weights without trainer_state.json (written last).
    partial = checkpoints / f"checkpoint-{last + 2}"
    partial.mkdir(exist_ok=True)
    if not (partial / "model.safetensors").exists():
        shutil.copy(checkpoints / f"checkpoint-{last}" / "model.safetensors", partial)

    stdout, stderr = outputs_of(launch("train.py", [*interrupt_flags(tiny_model, squad_files, output), "--resume"]))
    assert "Traceback" not in stderr and f"resuming from {checkpoints / f'checkpoint-{last}'}" in stdout, stderr
    assert f"{partial} is incomplete" in stderr
    for name in ("question_encoder", "passage_encoder"):
        expected = tensors(reference / "bi_encoder" / name / "model.safetensors")
        resumed = tensors(bi_encoder / name / "model.safetensors")
        assert resumed.keys() == expected.keys()
        for key, tensor in expected.items():
            assert torch.equal(resumed[key], tensor), f"{name}/{key}: {(resumed[key] - tensor).abs().max()}"
    assert json.loads((bi_encoder / "train_config.json").read_text(encoding="utf-8"))["resume"] is True


def test_sigint_saves_a_checkpoint_and_exits_130(interrupted):
    output, stdout, stderr, status = interrupted["sigint"]
    assert status == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted: saving a checkpoint after this step" in stdout
    last_line = stderr.strip().splitlines()[-1]
    match = re.fullmatch(
        r"interrupted: checkpoint saved in (\S+); add --resume to the same command to continue", last_line
    )
    assert match, stderr
    checkpoint = Path(match.group(1))
    assert checkpoint.parent == output / "bi_encoder" / "checkpoints"
    state = json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
    assert checkpoint.name == f"checkpoint-{state['global_step']}" and state["global_step"] < 8
    assert (checkpoint / "model.safetensors").is_file()
    assert not (output / "bi_encoder" / "train_config.json").exists()  # an interrupted run is no finished model


@pytest.mark.parametrize(("step", "stops"), [(5, True), (8, False)])
def test_sigint_stops_a_run_only_before_its_last_step(step, stops):
    """A Ctrl-C during the last step (or the final validation) must not throw the finished run away."""
    from types import SimpleNamespace

    from training.run import run_trainer

    state = SimpleNamespace(global_step=step, max_steps=8, log_history=[{"eval_top1": 0.5}])
    trainer = SimpleNamespace(train=lambda **kwargs: None, state=state, args=SimpleNamespace(output_dir="c"))
    interrupt = SimpleNamespace(interrupted=True)
    if stops:
        with pytest.raises(KeyboardInterrupt, match=f"checkpoint saved in {Path('c', 'checkpoint-5')}; add --resume"):
            run_trainer(trainer, None, interrupt)
    else:
        assert run_trainer(trainer, None, interrupt) == {"eval_top1": 0.5}


def test_rerank_killed_while_writing_the_index_rebuilds_it(saved, corpus_file, squad_files, tmp_path):
    queries = squad_files["validation"]
    clean = tmp_path / "clean"
    shutil.copytree(saved / "bi_encoder", clean / "bi_encoder")
    assert built(run_rerank(*retrieve_args(clean, corpus_file, queries)))
    expected = read_jsonl(clean / "results" / "predictions.jsonl")

    victim = tmp_path / "victim"
    shutil.copytree(saved / "bi_encoder", victim / "bi_encoder")
    (tmp_path / "run").mkdir()
    process = launch("rerank.py", retrieve_args(victim, corpus_file, queries), tmp_path / "run", SLOW_INDEX_SAVE="60")
    index = victim / "index"
    wait_until(lambda: any(index.glob(".dense.*.tmp/embeddings.npy")), process, "the index is being written")
    process.kill()
    outputs_of(process, tmp_path / "run")
    assert process.returncode == -signal.SIGKILL
    assert not (index / "dense").exists()  # only the staging directory, half written

    stdout = run_rerank(*retrieve_args(victim, corpus_file, queries))
    assert built(stdout)
    assert read_jsonl(victim / "results" / "predictions.jsonl") == expected
    assert not built(run_rerank(*retrieve_args(victim, corpus_file, queries)))


# ---------------------------------------------------------------------------------------------
# 5. The index is rebuilt when any part of its fingerprint changes (weights and corpus: see test_rerank.py)


def edit_json(path: Path, edit) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def rename_vocabulary_word(tokenizer: dict) -> None:
    """'the' (in most passages) is no longer one token: it splits into letters; the vocabulary size is unchanged."""
    vocabulary = tokenizer["model"]["vocab"]
    vocabulary["theword"] = vocabulary.pop("the")


def test_index_rebuilt_when_tokenizer_pooling_or_lengths_change(saved, corpus_file, squad_files, tmp_path, capsys):
    directory = tmp_path / "input"
    shutil.copytree(saved / "bi_encoder", directory / "bi_encoder")
    bi = directory / "bi_encoder"

    def run() -> bool:
        return built(run_rerank(*retrieve_args(directory, corpus_file, squad_files["validation"])))

    assert run() and not run()
    predictions = read_jsonl(directory / "results" / "predictions.jsonl")
    changes = {
        # The tokenizer that splits and encodes the passages is read from the first encoder directory.
        "question encoder's tokenizer.json": (bi / "question_encoder" / "tokenizer.json", rename_vocabulary_word),
        "passage encoder's tokenizer.json": (bi / "passage_encoder" / "tokenizer.json", rename_vocabulary_word),
        "tokenizer_config.json": (
            bi / "question_encoder" / "tokenizer_config.json", lambda config: config.update(model_max_length=256)
        ),
        "max_passage_length": (bi / "train_config.json", lambda c: c.update(max_passage_length=48)),
        "stride": (bi / "train_config.json", lambda c: c.update(stride=8)),
        "pooling": (bi / "train_config.json", lambda c: c.update(pooling="cls")),
    }  # fmt: skip
    for change, (path, edit) in changes.items():
        edit_json(path, edit)
        capsys.readouterr()
        assert run(), f"the index was reused after a change of {change}"
        assert "stale" in capsys.readouterr().err
        assert not run(), f"the index was rebuilt twice after a change of {change}"
    assert read_jsonl(directory / "results" / "predictions.jsonl") != predictions


# ---------------------------------------------------------------------------------------------
# 6. Safety: no pickle anywhere, and data never chooses where files are written


UNSAFE = ("torch.load(", "pickle.load", "pickle.dump", "torch.save(", "trust_remote_code=True")


def test_no_pickle_and_no_remote_code_in_the_project():
    sources = []
    for directory, subdirectories, files in os.walk(ROOT):  # the project's code: not tests/, .venv/ or .git/
        subdirectories[:] = [name for name in subdirectories if name != "tests" and not name.startswith(".")]
        sources += [Path(directory) / name for name in files if name.endswith(".py")]
    assert len(sources) > 20 and ROOT / "rerank.py" in sources
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern in line for pattern in UNSAFE)
    ]
    assert found == []


def test_ids_and_titles_that_look_like_paths_stay_inside_the_outputs(saved, tmp_path):
    work = tmp_path / "a" / "b" / "work"
    shutil.copytree(saved, work / "input")
    evil = [
        "../../evil",
        "../../../evil-dir/evil",
        "/tmp/evil-absolute-" + tmp_path.name,
        "..\\..\\evil",
        "a/../../evil",
    ]
    passages = [
        {"id": passage_id, "title": f"../../{number}/title/evil", "text": f"the naba number {number} was here"}
        for number, passage_id in enumerate([*evil, "plain"])
    ]
    corpus = work / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in passages), encoding="utf-8")
    queries = work / "queries.jsonl"
    questions = [
        {"id": question_id, "question": f"where was naba {number}?"} for number, question_id in enumerate(evil)
    ]
    queries.write_text("".join(json.dumps(row) + "\n" for row in questions), encoding="utf-8")
    before = {path for path in tmp_path.rglob("*")}

    output = work / "out"
    run_rerank(
        "--input_directory", work / "input", "--corpus", corpus, "--queries", queries, "--top_k_retrieval", "6",
        "--top_k", "3", "--output_directory", output, "--output_format", "csv", *CPU,
    )  # fmt: skip

    created = {path for path in tmp_path.rglob("*")} - before
    outside = [path for path in created if output not in path.parents and work / "input" / "index" not in path.parents]
    assert sorted(map(str, outside)) == sorted(map(str, [output, work / "input" / "index"]))
    assert not Path(f"/tmp/evil-absolute-{tmp_path.name}").exists()
    assert {path.name for path in output.iterdir()} == {"predictions.jsonl", "predictions.csv", "reader_dataset"}
    records = read_jsonl(output / "predictions.jsonl")
    assert [record["id"] for record in records] == evil
    titles = {passage["id"]: passage["title"] for passage in passages}
    for record in records:
        assert record["rerank"]["titles"] == [titles[pid] for pid in record["rerank"]["ids"]]


# ---------------------------------------------------------------------------------------------
# 7. Determinism: the same seed, data and device give the same numbers to the last digit


def test_training_twice_gives_identical_metrics_and_losses(tiny_model, squad_files, tmp_path):
    validation = str(squad_files["validation"])
    argv = ["--encoder", "bi", "--model", str(tiny_model), "--train_data", validation, "--validation_data", validation]
    argv += [*CPU, *LENGTHS, "--quiet", "--train_batch_size", "8", "--epochs", "1", "--logging_steps", "1"]
    argv += ["--save_steps", "100000", "--seed", "11"]
    runs = []
    for name in ("first", "second"):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert train.main([*argv, "--output_directory", str(tmp_path / name)]) == 0
        runs.append(tmp_path / name / "bi_encoder")
    first, second = (json.loads((run / "train_config.json").read_text(encoding="utf-8")) for run in runs)
    assert set(first["final_metrics"]) == {"eval_top1", "eval_top5", "eval_mrr@10"}
    assert first["final_metrics"] == second["final_metrics"]
    first_log, second_log = (read_jsonl(run / "log.jsonl") for run in runs)
    steps = [(record["step"], record["loss"], record["grad_norm"]) for record in first_log if "loss" in record]
    assert len(steps) == 5  # 36 questions, 8 per batch
    assert steps == [(record["step"], record["loss"], record["grad_norm"]) for record in second_log if "loss" in record]
    for name in ("question_encoder", "passage_encoder"):
        a, b = (tensors(run / name / "model.safetensors") for run in runs)
        assert all(torch.equal(a[key], b[key]) for key in a)


def test_rerank_twice_gives_identical_metrics_and_predictions(saved, corpus_file, squad_files, tmp_path):
    shutil.copytree(saved, tmp_path / "input")
    args = ["--input_directory", tmp_path / "input", "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--top_k_retrieval", "6", "--top_k", "3", *CPU, *DENSE]
    runs = []
    for name, extra in (("first", []), ("second", ["--rebuild_index"])):
        assert built(run_rerank(*args, "--output_directory", tmp_path / name, *extra))
        runs.append(tmp_path / name)
    first, second = (json.loads((run / "metrics.json").read_text(encoding="utf-8")) for run in runs)
    first.pop("seconds"), second.pop("seconds")  # wall-clock timings
    assert list(first["stages"]) == ["DPR", "DPR+CE"]
    assert first == second
    assert (runs[0] / "predictions.jsonl").read_bytes() == (runs[1] / "predictions.jsonl").read_bytes()
