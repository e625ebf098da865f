"""LoRA adapters (``train.py --lora_r``): train small low-rank updates of the encoders' linear layers, through peft.

peft injects its LoRA layers into the Hugging Face model in place, so the model keeps its class, the Trainer
checkpoints and resumes it like any other (the adapter weights are part of its state) and the encoders' code
sees no difference. Before saving, ``LoraAdapters.merge`` folds every update into the weight it adapts and
puts the plain linear layer back: a saved encoder is an ordinary Hugging Face model of the base architecture,
which ``transformers``, ``sentence-transformers`` and this project load without peft.

Frozen: every weight of the pretrained model. Trained: the adapters and any layer the pretrained checkpoint did
not have, i.e. a fresh head outside the base model (the cross-encoder's classifier), which LoRA cannot stand
for. peft chooses the layers to adapt for known architectures (``query`` and ``value`` for BERT); ``--lora_target``
names others (module name suffixes, or ``all-linear``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from errors import UserError


@dataclass(frozen=True)
class LoraSettings:
    rank: int
    alpha: float
    target: tuple[str, ...] | None = None  # module name suffixes; None: peft's default for the architecture
    dropout: float = 0.0

    def peft_target(self) -> list[str] | str | None:
        if self.target == ("all-linear",):
            return "all-linear"
        return list(self.target) if self.target else None


class LoraAdapters:
    """The peft tuners injected into a set of models (each model once), and how to fold them away."""

    def __init__(self, tuners: list):
        self.tuners = tuners

    def merge(self) -> None:
        """Fold each adapter into the weight it adapts and restore the plain layers, in place."""
        for tuner in self.tuners:
            tuner.merge_and_unload()
        self.tuners = []


def add_lora(models: list[torch.nn.Module], settings: LoraSettings) -> LoraAdapters:
    """Inject LoRA adapters into each distinct model of ``models``, freezing its pretrained weights."""
    from peft import LoraConfig
    from peft.tuners.lora import LoraModel

    tuners = []
    for model in {id(model): model for model in models}.values():
        check_targets(model, settings)
        pretrained = {id(parameter) for parameter in model.base_model.parameters()}
        config = LoraConfig(
            r=settings.rank,
            lora_alpha=settings.alpha,
            lora_dropout=settings.dropout,
            target_modules=settings.peft_target(),
        )
        try:
            tuners.append(LoraModel(model, config, "default"))
        except ValueError as error:
            raise UserError(f"--lora_target: peft cannot adapt this model: {error}") from None
        for parameter in model.parameters():
            if id(parameter) not in pretrained:
                parameter.requires_grad_(True)  # a fresh head: not in the checkpoint, nothing to adapt
    return LoraAdapters(tuners)


def check_targets(model: torch.nn.Module, settings: LoraSettings) -> None:
    """Every name in ``--lora_target`` must name layers of ``model`` (peft would quietly adapt the others only);
    without it, peft must know the architecture."""
    from peft.utils import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as DEFAULT_TARGETS

    modules = [name for name, _ in model.named_modules()]
    linear = sorted(
        {name.rsplit(".", 1)[-1] for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}
    )
    if settings.target is None:
        if model.config.model_type not in DEFAULT_TARGETS:
            raise UserError(
                f"--lora_target: peft has no default layers to adapt in a {model.config.model_type} model; name them "
                f"(its linear layers: {', '.join(linear)}) or pass all-linear"
            )
        return
    if settings.target == ("all-linear",):
        return
    unknown = [name for name in settings.target if not any(m == name or m.endswith(f".{name}") for m in modules)]
    if unknown:
        raise UserError(
            f"--lora_target {','.join(settings.target)}: {', '.join(unknown)} matches no layer of the model "
            f"(its linear layers: {', '.join(linear)})"
        )


def trainable_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, all) parameter counts of ``model``."""
    parameters = list(model.parameters())
    return sum(p.numel() for p in parameters if p.requires_grad), sum(p.numel() for p in parameters)
