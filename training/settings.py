"""The typed settings of a training run, built once from train.py's flags and passed inward as they are.

As in Tevatron: the model, the data and the negatives each get a small frozen dataclass, and the
Trainer's part is a ``TrainingArguments`` subclass that adds this project's fields instead of
copying the Trainer's. Nothing below train.py sees the argparse namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import TrainingArguments

from data_utils import ColumnNames
from encoders.hashing import HASHNET_GAMMA
from encoders.settings import EncoderSettings
from runtime import Runtime
from training.adapters import LoraSettings

DEFAULT_DATA = "./data/train_dataset"


@dataclass(frozen=True)
class HashingArguments:
    """BPR's training knobs (``train.py --binary``), the paper's defaults: how fast the hash slope grows, the
    candidate loss's margin, and the weights of its two losses (``encoders.losses.binary_passage_loss``)."""

    gamma: float = HASHNET_GAMMA
    margin: float = 0.1
    binary_weight: float = 1.0
    dense_weight: float = 1.0


@dataclass(frozen=True)
class DistillationArguments:
    """``train.py --teacher``: the trained cross-encoder whose scores the student learns, at what temperature."""

    teacher: str
    temperature: float = 1.0


@dataclass(frozen=True)
class ModelArguments:
    """Which encoder to train from which pretrained model, with what loss and inference settings."""

    encoder: str  # "bi" or "cross"
    model: str
    settings: EncoderSettings  # a BiEncoderSettings for the bi-encoder
    loss: str  # a key of encoders.losses.LOSSES[encoder]
    trust_remote_code: bool = False
    hashing: HashingArguments | None = None  # a binary (BPR) bi-encoder: its loss replaces ``loss``
    lora: LoraSettings | None = None  # train LoRA adapters instead of every weight (merged on save)
    num_layers: int | None = None  # cross-encoder: keep this many of the model's layers (a smaller reranker)
    distillation: DistillationArguments | None = None  # cross-encoder: learn a teacher's scores, not the labels


@dataclass(frozen=True)
class DataArguments:
    train_data: str
    validation_data: str | None
    columns: ColumnNames
    corpus: str | None = None  # MS MARCO / TREC: the passages that the qrels files name by id
    qrels: str | None = None  # judges --train_data's queries against ``corpus``
    validation_qrels: str | None = None  # judges --validation_data's queries against ``corpus``

    @property
    def uses_default_data(self) -> bool:
        return self.train_data == DEFAULT_DATA


@dataclass(frozen=True)
class NegativeArguments:
    """Where each question's negatives come from and how many a batch uses."""

    source: str | None  # None or "in-batch", "bm25", "dense", or a JSONL file
    flag: str  # the flag that named the source (--hard_negatives or --negatives), for messages
    per_question: int = 1  # bi-encoder: hard negatives per question in a batch
    group_size: int = 8  # cross-encoder: candidates per question, the positive included
    mine_depth: int = 100
    negatives_from: str | None = None  # directory holding bi_encoder/ for "dense" (default: the output directory)
    bm25_tokenizer: str = "char-ngram"
    bm25_ngram: int = 2
    cross_device: bool = False  # bi-encoder under torchrun: every rank's passages are negatives of every question


@dataclass
class RetrievalTrainingArguments(TrainingArguments):
    """The Trainer's arguments (``output_dir`` is the encoder's ``checkpoints/``) and this project's additions."""

    encoder_directory: str = ""  # where the trained encoder is saved
    resume: bool = False  # continue from the last complete checkpoint
    allow_changed_settings: bool = False  # --resume under settings other than the resumed run's
    quiet: bool = False  # no progress bar or per-step printing (log.jsonl still gets everything)
    precision: str = "fp32"  # resolved --precision, for validation and mining
    device_name: str = "cpu"  # resolved --device, for validation and mining
    tensorboard: bool = False  # --report_to tensorboard: event files in <encoder>/tensorboard/ (not the Trainer's)
    grad_cache_chunk_size: int = 0  # bi-encoder GradCache: texts per forward pass (0: off, the whole batch at once)

    @property
    def output_root(self) -> Path:
        """The --output_directory that holds the encoder directories and their indexes."""
        return Path(self.encoder_directory).parent

    def inference_runtime(self) -> Runtime:
        """Where mining runs: the training device and precision, at the validation batch size."""
        return Runtime(torch.device(self.device_name), self.precision, self.per_device_eval_batch_size)
