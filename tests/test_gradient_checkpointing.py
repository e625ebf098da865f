"""``train.py --gradient_checkpointing`` reaches every encoder model (both of a bi-encoder, the cross-encoder) and
trains the same weights as a run without it: it only trades memory for recomputation."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import PreTrainedModel

import train

LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]


def run(encoder, tiny_model, squad_files, output, *extra) -> list[float]:
    argv = ["--encoder", encoder, "--model", tiny_model, "--train_data", squad_files["train"], "--max_steps", "3",
            "--train_batch_size", "4", *LENGTHS, "--precision", "fp32", "--device", "cpu", "--quiet",
            "--logging_steps", "1", "--no_weight_tuning", "--output_directory", output, "--lr", "1e-3",
            *extra]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert train.main([str(arg) for arg in argv]) == 0
    log = (output / f"{encoder}_encoder" / "log.jsonl").read_text(encoding="utf-8").splitlines()
    return [record["loss"] for record in map(json.loads, log) if "loss" in record]


@pytest.mark.parametrize(("encoder", "models"), [("bi", 2), ("cross", 1)])
def test_checkpointing_reaches_every_model_and_trains_the_same_weights(
    encoder, models, single_thread, tiny_model, squad_files, tmp_path, monkeypatch
):
    enabled = []
    original = PreTrainedModel._activation_checkpointing_enable

    def spy(self, *args, **kwargs):
        enabled.append(id(self))
        return original(self, *args, **kwargs)

    plain = run(encoder, tiny_model, squad_files, tmp_path / "plain")
    monkeypatch.setattr(PreTrainedModel, "_activation_checkpointing_enable", spy)
    checkpointed = run(encoder, tiny_model, squad_files, tmp_path / "checkpointed", "--gradient_checkpointing")
    assert len(set(enabled)) == models
    assert checkpointed == pytest.approx(plain, rel=1e-5)
    name = "passage_encoder/model.safetensors" if encoder == "bi" else "model.safetensors"
    before = load_file(tmp_path / "plain" / f"{encoder}_encoder" / name)
    after = load_file(tmp_path / "checkpointed" / f"{encoder}_encoder" / name)
    assert all(torch.allclose(before[key], after[key], atol=1e-5) for key in before)
