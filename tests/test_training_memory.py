"""The paper estimate of a training step's GPU memory, and the gradient checkpointing it turns on."""

from __future__ import annotations

import torch
from transformers import BertConfig

from training.memory import activation_bytes, fit_to_gpu, needs_checkpointing, recompute_activations, step_bytes

GiB = 2**30
BERT_BASE = BertConfig()  # 12 layers, hidden 768, 12 heads: klue/bert-base's shape


def test_the_default_cross_encoder_step_does_not_fit_a_16_gb_v100():
    default = step_bytes(110_000_000, 110_000_000, BERT_BASE, [(8 * 8, 64 + 384)])  # 8 questions x group 8, 448 tokens
    assert 18 * GiB < default < 19.5 * GiB
    assert needs_checkpointing(default, 16 * GiB) and not needs_checkpointing(default, 80 * GiB)
    bi = step_bytes(
        2 * 110_000_000, 2 * 110_000_000, BERT_BASE, [(16, 64), (32, 384)]
    )  # 16 questions, positives + 1 negative each
    assert not needs_checkpointing(bi, 16 * GiB)


def test_frozen_weights_cost_a_quarter_of_trained_ones():
    shapes = [(64, 448)]
    activations = step_bytes(0, 0, BERT_BASE, shapes)
    assert step_bytes(110_000_000, 0, BERT_BASE, shapes) - activations == 4 * 110_000_000
    assert step_bytes(110_000_000, 110_000_000, BERT_BASE, shapes) - activations == 16 * 110_000_000


def test_activation_memory_grows_with_the_square_of_the_length_in_attention():
    short, long = activation_bytes(BERT_BASE, 1, 128), activation_bytes(BERT_BASE, 1, 512)
    assert 4 < long / short < 16  # linear parts x4, attention scores x16


def test_nothing_changes_on_a_cpu(tiny_model):
    from transformers import AutoModel

    model = AutoModel.from_pretrained(tiny_model)
    assert not fit_to_gpu(model, [model], model.config, [(10**6, 512)], torch.device("cpu"))
    assert not model.is_gradient_checkpointing


def test_recomputed_activations_give_the_same_gradients(tiny_model):
    from transformers import AutoModel

    inputs = {"input_ids": torch.randint(5, 50, (3, 12)), "attention_mask": torch.ones(3, 12, dtype=torch.long)}
    gradients = []
    for recompute in (False, True):
        torch.manual_seed(0)
        model = AutoModel.from_pretrained(tiny_model).train()
        if recompute:
            recompute_activations([model])
            assert model.is_gradient_checkpointing
        torch.manual_seed(1)  # the same dropout masks
        model(**inputs).last_hidden_state.pow(2).mean().backward()
        gradients.append([parameter.grad.clone() for parameter in model.parameters() if parameter.grad is not None])
    assert len(gradients[0]) == len(gradients[1]) > 0
    for plain, recomputed in zip(*gradients):
        torch.testing.assert_close(plain, recomputed, rtol=1e-4, atol=1e-6)
