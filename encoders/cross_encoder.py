"""The cross-encoder: a sequence-classification model with one logit over ``[CLS] question [SEP] passage [SEP]``.

Built with ``AutoModelForSequenceClassification`` and the tokenizer's own pair
encoding, so BERT, RoBERTa (no token type ids) and ELECTRA need no code changes.
A saved directory loads with ``AutoModelForSequenceClassification.from_pretrained``
and with ``sentence_transformers.CrossEncoder``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from encoders.batching import run_batched, tokenize
from encoders.pretrained import (
    CONFIG_NAME,
    TRAINING_STATE,
    check_tokenizer_matches,
    load_pretrained,
    load_tokenizer,
    read_train_config,
)
from errors import UserError
from file_utils import atomic_directory, write_json

TRAIN_HINT = "python train.py --encoder cross --output_directory DIR"


class CrossEncoder:
    def __init__(self, model, tokenizer):
        self.model = model
        self.tokenizer = tokenizer

    @classmethod
    def build(cls, model_name: str, trust_remote_code: bool = False) -> CrossEncoder:
        """A pretrained encoder with a fresh one-logit classification head."""
        from transformers import AutoModelForSequenceClassification

        tokenizer = load_tokenizer(model_name, trust_remote_code=trust_remote_code)
        model = load_pretrained(
            AutoModelForSequenceClassification, model_name, trust_remote_code=trust_remote_code, num_labels=1
        )
        check_tokenizer_matches(tokenizer, model, model_name)
        if model.config.pad_token_id is None:
            model.config.pad_token_id = tokenizer.pad_token_id
        return cls(model, tokenizer)

    @classmethod
    def load(cls, directory: str | Path, flag: str = "--input_directory") -> CrossEncoder:
        from transformers import AutoModelForSequenceClassification

        config = read_train_config(directory, "cross", flag, TRAIN_HINT)
        model = load_pretrained(AutoModelForSequenceClassification, directory, flag)
        if model.config.num_labels != 1:
            raise UserError(f"{flag} {directory}: expected a one-logit cross-encoder, found {model.config.num_labels}")
        tokenizer = load_tokenizer(str(directory), flag)
        check_tokenizer_matches(tokenizer, model, str(directory), flag)
        encoder = cls(model, tokenizer)
        encoder.settings = config
        return encoder

    def save(self, directory: str | Path, settings: dict) -> None:
        with atomic_directory(directory, keep=TRAINING_STATE) as staging:
            self.model.save_pretrained(staging)
            self.tokenizer.save_pretrained(staging)
            write_json(staging / CONFIG_NAME, {**settings, "encoder": "cross"})

    def score(
        self,
        questions: Sequence[str],
        passages: Sequence[str],
        max_length: int,
        batch_size: int = 64,
        device: torch.device | None = None,
        precision: str = "fp32",
        description: str = "",
    ) -> np.ndarray:
        """One relevance score per (question, passage) pair, in length-sorted batches with dynamic padding."""
        device = device or self.model.device
        was_training = self.model.training
        self.model.eval()
        encodings = tokenize(self.tokenizer, questions, passages, max_length=max_length)
        scores = run_batched(
            self.tokenizer,
            encodings,
            lambda batch: self.model(**batch).logits[:, 0],
            batch_size,
            device,
            precision,
            description,
            unit=" pairs",
        )
        self.model.train(was_training)
        return scores.reshape(len(questions))
