"""A helper for tests that read cross-encoder scores back from predictions.jsonl: the untrained cross-encoder of
``conftest.saved`` gives every pair almost the same score (a spread of about 1e-4), which the 6 decimal places of
predictions.jsonl blur; scaling its one-logit head spreads the scores without changing their order."""

from __future__ import annotations

from pathlib import Path


def sharpen_cross_encoder(directory: Path, factor: float = 1000.0) -> None:
    """Multiply the head (weight and bias) of the cross-encoder saved in ``directory`` by ``factor``, in place."""
    import torch

    from encoders.cross_encoder import CrossEncoder

    encoder = CrossEncoder.load(directory)
    with torch.no_grad():
        encoder.model.classifier.weight.mul_(factor)
        encoder.model.classifier.bias.mul_(factor)
    encoder.save(directory, {})
