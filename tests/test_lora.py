"""``train.py --lora_r``: only the adapters (and a fresh head) train, the pretrained weights stay frozen, and the
saved encoder is a plain Hugging Face model with the adapters merged in, which computes what the adapted model
computed."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModel, AutoModelForSequenceClassification

import train
from errors import UserError
from training.adapters import LoraSettings, add_lora

LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]
ADAPTED = (".query.", ".value.")  # peft's default LoRA targets for BERT


def run(encoder, tiny_model, squad_files, output, *extra) -> tuple[int, str]:
    argv = ["--encoder", encoder, "--model", tiny_model, "--train_data", squad_files["train"], "--max_steps", "3",
            "--train_batch_size", "4", *LENGTHS, "--precision", "fp32", "--device", "cpu", "--quiet",
            "--logging_steps", "1", "--no_weight_tuning", "--output_directory", output, "--lr", "1e-2",
            *extra]  # fmt: skip
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = train.main([str(arg) for arg in argv])
    return status, stdout.getvalue() + stderr.getvalue()


def changed_weights(before: dict, after: dict) -> set[str]:
    return {name for name in before if not torch.equal(before[name], after[name])}


def test_only_the_adapted_layers_change_and_the_saved_bi_encoder_is_a_plain_model(
    single_thread, tiny_model, squad_files, tmp_path
):
    status, output = run("bi", tiny_model, squad_files, tmp_path, "--lora_r", "4")
    assert status == 0, output
    assert "LoRA (r=4, alpha=8)" in output
    base = AutoModel.from_pretrained(tiny_model).state_dict()
    for name in ("question_encoder", "passage_encoder"):
        saved = load_file(tmp_path / "bi_encoder" / name / "model.safetensors")
        assert set(saved) <= set(base) and "encoder.layer.0.attention.self.query.weight" in saved
        changed = changed_weights({k: base[k] for k in saved}, saved)
        assert changed, f"{name}: LoRA training changed no weight"
        assert all(any(part in key for part in ADAPTED) and key.endswith(".weight") for key in changed), changed
    config = json.loads((tmp_path / "bi_encoder" / "train_config.json").read_text(encoding="utf-8"))
    assert config["lora_r"] == 4 and config["lora_alpha"] == 8
    card = (tmp_path / "bi_encoder" / "question_encoder" / "README.md").read_text(encoding="utf-8")
    assert "LoRA adapters (`--lora_r 4`, alpha 8.0, layers peft default), merged into these weights" in card
    AutoModel.from_pretrained(tmp_path / "bi_encoder" / "question_encoder")  # loads without peft


def test_the_cross_encoder_trains_its_fresh_head_beside_the_adapters(single_thread, tiny_model, squad_files, tmp_path):
    status, output = run("cross", tiny_model, squad_files, tmp_path, "--lora_r", "4", "--lora_target", "query,key")
    assert status == 0, output
    saved = load_file(tmp_path / "cross_encoder" / "model.safetensors")
    base = AutoModel.from_pretrained(tiny_model).state_dict()
    encoder = {key: saved[f"bert.{key}"] for key in base if f"bert.{key}" in saved}
    changed = changed_weights({key: base[key] for key in encoder}, encoder)
    assert changed and all((".query." in key or ".key." in key) for key in changed), changed
    assert "classifier.weight" in saved and not [key for key in saved if "lora" in key]


def test_merged_weights_compute_what_the_adapted_model_computed(tiny_model):
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_model, num_labels=1).eval()
    adapters = add_lora([model, model], LoraSettings(rank=4, alpha=8.0))
    assert len(adapters.tuners) == 1  # a model given twice (a shared encoder) is adapted once
    trained = {name for name, parameter in model.named_parameters() if parameter.requires_grad}
    assert trained and all("lora_" in name or name.startswith("classifier.") for name in trained)
    assert {"classifier.weight", "classifier.bias"} <= trained
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(std=0.5)  # as after training: LoRA starts as the identity (B = 0)
    inputs = {"input_ids": torch.randint(5, 50, (3, 12)), "attention_mask": torch.ones(3, 12, dtype=torch.long)}
    with torch.no_grad():
        adapted = model(**inputs).logits
        adapters.merge()
        merged = model(**inputs).logits
    assert not [name for name in model.state_dict() if "lora" in name or "base_layer" in name]
    assert torch.allclose(adapted, merged, atol=1e-5)
    plain = AutoModelForSequenceClassification.from_pretrained(tiny_model, num_labels=1).eval()
    plain.load_state_dict(model.state_dict())  # the merged weights, in a model that never saw peft
    with torch.no_grad():
        assert torch.allclose(plain(**inputs).logits, adapted, atol=1e-5)


def test_resume_continues_the_adapters_and_refuses_another_rank(single_thread, tiny_model, squad_files, tmp_path):
    first = ("--lora_r", "4", "--save_steps", "2")
    status, output = run("bi", tiny_model, squad_files, tmp_path, *first, "--max_steps", "2")
    assert status == 0, output
    checkpoint = load_file(tmp_path / "bi_encoder" / "checkpoints" / "checkpoint-2" / "model.safetensors")
    assert [key for key in checkpoint if "lora_A" in key]
    status, output = run("bi", tiny_model, squad_files, tmp_path, "--lora_r", "4", "--max_steps", "4", "--resume")
    assert status == 0, output
    with pytest.raises(UserError, match=r"--resume: --lora_r 8 \(was 4\)"):
        run("bi", tiny_model, squad_files, tmp_path, "--lora_r", "8", "--max_steps", "6", "--resume")


def test_a_model_peft_cannot_place_adapters_in_needs_a_target(tiny_model):
    model = AutoModel.from_pretrained(tiny_model)
    model.config.model_type = "not-an-architecture"
    with pytest.raises(UserError, match="--lora_target: peft has no default layers .* query"):
        add_lora([model], LoraSettings(rank=4, alpha=8.0))
    add_lora([model], LoraSettings(rank=4, alpha=8.0, target=("all-linear",)))
