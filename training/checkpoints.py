"""The Trainer's checkpoints as ``--resume`` and a failed run see them: which are complete, which is the last,
which hold weights that a diverged run left (nothing can resume from those)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint

from data_utils import warn
from errors import UserError

# What the Trainer reads from a checkpoint's trainer_state.json when it resumes, and the types it expects.
STATE_FIELDS = {
    "global_step": (int, "an integer"),
    "max_steps": (int, "an integer"),
    "epoch": (int | float, "a number"),
    "log_history": (list, "a list"),
}


def checkpoint_is_complete(checkpoint: Path) -> bool:
    """The Trainer writes ``trainer_state.json`` last: a checkpoint without a readable one was cut short.
    A readable one whose fields are damaged is the user's to look at, not ours to delete: a UserError."""
    path = checkpoint / "trainer_state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(state, dict) or "global_step" not in state:
        return False
    for field, (expected, described) in STATE_FIELDS.items():
        value = state.get(field)
        if not isinstance(value, expected) or isinstance(value, bool):
            found = "nothing" if value is None else type(value).__name__
            raise UserError(
                f"--resume: {path}: field '{field}' must be {described}, found {found}; "
                f"the checkpoint is damaged: remove {checkpoint} to resume from an earlier one"
            )
    if not all(isinstance(entry, dict) for entry in state["log_history"]):
        raise UserError(f"--resume: {path}: field 'log_history' must be a list of objects; remove {checkpoint}")
    return True


def last_complete_checkpoint(checkpoints: Path) -> str | None:
    """The newest complete checkpoint; newer ones left incomplete by a killed run are removed."""
    found = []
    for path in checkpoints.iterdir() if checkpoints.is_dir() else ():
        step = path.name.removeprefix(f"{PREFIX_CHECKPOINT_DIR}-")
        if path.is_dir() and step.isdigit():
            found.append((int(step), path))
    for _, path in sorted(found, reverse=True):
        if checkpoint_is_complete(path):
            return str(path)
        warn(f"--resume: {path} is incomplete (the run stopped while saving it); removing it")
        shutil.rmtree(path)
    return None


def resume_checkpoint(resume: bool, output: Path) -> str | None:
    """The last checkpoint for ``--resume`` (None for a fresh run, whose predecessor ``kept_until_replaced``
    has moved aside)."""
    if not resume:
        return None
    checkpoints = output / "checkpoints"
    last = last_complete_checkpoint(checkpoints)
    if last is None:
        raise UserError(f"--resume: no checkpoint in {checkpoints}; run without --resume to start afresh")
    print(f"resuming from {last}")
    return last


def has_complete_checkpoint(output: Path) -> bool:
    checkpoints = output / "checkpoints"
    last = get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None
    return last is not None and checkpoint_is_complete(Path(last))


def holds_non_finite_weights(checkpoint: Path) -> bool:
    from safetensors.torch import load_file

    return any(
        not torch.isfinite(tensor).all()
        for weights in checkpoint.glob("*.safetensors")
        for tensor in load_file(weights).values()
        if tensor.is_floating_point()
    )
