"""Saved encoders as ONNX graphs, run by another engine (ONNX Runtime, OpenVINO): what their backends share.

Each saved model is exported once with ``torch.onnx.export`` (the ``torch.export``-based exporter): the
cross-encoder to its one logit, the bi-encoder's question and passage models to their pooled vectors (the
pooling is part of the graph). An export lives in ``<model directory>/onnx/`` beside the weights, with
``export.json`` holding its fingerprint (weight and tokenizer files, pooling, opset, torch version). It is
written into a staging directory and renamed into place, so a half-written export is never opened, and one
whose fingerprint differs from the model's is exported again. Every engine reads the same graphs.

A traced graph can bake a shape into a constant and then give wrong scores for other batches without a word;
so before an export is kept, the engine and torch score two batches of different shapes and the export is
refused when they disagree. The tokenization, lengths and length-sorted batching stay the torch encoder's
(``encode_with`` / ``score_with``), so only the engine differs. The torch model stays loaded beside the engine
(it holds the tokenizer and settings, and exports again when the fingerprint changes): one more copy of the
weights in memory, 90 MB for MiniLM, 440 MB for BERT-base.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from encoders.bi_encoder import BiEncoder, pool
from encoders.cross_encoder import CrossEncoder
from encoders.pretrained import first_line
from errors import UserError
from file_utils import atomic_directory, write_json
from fingerprints import combine, directory_digest
from runtime import Runtime

OPSET = 18
EXPORT_DIRECTORY = "onnx"
RECORD = "export.json"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
TOLERANCE = 1e-3  # fp32 graphs agree with torch to ~1e-6; a baked-in shape is off by far more
# sample inputs that differ in batch size and length, padded and not, for the export and its check
SAMPLE_QUESTIONS = ("what is this", "who wrote the longer of the two sample questions here")
SAMPLE_PASSAGES = ("a short passage", "a longer passage with more words than the first one, so that it is padded")

Runner = Callable[[dict[str, np.ndarray]], np.ndarray]  # named int64 inputs -> the graph's one output


@dataclass(frozen=True)
class Engine:
    """What runs the graphs: ``open(path, runtime)`` -> a runner; ``runtime(runtime)`` -> the runtime it really
    runs under (the precision it honours); ``packages``: the import names it needs besides the exporter's."""

    name: str  # the --backend value
    packages: tuple[str, ...]
    open: Callable[[Path, Runtime], Runner]
    runtime: Callable[[Runtime], Runtime]


def require(engine: Engine) -> None:
    """One line naming the missing package, when the exporter or the engine is not installed."""
    for package in ("onnx", "onnxscript", *engine.packages):  # onnxscript: the exporter writes graphs with it
        try:
            __import__(package)
        except ImportError:
            raise UserError(
                f"--backend {engine.name}: {package} is not installed; pip install -r requirements-onnx.txt, "
                "or use --backend torch"
            ) from None


class GraphOutput(torch.nn.Module):
    """The part of a model that an export holds: input tensors in ``names`` order -> one float tensor."""

    def __init__(self, model: torch.nn.Module, names: tuple[str, ...], pooling: str | None):
        super().__init__()
        self.model, self.names, self.pooling = model, names, pooling

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        inputs = dict(zip(self.names, tensors))
        if self.pooling is None:
            return self.model(**inputs).logits
        return pool(self.model(**inputs).last_hidden_state, inputs["attention_mask"], self.pooling)


def input_names(encoding) -> tuple[str, ...]:
    return tuple(name for name in INPUT_NAMES if name in encoding)


@contextlib.contextmanager
def quiet_exporter() -> Iterator[None]:
    """Keep the exporter's progress lines, warnings and log records (about optional packages such as
    torchvision) off the user's terminal; a failure still raises."""
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "torch.export", "torch._dynamo", "onnxscript")]
    levels = [logger.level for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def export_graph(module: GraphOutput, sample: dict[str, torch.Tensor], path: Path, what: str, backend: str) -> None:
    """Write ``module`` as an ONNX graph with dynamic batch and sequence axes; one line if the exporter fails."""
    from torch.export import Dim

    batch, sequence = Dim("batch"), Dim("sequence")
    shapes = (tuple({0: batch, 1: sequence} for _ in module.names),)
    arguments = tuple(sample[name] for name in module.names)
    try:
        with quiet_exporter():
            torch.onnx.export(
                module.eval(), arguments, str(path), input_names=list(module.names), output_names=["output"],
                opset_version=OPSET, dynamic_shapes=shapes, dynamo=True, external_data=False,
            )  # fmt: skip
    except Exception as error:
        model_type = getattr(getattr(module.model, "config", None), "model_type", type(module.model).__name__)
        raise UserError(
            f"--backend {backend}: exporting {what} (model type {model_type}) to ONNX failed: {first_line(error)}; "
            "use --backend torch"
        ) from error


def check_agreement(reference: np.ndarray, exported: np.ndarray, what: str, backend: str) -> None:
    """Refuse an export whose outputs differ from torch's on the sample batches."""
    gap = float(np.max(np.abs(reference - exported))) if reference.size else 0.0
    if not np.isfinite(gap) or gap > TOLERANCE * max(1.0, float(np.max(np.abs(reference)))):
        raise UserError(
            f"--backend {backend}: the exported graph of {what} gives outputs up to {gap:.3g} away from torch's on "
            "the same inputs (the exporter baked in a shape); use --backend torch"
        )


def sample_batch(tokenizer, pairs: bool, rows: slice) -> dict[str, torch.Tensor]:
    texts = list(SAMPLE_QUESTIONS[rows])
    second = list(SAMPLE_PASSAGES[rows]) if pairs else None
    return dict(tokenizer(texts, second, padding=True, truncation=True, max_length=64, return_tensors="pt"))


def graph_writer(module: GraphOutput, tokenizer, pairs: bool, what: str, engine: Engine) -> Callable[[Path], None]:
    """A function that exports ``module`` to a path and checks the graph, run by ``engine`` in fp32, against
    torch on two batch shapes."""

    def write(path: Path) -> None:
        export_graph(module, sample_batch(tokenizer, pairs, slice(None)), path, what, engine.name)
        run = engine.open(path, Runtime())
        for rows in (slice(None), slice(0, 1)):
            batch = sample_batch(tokenizer, pairs, rows)
            with torch.inference_mode():
                reference = module(*(batch[name] for name in module.names)).float().numpy()
            check_agreement(reference, run({name: batch[name].numpy() for name in module.names}), what, engine.name)

    return write


def saved_fingerprint(target: Path) -> str | None:
    """The fingerprint an export was made under; None when there is none or its record is damaged."""
    try:
        return json.loads((target / RECORD).read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None


def load_export(
    directory: Path, fingerprint: str, graphs: dict[str, Callable[[Path], None]], engine: Engine, runtime: Runtime
) -> dict[str, Runner]:
    """Runners over ``directory/onnx/<name>.onnx`` for each name of ``graphs``, exporting them all first (each
    ``graphs[name](path)`` writes one and checks it) unless the saved export carries ``fingerprint``."""
    target = directory / EXPORT_DIRECTORY
    if saved_fingerprint(target) != fingerprint or not all((target / f"{name}.onnx").is_file() for name in graphs):
        print(f"exporting {directory} to ONNX (once; kept in {target})")
        with atomic_directory(target) as staging:
            for name, write in graphs.items():
                write(staging / f"{name}.onnx")
            write_json(staging / RECORD, {"fingerprint": fingerprint})
    return {name: engine.open(target / f"{name}.onnx", runtime) for name in graphs}


def graph_fingerprint(**parts) -> str:
    """What an export depends on: ``parts`` (the weight files, the pooling), the opset and the exporter."""
    return combine(**parts, opset=OPSET, torch=torch.__version__)


def batch_forward(run: Runner, output: Callable[[np.ndarray], np.ndarray]) -> Callable[[dict], torch.Tensor]:
    """A ``forward`` for ``encode_with`` / ``score_with``: a padded torch batch -> the graph's output."""

    def forward(batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(output(run({k: v.cpu().numpy() for k, v in batch.items()}))))

    return forward


class ExportedBiEncoder:
    """A saved bi-encoder whose question and passage vectors come from exported graphs."""

    def __init__(self, encoder: BiEncoder, runners: dict[str, Runner]):
        self.encoder = encoder
        self.settings, self.tokenizer, self.dimension = encoder.settings, encoder.tokenizer, encoder.dimension
        self.runtime = encoder.runtime
        self.forwards = {kind: batch_forward(run, np.asarray) for kind, run in runners.items()}

    def encode(self, texts, kind: str, description: str = "") -> np.ndarray:
        return self.encoder.encode_with(self.forwards[kind], texts, kind, description)

    def windows(self, corpus):
        return self.encoder.windows(corpus)

    def passage_fingerprint(self) -> str:
        return self.encoder.passage_fingerprint()


class ExportedCrossEncoder:
    """A saved cross-encoder whose pair scores come from an exported graph."""

    def __init__(self, encoder: CrossEncoder, run: Runner):
        self.encoder = encoder
        self.settings, self.tokenizer, self.runtime = encoder.settings, encoder.tokenizer, encoder.runtime
        self.forward = batch_forward(run, lambda logits: logits[:, 0])

    def score(self, questions, passages, description: str = "") -> np.ndarray:
        return self.encoder.score_with(self.forward, questions, passages, description)

    def windows(self, corpus):
        return self.encoder.windows(corpus)

    def truncate_questions(self, questions):
        return self.encoder.truncate_questions(questions)


def load_bi_encoder(
    engine: Engine, directory: Path, runtime: Runtime, flag: str, trust_remote_code: bool
) -> ExportedBiEncoder:
    """The saved bi-encoder in ``directory`` run by ``engine``: one graph per saved encoder directory, so a
    shared encoder is exported once for questions and passages."""
    require(engine)
    encoder = BiEncoder.load(directory, flag, trust_remote_code)
    encoder.runtime = engine.runtime(runtime)
    names = input_names(encoder.tokenizer("a passage"))
    graphs, digests = {}, {}
    for name, model in encoder.encoder_directories().items():
        module = GraphOutput(model.float(), names, encoder.pooling)
        graphs[name] = graph_writer(module, encoder.tokenizer, False, str(directory / name), engine)
        digests[name] = directory_digest(directory / name)
    fingerprint = graph_fingerprint(**digests, pooling=encoder.pooling)
    runners = load_export(directory, fingerprint, graphs, engine, encoder.runtime)
    first, last = encoder.directory_names()[0], encoder.directory_names()[-1]
    return ExportedBiEncoder(encoder, {"question": runners[first], "passage": runners[last]})


def load_cross_encoder(
    engine: Engine, directory: Path, runtime: Runtime, flag: str, trust_remote_code: bool
) -> ExportedCrossEncoder:
    """The saved cross-encoder in ``directory`` run by ``engine``."""
    require(engine)
    encoder = CrossEncoder.load(directory, flag, trust_remote_code)
    encoder.runtime = engine.runtime(runtime)
    names = input_names(encoder.tokenizer("a question", "a passage"))
    module = GraphOutput(encoder.model.float(), names, None)
    graphs = {"cross": graph_writer(module, encoder.tokenizer, True, str(directory), engine)}
    fingerprint = graph_fingerprint(model=directory_digest(directory))
    return ExportedCrossEncoder(encoder, load_export(directory, fingerprint, graphs, engine, encoder.runtime)["cross"])
