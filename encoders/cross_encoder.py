"""The cross-encoder: a sequence-classification model with one logit over ``[CLS] question [SEP] passage [SEP]``.

Built with ``AutoModelForSequenceClassification`` and the tokenizer's own pair
encoding, so BERT, RoBERTa (no token type ids) and ELECTRA need no code changes.
A saved directory loads with ``AutoModelForSequenceClassification.from_pretrained``
and with ``sentence_transformers.CrossEncoder``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from encoders.batching import run_batched, tokenize
from encoders.model_card import write_model_card
from encoders.pretrained import (
    CONFIG_NAME,
    TRAINING_STATE,
    check_tokenizer_matches,
    load_model,
    load_tokenizer,
    read_train_config,
)
from encoders.settings import EncoderSettings
from encoders.windows import WindowedCorpus, truncate_text
from errors import UserError
from file_utils import atomic_directory, write_json
from runtime import Runtime, prepare_for_inference

if TYPE_CHECKING:
    import torch

    from data_utils import Corpus

TRAIN_HINT = "python train.py --encoder cross --output_directory DIR"


class CrossEncoder:
    """A one-logit sequence classifier with its tokenizer, settings and inference runtime."""

    def __init__(self, model, tokenizer, settings: EncoderSettings | None = None):
        self.model = model
        self.tokenizer = tokenizer
        self.settings = settings or EncoderSettings()
        self.runtime = Runtime()

    @classmethod
    def build(
        cls, model_name: str, settings: EncoderSettings | None = None, trust_remote_code: bool = False
    ) -> CrossEncoder:
        """A pretrained encoder with a fresh one-logit classification head."""
        from transformers import AutoModelForSequenceClassification

        tokenizer = load_tokenizer(model_name, trust_remote_code=trust_remote_code)
        model = load_model(
            AutoModelForSequenceClassification, model_name, trust_remote_code=trust_remote_code, num_labels=1
        )
        check_tokenizer_matches(tokenizer, model, model_name)
        if model.config.pad_token_id is None:
            model.config.pad_token_id = tokenizer.pad_token_id
        return cls(model, tokenizer, settings)

    @classmethod
    def load(
        cls, directory: str | Path, flag: str = "--input_directory", trust_remote_code: bool = False
    ) -> CrossEncoder:
        from transformers import AutoModelForSequenceClassification

        config = read_train_config(directory, "cross", flag, TRAIN_HINT)
        settings = EncoderSettings.from_config(config, str(Path(directory) / CONFIG_NAME))
        model = load_model(AutoModelForSequenceClassification, directory, flag, trust_remote_code)
        if model.config.num_labels != 1:
            raise UserError(f"{flag} {directory}: expected a one-logit cross-encoder, found {model.config.num_labels}")
        tokenizer = load_tokenizer(str(directory), flag, trust_remote_code)
        check_tokenizer_matches(tokenizer, model, str(directory), flag)
        return cls(model, tokenizer, settings)

    def save(self, directory: str | Path, run_record: dict) -> None:
        """``save_pretrained`` + tokenizer + ``train_config.json`` (the run's record and these settings),
        replacing ``directory`` atomically."""
        config = {**run_record, **self.settings.to_config(), "max_length": self.settings.max_pair_length}
        with atomic_directory(directory, keep=TRAINING_STATE) as staging:
            self.model.save_pretrained(staging)
            self.tokenizer.save_pretrained(staging)
            write_json(staging / CONFIG_NAME, {**config, "encoder": "cross"})
            write_model_card(staging, {**config, "encoder": "cross"}, "cross_encoder", Path(directory).resolve())

    def prepare(self, runtime: Runtime, cast_weights: bool = True) -> CrossEncoder:
        """Move the weights to the runtime's device and fix the device, precision and batch size of every later
        ``score``. ``cast_weights``: on a bf16 CPU also cast the weights to bf16 (``runtime.prepare_for_inference``);
        a model still training keeps its fp32 weights and runs under autocast only."""
        if cast_weights:
            prepare_for_inference(self.model, runtime.device, runtime.precision)
        else:
            self.model.to(runtime.device)
        self.runtime = runtime
        return self

    def score(self, questions: Sequence[str], passages: Sequence[str], description: str = "") -> np.ndarray:
        """One relevance score per (question, passage) pair, in length-sorted batches with dynamic padding,
        each pair cut to the question and window lengths of the settings together."""
        return self.score_with(lambda batch: self.model(**batch).logits[:, 0], questions, passages, description)

    def score_with(
        self,
        forward: Callable[[dict], torch.Tensor],
        questions: Sequence[str],
        passages: Sequence[str],
        description: str = "",
    ) -> np.ndarray:
        """``score`` with another engine's ``forward`` (padded batch -> one score a pair): this encoder's
        tokenization, lengths and batching, so that only the engine differs (``encoders/onnx_backend.py``)."""
        was_training = self.model.training
        self.model.eval()
        encodings = tokenize(self.tokenizer, questions, passages, max_length=self.settings.max_pair_length)
        scores = run_batched(
            self.tokenizer,
            encodings,
            forward,
            self.runtime,
            description,
            unit=" pairs",
        )
        self.model.train(was_training)
        return scores.reshape(len(questions))

    def windows(self, corpus: Corpus) -> WindowedCorpus:
        """The corpus cut into the windows this encoder scores (its passage length, less a pair's special tokens)."""
        tokens = self.settings.window_tokens(self.tokenizer, pair=True)
        return WindowedCorpus(corpus, self.tokenizer, tokens, self.settings.stride)

    def truncate_questions(self, questions: Sequence[str]) -> list[str]:
        """Each question cut to the question length of the settings, so that it never eats the passage's budget."""
        return truncate_text(self.tokenizer, questions, self.settings.max_query_length)
