"""The DPR bi-encoder: a question encoder and a passage encoder (separate or shared), pooled to one vector.

Similarity is the dot product of the pooled vectors. Pooling is ``cls`` (the
[CLS] token's last hidden state, as DPR and the seed) or ``mean`` (the mean of
the token states under the attention mask, as sentence-transformers models).
Saved directories load with ``AutoModel`` and, with the pooling recorded in
``modules.json``, with ``sentence_transformers.SentenceTransformer``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from encoders.batching import run_batched, tokenize
from encoders.model_card import write_model_card
from encoders.pretrained import (
    CONFIG_NAME,
    TOKENIZER_FILES,
    TRAINING_STATE,
    check_tokenizer_matches,
    load_model,
    load_tokenizer,
    read_train_config,
)
from encoders.settings import BiEncoderSettings
from encoders.windows import WindowedCorpus
from file_utils import atomic_directory, write_json
from fingerprints import combine, directory_digest
from runtime import Runtime, prepare_for_inference

if TYPE_CHECKING:
    from data_utils import Corpus

TRAIN_HINT = "python train.py --encoder bi --output_directory DIR"


def tokenizer_directory(directory: Path) -> Path:
    """Where a saved bi-encoder's tokenizer is, without loading its models: its first encoder directory."""
    shared = directory / "encoder"
    return shared if shared.is_dir() else directory / "question_encoder"


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """[batch, length, dim] token states -> [batch, dim] vectors."""
    if pooling == "cls":
        return hidden[:, 0]
    hidden = hidden.float()  # sums over hundreds of tokens lose digits in bf16/fp16
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class BiEncoder(nn.Module):
    """Question and passage encoders with their tokenizer, settings and inference runtime.

    ``source`` is the directory the encoder was loaded from (None for a fresh one): indexes built
    with it are fingerprinted by its files.
    """

    def __init__(
        self,
        question_model: nn.Module,
        passage_model: nn.Module,
        tokenizer,
        settings: BiEncoderSettings | None = None,
        source: Path | None = None,
    ):
        super().__init__()
        self.question_model = question_model
        self.shared = passage_model is question_model
        self.passage_model = None if self.shared else passage_model
        self.tokenizer = tokenizer
        self.settings = replace(settings or BiEncoderSettings(), shared_encoder=self.shared)
        self.source = source
        self.runtime = Runtime()

    @classmethod
    def build(
        cls, model_name: str, settings: BiEncoderSettings | None = None, trust_remote_code: bool = False
    ) -> BiEncoder:
        """Fresh question and passage encoders (one shared, if the settings say so) from a pretrained model."""
        from transformers import AutoModel

        settings = settings or BiEncoderSettings()
        tokenizer = load_tokenizer(model_name, trust_remote_code=trust_remote_code)
        question_model = load_model(AutoModel, model_name, trust_remote_code=trust_remote_code)
        check_tokenizer_matches(tokenizer, question_model, model_name)
        passage_model = (
            question_model
            if settings.shared_encoder
            else load_model(AutoModel, model_name, trust_remote_code=trust_remote_code)
        )
        return cls(question_model, passage_model, tokenizer, settings)

    @property
    def pooling(self) -> str:
        return self.settings.pooling

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

    def activation_checkpointing_enable(
        self, activation_checkpointing_kwargs=None, every_n_layers: int = 1, offload: bool = False
    ) -> None:
        """What the Trainer calls for ``--gradient_checkpointing``: recompute each layer's activations in the
        backward pass instead of keeping them, in both encoders (once for a shared one)."""
        for model in {id(m): m for m in (self.question_model, self.passage_encoder)}.values():
            model.activation_checkpointing_enable(activation_checkpointing_kwargs, every_n_layers, offload)

    def prepare(self, runtime: Runtime, cast_weights: bool = True) -> BiEncoder:
        """Move the weights to the runtime's device and fix the device, precision and batch size of every later
        ``encode``. ``cast_weights``: on a bf16 CPU also cast the weights to bf16 (``runtime.prepare_for_inference``);
        a model still training keeps its fp32 weights and runs under autocast only."""
        if cast_weights:
            prepare_for_inference(self, runtime.device, runtime.precision)
        else:
            self.to(runtime.device)
        self.runtime = runtime
        return self

    def encode(self, texts: Sequence[str], kind: str, description: str = "") -> np.ndarray:
        """[len(texts), dim] float32 vectors of questions (``kind="question"``) or passage windows, in
        length-sorted batches with dynamic padding, each text cut to its kind's length in the settings."""
        return self.encode_with(lambda batch: self.embed(kind, batch), texts, kind, description)

    def encode_with(
        self, forward: Callable[[dict], torch.Tensor], texts: Sequence[str], kind: str, description: str = ""
    ) -> np.ndarray:
        """``encode`` with another engine's ``forward`` (padded batch -> pooled vectors): this encoder's
        tokenization, lengths and batching, so that only the engine differs (``encoders/onnx_backend.py``)."""
        max_length = self.settings.max_query_length if kind == "question" else self.settings.max_passage_length
        was_training = self.training
        self.eval()
        encodings = tokenize(self.tokenizer, texts, max_length=max_length)
        vectors = run_batched(
            self.tokenizer,
            encodings,
            forward,
            self.runtime,
            description,
            unit=kind[0] if not description else f" {kind}s",
        )
        self.train(was_training)
        return vectors.reshape(len(texts), -1) if len(texts) else np.zeros((0, self.dimension), np.float32)

    def windows(self, corpus: Corpus) -> WindowedCorpus:
        """The corpus cut into the windows this encoder embeds (its passage length, less special tokens)."""
        tokens = self.settings.window_tokens(self.tokenizer, pair=False)
        return WindowedCorpus(corpus, self.tokenizer, tokens, self.settings.stride)

    def passage_fingerprint(self) -> str:
        """What a passage's vectors depend on: the saved passage encoder, its tokenizer and the settings."""
        if self.source is None:
            raise ValueError("a fingerprint needs an encoder loaded from a directory")
        first, passages = self.directory_names()[0], self.directory_names()[-1]
        return combine(
            encoder=directory_digest(self.source / passages),
            tokenizer=directory_digest(self.source / first, TOKENIZER_FILES),
            pooling=self.pooling,
            max_length=self.settings.max_passage_length,
            stride=self.settings.stride,
        )

    @property
    def dimension(self) -> int:
        return self.question_model.config.hidden_size

    def directory_names(self) -> list[str]:
        return ["encoder"] if self.shared else ["question_encoder", "passage_encoder"]

    def encoder_directories(self) -> dict[str, nn.Module]:
        return dict(zip(self.directory_names(), [self.question_model, self.passage_encoder]))

    def save(self, directory: str | Path, run_record: dict) -> None:
        """Write every encoder with ``save_pretrained`` + tokenizer + ``train_config.json`` (the run's record and
        these settings), replacing ``directory`` atomically."""
        config = {**run_record, **self.settings.to_config(), "encoder": "bi"}
        with atomic_directory(directory, keep=TRAINING_STATE) as staging:
            for name, model in self.encoder_directories().items():
                target = staging / name
                model.save_pretrained(target)
                self.tokenizer.save_pretrained(target)
                write_sentence_transformers_config(
                    target, self.pooling, model.config.hidden_size, self.settings.max_passage_length
                )
                write_json(target / CONFIG_NAME, {**config, "role": name})
                write_model_card(target, config, name, Path(directory).resolve() / name)
            write_json(staging / CONFIG_NAME, config)
            write_model_card(staging, config, "bi_encoder", Path(directory).resolve())

    @classmethod
    def load(cls, directory: str | Path, flag: str = "--input_directory", trust_remote_code: bool = False) -> BiEncoder:
        from transformers import AutoModel

        directory = Path(directory)
        config = read_train_config(directory, "bi", flag, TRAIN_HINT)
        settings = BiEncoderSettings.from_config(config, str(directory / CONFIG_NAME))
        names = ["encoder"] if settings.shared_encoder else ["question_encoder", "passage_encoder"]
        models = [load_model(AutoModel, directory / name, flag, trust_remote_code) for name in names]
        tokenizer = load_tokenizer(str(directory / names[0]), flag, trust_remote_code)
        check_tokenizer_matches(tokenizer, models[0], str(directory / names[0]), flag)
        return cls(models[0], models[-1], tokenizer, settings, directory)


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
