"""Inference backends: what runs a saved encoder once it is trained.

A backend loads a saved bi-encoder or cross-encoder directory and returns an object that
satisfies ``PassageEncoder`` or ``PairScorer`` with its device, precision and batch size
already fixed. The retrieval and reranking code uses only these protocols, so a second
backend is one new module with two loaders and one line in ``BACKENDS``; ``rerank.py
--backend`` takes its choices from there. ONNX Runtime (``onnx``) and OpenVINO (``openvino``)
run the same exported graphs (``encoders/exported_graphs.py``) and are optional installs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from encoders.settings import BiEncoderSettings, EncoderSettings
from encoders.windows import WindowedCorpus
from errors import UserError
from runtime import Runtime

if TYPE_CHECKING:
    from data_utils import Corpus


class PassageEncoder(Protocol):
    """A bi-encoder ready for inference: question and passage vectors whose dot product ranks passages."""

    settings: BiEncoderSettings
    runtime: Runtime
    tokenizer: object
    dimension: int

    def encode(self, texts: Sequence[str], kind: str, description: str = "") -> np.ndarray: ...

    def windows(self, corpus: Corpus) -> WindowedCorpus: ...

    def passage_fingerprint(self) -> str: ...


class PairScorer(Protocol):
    """A cross-encoder ready for inference: one relevance score per (question, passage window) pair."""

    settings: EncoderSettings
    runtime: Runtime

    def score(self, questions: Sequence[str], passages: Sequence[str], description: str = "") -> np.ndarray: ...

    def windows(self, corpus: Corpus) -> WindowedCorpus: ...

    def truncate_questions(self, questions: Sequence[str]) -> list[str]: ...


def check_finite(values: np.ndarray, what: str) -> np.ndarray:
    """``values`` when every one is a number; NaN or inf (a damaged or diverged model) would rank at random."""
    bad = int(np.size(values) - np.isfinite(values).sum())
    if bad:
        raise UserError(
            f"{what} hold {bad} NaN or inf values: the model's weights are damaged or its training diverged; "
            "retrain it (a lower --lr)"
        )
    return values


@dataclass(frozen=True)
class Backend:
    """Two loaders: a saved encoder directory, the runtime, the flag that named the directory and whether the
    model may run its own code (``--trust_remote_code``) -> a prepared encoder."""

    load_bi_encoder: Callable[[Path, Runtime, str, bool], PassageEncoder]
    load_cross_encoder: Callable[[Path, Runtime, str, bool], PairScorer]


def load_torch_bi_encoder(directory: Path, runtime: Runtime, flag: str, trust_remote_code: bool) -> PassageEncoder:
    from encoders.bi_encoder import BiEncoder

    return BiEncoder.load(directory, flag, trust_remote_code).prepare(runtime)


def load_torch_cross_encoder(directory: Path, runtime: Runtime, flag: str, trust_remote_code: bool) -> PairScorer:
    from encoders.cross_encoder import CrossEncoder

    return CrossEncoder.load(directory, flag, trust_remote_code).prepare(runtime)


def exported(module: str) -> Backend:
    """The backend whose engine is ``module``'s ``ENGINE``, running the exported graphs of
    ``encoders/exported_graphs.py``; imported when a loader is called, as the engine is an optional install."""

    def loader(kind: str) -> Callable:
        def load(directory: Path, runtime: Runtime, flag: str, trust_remote_code: bool):
            from importlib import import_module

            from encoders import exported_graphs

            load_exported = getattr(exported_graphs, f"load_{kind}_encoder")
            return load_exported(import_module(module).ENGINE, directory, runtime, flag, trust_remote_code)

        return load

    return Backend(loader("bi"), loader("cross"))


BACKENDS: dict[str, Backend] = {
    "torch": Backend(load_torch_bi_encoder, load_torch_cross_encoder),
    "onnx": exported("encoders.onnx_backend"),
    "openvino": exported("encoders.openvino_backend"),
}
