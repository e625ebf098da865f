"""A fresh training run keeps its predecessor's checkpoints and log until it has replaced them.

A run without ``--resume`` starts a new ``checkpoints/`` and ``log.jsonl``, but the previous run's
are only moved aside (``.previous-run-<host>-<pid>/`` in the encoder directory), not deleted:
if the new run fails before it has saved a model or a checkpoint of its own, they are moved
back; once it has, they are deleted. A run killed outright (SIGKILL, power loss) leaves its
aside directory behind; the next run in that directory on the same host puts it back if the killed
run had no checkpoint of its own yet, and removes it otherwise (a directory of another host, on a
shared filesystem, may belong to a live run and is left alone).

A fresh run also records its settings beside its checkpoints; ``--resume`` compares its own with
them and refuses to continue a run under other settings unless told to (``--allow_changed_settings``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from data_utils import warn
from encoders.pretrained import TRAINING_STATE
from errors import UserError
from file_utils import HOST, left_by_killed_processes, write_json

STATE = TRAINING_STATE  # what a run leaves besides its model
PREFIX = ".previous-run-"


def aside_name(host: str, pid: int) -> str:
    return f"{PREFIX}{host}-{pid}"


def has_content(path: Path) -> bool:
    """A file, or a directory with something in it (an empty checkpoints/ is nothing to keep)."""
    return path.is_file() or (path.is_dir() and any(path.iterdir()))


def recover_killed_runs(directory: Path, replaced: Callable[[], bool]) -> None:
    """Aside directories of this host's runs that were killed before they could clean up: their content goes
    back in place if the killed run had not replaced it yet (``replaced()`` False: no complete checkpoint of
    its own), else they are removed."""
    for aside in left_by_killed_processes(directory, PREFIX):
        if not replaced():
            put_back(aside, directory)
            warn(f"a killed run had set the previous run's checkpoints and log aside in {aside}; put them back")
        shutil.rmtree(aside, ignore_errors=True)


def put_back(aside: Path, directory: Path) -> None:
    """Replace whatever state a later run left in ``directory`` with the state kept in ``aside``."""
    for name in STATE:
        target = directory / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        if (aside / name).exists():
            os.replace(aside / name, target)


class PreviousRun:
    """A fresh run's predecessor, in a ``with`` block around training and the final save: ``set_aside()`` (called
    right before the first training step, so that a run failing on its data touches nothing) moves its state
    aside; leaving the block restores it if the block failed before ``replaced()`` (the new run saved a
    checkpoint of its own), else deletes it. A resumed run (``fresh`` False) leaves everything in place."""

    def __init__(self, directory: Path, fresh: bool, replaced: Callable[[], bool]):
        self.directory = directory
        self.fresh = fresh
        self.replaced = replaced
        self.aside = directory / aside_name(HOST, os.getpid())
        self.previous: list[str] = []
        self.started = False

    def set_aside(self) -> None:
        if not self.fresh or self.started:
            return
        self.started = True
        self.previous = [name for name in STATE if has_content(self.directory / name)]
        if self.previous:
            self.aside.mkdir(parents=True, exist_ok=True)
            kept = " and ".join(self.previous)
            print(f"note: starting afresh; the previous run's {kept} are kept aside until this run replaces them")
            for name in self.previous:
                os.replace(self.directory / name, self.aside / name)

    def __enter__(self) -> PreviousRun:
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if self.started and error is not None and self.previous and not self.replaced() and not self.restore():
            return False  # could not put it back: it stays aside, and the warning said where
        if self.started:
            shutil.rmtree(self.aside, ignore_errors=True)
        return False

    def restore(self) -> bool:
        try:
            put_back(self.aside, self.directory)
        except OSError as problem:
            warn(f"could not put the previous run's {' and '.join(self.previous)} back ({problem}); see {self.aside}")
            return False
        return True


RUN_RECORD = "run_config.json"  # in checkpoints/: the settings of the run that wrote them
# Flags a resumed run may change: how long it trains, where and how it runs, how it reports.
MAY_CHANGE_ON_RESUME = frozenset(
    {"resume", "allow_changed_settings", "max_steps", "epochs", "output_directory", "device", "precision"}
    | {"precision_used", "eval_batch_size", "save_steps", "save_total_limit", "logging_steps", "validation_data"}
)


# Flags that decide which weights the checkpoints hold: no resume can change them.
FIXED_ON_RESUME = ("encoder", "model", "shared_encoder", "lora_r", "lora_target", "num_layers")


def record_run(directory: Path, record: dict) -> None:
    """Keep the settings of a fresh run beside its checkpoints, for a later ``--resume`` to compare with."""
    write_json(directory / "checkpoints" / RUN_RECORD, record)


def changes_on_resume(directory: Path, record: dict, allow: bool) -> dict[str, dict]:
    """The settings in which this ``--resume`` differs from the run that wrote the checkpoints ({} if none).

    A difference is a UserError naming every differing flag, unless ``allow`` (``--allow_changed_settings``):
    then the differences are returned, for the saved config to say what the run really was.
    """
    path = directory / "checkpoints" / RUN_RECORD
    if not any(path.parent.glob("checkpoint-*")):
        return {}  # nothing to resume: that is for resume_checkpoint to say
    try:
        resumed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        warn(f"--resume: {path} is missing or unreadable; the resumed run's settings cannot be compared")
        return {}
    if not isinstance(resumed, dict):
        raise UserError(f"--resume: {path}: expected a JSON object of the run's settings")
    changed = {
        key: {"before": resumed.get(key), "after": value}
        for key, value in record.items()
        if key not in MAY_CHANGE_ON_RESUME and key in resumed and resumed[key] != value
    }
    fixed = [key for key in FIXED_ON_RESUME if key in changed]
    if fixed:
        listed = ", ".join(f"--{key} {changed[key]['after']} (was {changed[key]['before']})" for key in fixed)
        raise UserError(f"--resume: {listed}: the checkpoints in {path.parent} hold other weights; start afresh")
    if changed and not allow:
        listed = ", ".join(f"--{key} {change['after']} (was {change['before']})" for key, change in changed.items())
        raise UserError(
            f"--resume: the checkpoints in {path.parent} were made with other settings: {listed}; resume with the "
            "same flags, start afresh without --resume, or pass --allow_changed_settings"
        )
    return changed
