"""``train.py --report_to``: TensorBoard event files that hold the same losses as log.jsonl, kept in the encoder
directory; wandb refused in one line where it is not installed; neither changes what a run records."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import struct
from pathlib import Path

import pytest
from reliability_helpers import error_line

import train
from errors import run_cli


def events(path: Path):
    """The records of a TensorBoard event file (TFRecord framing: length, its CRC, the data, its CRC)."""
    from tensorboardX.proto import event_pb2

    data, position = path.read_bytes(), 0
    while position < len(data):
        (length,) = struct.unpack("<Q", data[position : position + 8])
        event = event_pb2.Event()
        event.ParseFromString(data[position + 12 : position + 12 + length])
        position += 16 + length
        yield event


def scalars(directory: Path) -> dict[str, dict[int, float]]:
    values: dict[str, dict[int, float]] = {}
    for path in directory.rglob("events.out.tfevents.*"):
        for event in events(path):
            for value in event.summary.value:
                values.setdefault(value.tag, {})[event.step] = value.simple_value
    return values


def flags(tiny_model, squad_files, output) -> list[str]:
    argv = ["--encoder", "bi", "--model", tiny_model, "--train_data", squad_files["train"], "--validation_data",
            squad_files["validation"], "--max_steps", "3", "--train_batch_size", "4", "--max_query_length", "16",
            "--max_passage_length", "64", "--stride", "16", "--precision", "fp32", "--device", "cpu", "--quiet",
            "--logging_steps", "1", "--no_weight_tuning", "--output_directory", output]  # fmt: skip
    return [str(arg) for arg in argv]


def test_tensorboard_event_files_hold_the_logged_losses(single_thread, tiny_model, squad_files, tmp_path):
    with contextlib.redirect_stdout(io.StringIO()):
        assert train.main([*flags(tiny_model, squad_files, tmp_path), "--report_to", "tensorboard"]) == 0
    encoder = tmp_path / "bi_encoder"
    logged = [json.loads(line) for line in (encoder / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    losses = {record["step"]: record["loss"] for record in logged if "loss" in record}
    values = scalars(encoder / "tensorboard")
    assert list(losses) == [1, 2, 3]
    assert values["train/loss"] == pytest.approx(losses, rel=1e-6)
    evaluations = {record["step"]: record["eval_top5"] for record in logged if "eval_top5" in record}
    assert evaluations and values["eval/top5"] == pytest.approx(evaluations, rel=1e-6)
    assert "report_to" not in json.loads((encoder / "train_config.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(importlib.util.find_spec("wandb") is not None, reason="wandb is installed here")
def test_wandb_without_the_package_is_one_line(tiny_model, squad_files, tmp_path, capsys):
    assert run_cli(train.main, [*flags(tiny_model, squad_files, tmp_path), "--report_to", "wandb"]) == 2
    line = error_line(capsys.readouterr().err)
    assert "--report_to wandb" in line and "pip install wandb" in line
    assert not (tmp_path / "bi_encoder").exists()
