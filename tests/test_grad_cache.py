"""GradCache (``train.py --grad_cache``): the gradient of a batch embedded chunk by chunk is the gradient of the
batch in one pass (no dropout), and with dropout the exact gradient of the masks its first pass drew; through
the CLI a cached run trains the same losses as a plain one."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest
import torch
from torch import nn

import train
from encoders.bi_encoder import BiEncoder
from encoders.losses import in_batch_negatives_loss
from encoders.settings import BiEncoderSettings
from training.grad_cache import GradCache, chunks
from training.settings import HashingArguments
from training.trainer import BiEncoderLoss, BinaryPassageLoss

QUESTIONS = ["what is the naba", "where was the subole", "who is zoku", "when did vojava go", "why difo", "how luhi"]
PASSAGES = ["the naba was in the subole", "bunobe of and is luhi", "a for vojava a at from", "this as and by",
            "the zoku and the difo were", "luhi for it at from zoku", "naba and vojava"]  # fmt: skip


def batch(model: BiEncoder) -> dict:
    def tokenized(texts):
        return dict(model.tokenizer(texts, padding=True, truncation=True, max_length=32, return_tensors="pt"))

    ignore = torch.zeros(len(QUESTIONS), len(PASSAGES), dtype=torch.bool)
    ignore[0, 6] = True  # passage 6 is another gold passage of question 0
    targets = torch.arange(len(QUESTIONS))
    return {"question_inputs": tokenized(QUESTIONS), "passage_inputs": tokenized(PASSAGES), "targets": targets,
            "ignore_mask": ignore}  # fmt: skip


def gradients(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: parameter.grad.clone() for name, parameter in model.named_parameters() if parameter.grad is not None}


def fresh(tiny_model, dropout: float) -> BiEncoder:
    torch.manual_seed(0)
    model = BiEncoder.build(str(tiny_model), BiEncoderSettings(pooling="mean"))
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = dropout
    return model.train()


def cached_step(model, loss, inputs, chunk_size: int) -> tuple[torch.Tensor, dict]:
    model.zero_grad()
    value = GradCache(loss, chunk_size).step(model, inputs, lambda surrogate: surrogate.backward())
    return value, gradients(model)


LOSSES = {
    "in-batch": lambda: BiEncoderLoss(in_batch_negatives_loss),
    "bpr": lambda: BinaryPassageLoss(HashingArguments()),
}


@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("chunk_size", [1, 3, 16])
def test_without_dropout_the_cached_gradient_is_the_whole_batch_s(tiny_model, loss_name, chunk_size):
    model, loss = fresh(tiny_model, 0.0), LOSSES[loss_name]()
    inputs = batch(model)
    model.zero_grad()
    expected_loss = loss(model, inputs)
    expected_loss.backward()
    expected = gradients(model)
    value, found = cached_step(model, loss, inputs, chunk_size)
    assert value.item() == pytest.approx(expected_loss.item(), rel=1e-5)
    assert set(found) == set(expected)
    for name in expected:
        torch.testing.assert_close(found[name], expected[name], rtol=1e-4, atol=1e-6, msg=name)


def test_with_dropout_the_second_pass_replays_the_first_pass_s_masks(tiny_model):
    """The reference keeps every chunk's graph (what GradCache avoids) under the same random draws: equal
    gradients mean the re-embedded chunks saw the masks of their first pass. Without the replay they differ."""
    model, loss = fresh(tiny_model, 0.2), LOSSES["in-batch"]()
    inputs = batch(model)
    torch.manual_seed(7)
    model.zero_grad()
    vectors = [torch.cat([model.embed(kind, piece) for piece in chunks(inputs[f"{kind}_inputs"], 2)])
               for kind in ("question", "passage")]  # fmt: skip
    reference = loss.of_vectors(*vectors, inputs)
    reference.backward()
    expected = gradients(model)
    torch.manual_seed(7)
    value, found = cached_step(model, loss, inputs, 2)
    assert value.item() == pytest.approx(reference.item(), rel=1e-5)
    for name in expected:
        torch.testing.assert_close(found[name], expected[name], rtol=1e-4, atol=1e-6, msg=name)


def test_a_cached_run_trains_the_losses_of_a_plain_one(single_thread, tiny_model, squad_files, tmp_path, monkeypatch):
    steps = []
    original = GradCache.step
    monkeypatch.setattr(GradCache, "step", lambda self, *args: steps.append(self.chunk_size) or original(self, *args))
    model = tmp_path / "no-dropout"
    shutil.copytree(tiny_model, model)
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    losses = {}
    for name, extra in (("plain", []), ("cached", ["--grad_cache", "--grad_cache_chunk_size", "3"])):
        argv = ["--encoder", "bi", "--model", model, "--train_data", squad_files["train"], "--max_steps", "3",
                "--train_batch_size", "8", "--max_query_length", "16", "--max_passage_length", "64", "--stride",
                "16", "--precision", "fp32", "--device", "cpu", "--quiet", "--logging_steps", "1", "--lr", "1e-3",
                "--no_weight_tuning", "--gradient_accumulation_steps", "2", "--output_directory", tmp_path / name,
                *extra]  # fmt: skip
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert train.main([str(arg) for arg in argv]) == 0
        log = (tmp_path / name / "bi_encoder" / "log.jsonl").read_text(encoding="utf-8").splitlines()
        losses[name] = [record["loss"] for record in map(json.loads, log) if "loss" in record]
    assert len(losses["plain"]) == 3
    assert steps == [3] * 6  # every micro-batch of the cached run (3 steps of 2), none of the plain one
    assert losses["cached"] == pytest.approx(losses["plain"], rel=1e-4)
