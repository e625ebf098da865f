"""What an encoder needs at inference, saved with it and loaded with it.

train.py builds these from its flags and ``save`` writes them into ``train_config.json``
beside the run's other settings; ``load`` reads them back, so indexing, retrieval and
reranking take no length parameters and no tool restates a default. The defaults below
are the only place they are stated (train.py's flags take theirs from here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from errors import UserError

POOLINGS = ("cls", "mean")


@dataclass(frozen=True)
class EncoderSettings:
    """Lengths in tokens: a question, a passage window (special tokens included), and the overlap of windows."""

    max_query_length: int = 64
    max_passage_length: int = 384
    stride: int = 128

    @property
    def max_pair_length(self) -> int:
        """A cross-encoder pair's budget: the question's and the passage window's together."""
        return self.max_query_length + self.max_passage_length

    def window_tokens(self, tokenizer, pair: bool) -> int:
        """Passage tokens per window: the window budget less the special tokens the model adds around it."""
        return self.max_passage_length - tokenizer.num_special_tokens_to_add(pair=pair)

    def to_config(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], source: str = "train_config.json") -> EncoderSettings:
        """The settings recorded in a saved encoder's config; a field it lacks takes its default."""
        values = {}
        for field in fields(cls):
            if field.name not in config:
                continue
            value, expected = config[field.name], type(getattr(cls(), field.name))
            if type(value) is not expected:  # bool is no int here, and an int no str
                raise UserError(f"{source}: field {field.name!r} must be {expected.__name__}, got {value!r}")
            values[field.name] = value
        settings = cls(**values)
        settings.check(source)
        return settings

    def check(self, source: str) -> None:
        for name in ("max_query_length", "max_passage_length"):
            if getattr(self, name) < 1:
                raise UserError(f"{source}: {name} must be a positive integer, got {getattr(self, name)}")


@dataclass(frozen=True)
class BiEncoderSettings(EncoderSettings):
    """A bi-encoder's settings: also how token states pool to a vector, whether both sides share weights, and
    whether it was trained for binary passage codes (BPR, ``encoders/hashing.py``; searched with ``--index
    binary``)."""

    pooling: str = "cls"
    shared_encoder: bool = False
    binary: bool = False

    def check(self, source: str) -> None:
        super().check(source)
        if self.pooling not in POOLINGS:
            raise UserError(f"{source}: pooling must be one of {', '.join(POOLINGS)}, got {self.pooling!r}")
