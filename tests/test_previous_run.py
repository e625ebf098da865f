"""A previous run's checkpoints and log survive a new run that is killed before it replaced them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from file_utils import HOST
from training.checkpoints import has_complete_checkpoint
from training.previous_run import aside_name, recover_killed_runs

STATE = {"global_step": 2, "max_steps": 4, "epoch": 0.5, "log_history": []}


def a_finished_process() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True).stdout)


def checkpoint(directory: Path, step: int) -> None:
    (directory / "checkpoints" / f"checkpoint-{step}").mkdir(parents=True)
    (directory / "checkpoints" / f"checkpoint-{step}" / "trainer_state.json").write_text(json.dumps(STATE))


def killed_after_setting_aside(directory: Path) -> Path:
    """A run that moved its predecessor (checkpoint-2 and a log) aside, then was killed (SIGKILL, power loss)."""
    aside = directory / aside_name(HOST, a_finished_process())
    checkpoint(aside, 2)
    (aside / "log.jsonl").write_text('{"step": 2}\n', encoding="utf-8")
    (directory / "checkpoints").mkdir(parents=True, exist_ok=True)
    (directory / "checkpoints" / "run_config.json").write_text("{}", encoding="utf-8")
    return aside


def test_the_predecessor_comes_back_when_the_killed_run_saved_nothing(tmp_path, capsys):
    aside = killed_after_setting_aside(tmp_path)
    recover_killed_runs(tmp_path, replaced=lambda: has_complete_checkpoint(tmp_path))
    assert sorted(path.name for path in (tmp_path / "checkpoints").iterdir()) == ["checkpoint-2"]
    assert (tmp_path / "log.jsonl").read_text(encoding="utf-8") == '{"step": 2}\n'
    assert not aside.exists() and "put them back" in capsys.readouterr().err


def test_the_predecessor_goes_when_the_killed_run_had_replaced_it(tmp_path):
    aside = killed_after_setting_aside(tmp_path)
    checkpoint(tmp_path, 6)  # the killed run's own complete checkpoint: resumable, the newer state
    recover_killed_runs(tmp_path, replaced=lambda: has_complete_checkpoint(tmp_path))
    assert sorted(path.name for path in (tmp_path / "checkpoints").iterdir()) == ["checkpoint-6", "run_config.json"]
    assert not aside.exists() and not (tmp_path / "log.jsonl").exists()


def test_asides_of_live_processes_and_other_hosts_are_left_alone(tmp_path):
    live = tmp_path / aside_name(HOST, os.getppid())
    elsewhere = tmp_path / aside_name("otherhost", a_finished_process())
    for path in (live, elsewhere):
        checkpoint(path, 2)
    recover_killed_runs(tmp_path, replaced=lambda: False)
    assert live.exists() and elsewhere.exists() and not (tmp_path / "checkpoints").exists()
