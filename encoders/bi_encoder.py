"""The DPR bi-encoder: a question encoder and a passage encoder (separate or shared), pooled to one vector.

Similarity is the dot product of the pooled vectors. Pooling is ``cls`` (the
[CLS] token's last hidden state, as DPR and the seed) or ``mean`` (the mean of
the token states under the attention mask, as sentence-transformers models).
Saved directories load with ``AutoModel`` and, with the pooling recorded in
``modules.json``, with ``sentence_transformers.SentenceTransformer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from encoders.batching import run_batched, tokenize
from encoders.pretrained import (
    CONFIG_NAME,
    TRAINING_STATE,
    check_tokenizer_matches,
    load_pretrained,
    load_tokenizer,
    read_train_config,
)
from file_utils import atomic_directory, write_json

POOLINGS = ("cls", "mean")
TRAIN_HINT = "python train.py --encoder bi --output_directory DIR"


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """[batch, length, dim] token states -> [batch, dim] vectors."""
    if pooling == "cls":
        return hidden[:, 0]
    hidden = hidden.float()  # sums over hundreds of tokens lose digits in bf16/fp16
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class BiEncoder(nn.Module):
    def __init__(self, question_model: nn.Module, passage_model: nn.Module, tokenizer, pooling: str = "cls"):
        super().__init__()
        self.question_model = question_model
        self.shared = passage_model is question_model
        self.passage_model = None if self.shared else passage_model
        self.tokenizer = tokenizer
        self.pooling = pooling

    @classmethod
    def build(
        cls, model_name: str, shared: bool = False, pooling: str = "cls", trust_remote_code: bool = False
    ) -> BiEncoder:
        """Fresh question and passage encoders from a pretrained model name or directory."""
        from transformers import AutoModel

        tokenizer = load_tokenizer(model_name, trust_remote_code=trust_remote_code)
        question_model = load_pretrained(AutoModel, model_name, trust_remote_code=trust_remote_code)
        check_tokenizer_matches(tokenizer, question_model, model_name)
        passage_model = (
            question_model if shared else load_pretrained(AutoModel, model_name, trust_remote_code=trust_remote_code)
        )
        return cls(question_model, passage_model, tokenizer, pooling)

    @property
    def passage_encoder(self) -> nn.Module:
        return self.question_model if self.shared else self.passage_model

    def model_for(self, kind: str) -> nn.Module:
        return self.question_model if kind == "question" else self.passage_encoder

    def embed(self, kind: str, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        """Pooled vectors of tokenized questions (``kind="question"``) or passages."""
        output = self.model_for(kind)(**inputs)
        return pool(output.last_hidden_state, inputs["attention_mask"], self.pooling)

    def forward(
        self, question_inputs: dict[str, torch.Tensor], passage_inputs: dict[str, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.embed("question", question_inputs), self.embed("passage", passage_inputs)

    def encode(
        self,
        texts: Sequence[str],
        kind: str,
        max_length: int,
        batch_size: int = 128,
        device: torch.device | None = None,
        precision: str = "fp32",
        description: str = "",
    ) -> np.ndarray:
        """[len(texts), dim] float32 vectors, in length-sorted batches with dynamic padding."""
        device = device or next(self.parameters()).device
        was_training = self.training
        self.eval()
        encodings = tokenize(self.tokenizer, texts, max_length=max_length)
        vectors = run_batched(
            self.tokenizer,
            encodings,
            lambda batch: self.embed(kind, batch),
            batch_size,
            device,
            precision,
            description,
            unit=kind[0] if not description else f" {kind}s",
        )
        self.train(was_training)
        return vectors.reshape(len(texts), -1) if len(texts) else np.zeros((0, self.dimension), np.float32)

    @property
    def dimension(self) -> int:
        return self.question_model.config.hidden_size

    def encoder_directories(self) -> dict[str, nn.Module]:
        if self.shared:
            return {"encoder": self.question_model}
        return {"question_encoder": self.question_model, "passage_encoder": self.passage_model}

    def save(self, directory: str | Path, settings: dict, max_length: int) -> None:
        """Write every encoder with ``save_pretrained`` + tokenizer + settings, replacing ``directory`` atomically."""
        settings = {**settings, "encoder": "bi", "pooling": self.pooling, "shared_encoder": self.shared}
        with atomic_directory(directory, keep=TRAINING_STATE) as staging:
            for name, model in self.encoder_directories().items():
                target = staging / name
                model.save_pretrained(target)
                self.tokenizer.save_pretrained(target)
                write_sentence_transformers_config(target, self.pooling, model.config.hidden_size, max_length)
                write_json(target / CONFIG_NAME, {**settings, "role": name})
            write_json(staging / CONFIG_NAME, settings)

    @classmethod
    def load(cls, directory: str | Path, flag: str = "--input_directory") -> BiEncoder:
        from transformers import AutoModel

        directory = Path(directory)
        config = read_train_config(directory, "bi", flag, TRAIN_HINT)
        names = ["encoder"] if config.get("shared_encoder") else ["question_encoder", "passage_encoder"]
        models = [load_pretrained(AutoModel, directory / name, flag) for name in names]
        tokenizer = load_tokenizer(str(directory / names[0]), flag)
        check_tokenizer_matches(tokenizer, models[0], str(directory / names[0]), flag)
        encoder = cls(models[0], models[-1], tokenizer, config.get("pooling", "cls"))
        encoder.settings = config
        return encoder


def write_sentence_transformers_config(directory: Path, pooling: str, dimension: int, max_length: int) -> None:
    """modules.json and the pooling config, so SentenceTransformer(directory) pools as we do."""
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    write_json(directory / "modules.json", modules)
    write_json(directory / "sentence_bert_config.json", {"max_seq_length": max_length, "do_lower_case": False})
    pooling_config = {
        "word_embedding_dimension": dimension,
        "pooling_mode_cls_token": pooling == "cls",
        "pooling_mode_mean_tokens": pooling == "mean",
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    }
    write_json(directory / "1_Pooling" / "config.json", pooling_config)
