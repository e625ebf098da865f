"""Interrupted runs: SIGKILL and SIGINT during training (then --resume), and SIGKILL while rerank.py writes the
index; real signals to real processes, slowed down by the harness so that they land mid-run."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch
from reliability_helpers import (
    CPU,
    LENGTHS,
    built,
    launch,
    outputs_of,
    read_jsonl,
    retrieve_args,
    run_rerank,
    tensors,
)

pytestmark = pytest.mark.usefixtures("single_thread")


def wait_until(condition, process: subprocess.Popen, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended (status {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# 4. Interruptions: SIGKILL and SIGINT during training, SIGKILL while rerank.py writes the index


def interrupt_flags(tiny_model: Path, squad_files: dict, output: Path) -> list:
    return [
        "--encoder", "bi", "--model", tiny_model, "--train_data", squad_files["validation"], "--output_directory",
        output, *CPU, *LENGTHS, "--quiet", "--train_batch_size", "4", "--save_steps", "2", "--max_steps", "8",
        "--logging_steps", "1", "--seed", "3",
    ]  # fmt: skip


def complete_checkpoints(checkpoints: Path) -> list[int]:
    """Steps whose checkpoint has a whole trainer_state.json (the Trainer writes it last, in place: a file that
    merely exists may still be half written, and a kill then would leave no checkpoint to resume from)."""
    steps = []
    for path in checkpoints.glob("checkpoint-*"):
        with contextlib.suppress(OSError, ValueError):
            if "global_step" in json.loads((path / "trainer_state.json").read_text(encoding="utf-8")):
                steps.append(int(path.name.split("-")[1]))
    return sorted(steps)


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
            run_trainer(trainer, None, interrupt, SimpleNamespace(diverged=False))
    else:
        assert run_trainer(trainer, None, interrupt, SimpleNamespace(diverged=False)) == {"eval_top1": 0.5}


def test_a_loss_that_stays_nan_stops_the_run_and_drops_its_checkpoints(tmp_path):
    """fp16's loss scaler skips the odd step with an inf loss; a loss that stays NaN is a run that no longer learns."""
    from types import SimpleNamespace

    from transformers import TrainerControl

    from errors import UserError
    from training.run import run_trainer
    from training.trainer import StopOnNonFiniteLoss

    watch, control = StopOnNonFiniteLoss(patience=3), TrainerControl()
    for loss in [2.0, float("inf"), 1.9, float("nan"), float("nan")]:
        watch.on_log(None, None, control, logs={"loss": loss})
    assert not watch.diverged and not control.should_training_stop  # two in a row, not three
    watch.on_log(None, None, control, logs={"loss": float("nan")})
    assert watch.diverged and control.should_training_stop

    for step in (2, 4, 6):
        (tmp_path / f"checkpoint-{step}").mkdir()
    state = SimpleNamespace(global_step=6, max_steps=8, log_history=[])
    trainer = SimpleNamespace(
        train=lambda **kwargs: None, state=state, args=SimpleNamespace(output_dir=tmp_path, process_index=0)
    )
    with pytest.raises(UserError, match="training diverged: the loss was NaN or inf at 3 logged steps"):
        run_trainer(trainer, str(tmp_path / "checkpoint-2"), SimpleNamespace(interrupted=False), watch)
    assert [path.name for path in tmp_path.iterdir()] == ["checkpoint-2"]  # the resumed-from checkpoint stays


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
    assert not list(index.glob(".dense.*.tmp"))  # the killed run's staging directory is gone with it
    assert read_jsonl(victim / "results" / "predictions.jsonl") == expected
    assert not built(run_rerank(*retrieve_args(victim, corpus_file, queries)))
