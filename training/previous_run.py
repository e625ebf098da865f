"""A fresh training run keeps its predecessor's checkpoints and log until it has replaced them.

A run without ``--resume`` starts a new ``checkpoints/`` and ``log.jsonl``, but the previous run's
are only moved aside (``.previous-run-<host>-<pid>/`` in the encoder directory), not deleted:
if the new run fails before it has saved a model or a checkpoint of its own, they are moved
back; once it has, they are deleted. A run killed outright (SIGKILL, power loss) leaves its
aside directory behind; the next fresh run on the same host removes those whose process is gone
(a directory of another host, on a shared filesystem, may belong to a live run and is left alone).

A fresh run also records its settings beside its checkpoints; ``--resume`` compares its own with
them and refuses to continue a run under other settings unless told to (``--allow_changed_settings``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from data_utils import warn
from errors import UserError
from file_utils import HOST, process_is_gone, write_json

STATE = ("checkpoints", "log.jsonl")  # what a run leaves besides its model
PREFIX = ".previous-run-"


def aside_name(host: str, pid: int) -> str:
    return f"{PREFIX}{host}-{pid}"


def remove_stale_asides(directory: Path, host: str) -> None:
    """Aside directories of this host's runs that were killed before they could clean up."""
    for path in directory.glob(aside_name(host, 0)[:-1] + "*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and process_is_gone(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def kept_until_replaced(directory: Path, fresh: bool, replaced: Callable[[], bool]) -> Iterator[None]:
    """Move the previous run's state aside for a fresh run; restore it if the block fails before ``replaced()``
    (the new run saved a checkpoint), delete it otherwise. A resumed run (``fresh`` False) keeps it in place."""
    if not fresh:
        yield
        return
    remove_stale_asides(directory, HOST)
    aside = directory / aside_name(HOST, os.getpid())
    previous = [name for name in STATE if (directory / name).exists()]
    if previous:
        aside.mkdir(parents=True, exist_ok=True)
        kept = " and ".join(previous)
        print(f"note: starting afresh; the previous run's {kept} are kept aside until this run replaces them")
        for name in previous:
            os.replace(directory / name, aside / name)
    try:
        yield
    except BaseException:
        if previous and not replaced():
            for name in STATE:
                target = directory / name
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink(missing_ok=True)
            for name in previous:
                os.replace(aside / name, directory / name)
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)


RUN_RECORD = "run_config.json"  # in checkpoints/: the settings of the run that wrote them
# Flags a resumed run may change: how long it trains, where and how it runs, how it reports.
MAY_CHANGE_ON_RESUME = frozenset(
    {"resume", "allow_changed_settings", "max_steps", "epochs", "output_directory", "device", "precision"}
    | {"precision_used", "eval_batch_size", "save_steps", "save_total_limit", "logging_steps", "validation_data"}
)


# Flags that decide which weights the checkpoints hold: no resume can change them.
FIXED_ON_RESUME = ("encoder", "model", "shared_encoder")


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
