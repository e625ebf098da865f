"""A smaller, faster reranker taught by a trained one: ``train.py --encoder cross --teacher DIR [--num_layers N]``.

The student scores each training group (the positive and its negatives) and learns the teacher's scores of the
same pairs (``encoders.losses.distillation_loss``), which carry more than the gold label: how far each negative
is from relevant. ``--num_layers N`` makes the student shallower than its ``--model`` by keeping N of its
transformer layers, evenly spaced from the first to the last (as DistilBERT started from every other layer of its
teacher); starting the student from the teacher's own directory keeps its fine-tuned weights in those layers.
The student is saved as an ordinary cross-encoder with N layers.
"""

from __future__ import annotations

from pathlib import Path

import torch

from encoders.cross_encoder import CrossEncoder
from errors import UserError


def load_teacher(
    directory: str, student: CrossEncoder, device: torch.device, trust_remote_code: bool
) -> torch.nn.Module:
    """The trained cross-encoder in ``directory``, frozen on ``device``; its tokenizer must be the student's, for
    both score the same token ids."""
    teacher = CrossEncoder.load(directory, "--teacher", trust_remote_code)
    if teacher.tokenizer.get_vocab() != student.tokenizer.get_vocab():
        raise UserError(
            f"--teacher {directory}: its vocabulary differs from --model's; the student must use the teacher's "
            "tokenizer (start it from the teacher's directory or the teacher's base model)"
        )
    model = teacher.model.to(device).eval()
    model.requires_grad_(False)
    return model


def layer_list(model: torch.nn.Module) -> torch.nn.ModuleList | None:
    """The transformer layers of a BERT-like model (BERT, RoBERTa, ELECTRA, XLM-R: ``encoder.layer``)."""
    layers = getattr(getattr(model.base_model, "encoder", None), "layer", None)
    return layers if isinstance(layers, torch.nn.ModuleList) else None


def evenly_spaced(total: int, count: int) -> list[int]:
    """``count`` of ``range(total)``, the first and the last included, as evenly spaced as integers allow."""
    if count == 1:
        return [total - 1]
    return sorted({round(i * (total - 1) / (count - 1)) for i in range(count)})


def keep_layers(model: torch.nn.Module, count: int, source: str | Path) -> list[int]:
    """Cut ``model`` (loaded from ``source``) down to ``count`` of its layers, in place; return the kept ones."""
    layers = layer_list(model)
    if layers is None:
        raise UserError(f"--num_layers: cannot find the layers of {source} (a {model.config.model_type} model)")
    if count > len(layers):
        raise UserError(f"--num_layers {count}: {source} has only {len(layers)} layers")
    kept = evenly_spaced(len(layers), count)
    model.base_model.encoder.layer = torch.nn.ModuleList(layers[index] for index in kept)
    model.config.num_hidden_layers = count
    return kept
