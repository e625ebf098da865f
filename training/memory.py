"""Will a training step fit the GPU? An estimate on paper, and gradient checkpointing when it will not.

Activation memory of one transformer layer in mixed-precision training without recomputation is
about ``s * b * h * (34 + 5 * a * s / h)`` bytes (Korthikanti et al. 2022, "Reducing Activation
Recomputation in Large Transformer Models"; s tokens, b sequences, h hidden size, a heads).
Weights, gradients and AdamW's two moments add about 16 bytes per trained parameter (4 per frozen one).
The cross-encoder's default step (8 questions x 8 candidates x 448 tokens on bert-base) comes to about 18.6 GiB: more
than a 16 GB V100 holds. Rather than shrink the batch (which would change the in-batch negatives
and so the training), the run recomputes activations (gradient checkpointing: the same
gradients, about a third more compute) when the estimate passes ``HEADROOM`` of the GPU's memory.
"""

from __future__ import annotations

import torch

HEADROOM = 0.85  # of the GPU's memory, for the estimate (the allocator and CUDA context take the rest)
WEIGHT_BYTES = 4  # an fp32 weight
TRAINING_STATE_BYTES = 12  # a trained weight's fp32 gradient and AdamW's two moments


def activation_bytes(config, sequences: int, tokens: int) -> float:
    """Activation memory of ``sequences`` x ``tokens`` through every layer of a BERT-like ``config``."""
    hidden, heads, layers = config.hidden_size, config.num_attention_heads, config.num_hidden_layers
    return layers * tokens * sequences * hidden * (34 + 5 * heads * tokens / hidden)


def step_bytes(parameters: int, trained: int, config, shapes: list[tuple[int, int]]) -> float:
    """A training step's estimate: each (sequences, tokens) batch through the model, plus the weights and the
    ``trained`` parameters' gradients and optimizer state."""
    state = WEIGHT_BYTES * parameters + TRAINING_STATE_BYTES * trained
    return state + sum(activation_bytes(config, *shape) for shape in shapes)


def needs_checkpointing(estimate: float, device_memory: int) -> bool:
    return estimate > HEADROOM * device_memory


def recompute_activations(modules: list) -> None:
    for module in modules:
        module.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})


def fit_to_gpu(model: torch.nn.Module, modules: list, config, shapes: list[tuple[int, int]], device) -> bool:
    """On a CUDA ``device``, turn on gradient checkpointing in ``modules`` when the step would not fit; say so."""
    if torch.device(device).type != "cuda":
        return False
    memory = torch.cuda.get_device_properties(torch.device(device)).total_memory
    parameters = list(model.parameters())
    trained = sum(parameter.numel() for parameter in parameters if parameter.requires_grad)
    estimate = step_bytes(sum(parameter.numel() for parameter in parameters), trained, config, shapes)
    if not needs_checkpointing(estimate, memory):
        return False
    recompute_activations(modules)
    print(
        f"note: a training step needs about {estimate / 2**30:.1f} GiB, more than {HEADROOM:.0%} of this GPU's "
        f"{memory / 2**30:.1f} GiB: recomputing activations (gradient checkpointing; same gradients, slower)"
    )
    return True
