"""The exported-graph backends (``--backend onnx`` and ``openvino``): the same vectors and scores as torch, an
export made once and redone when the model changes, never a stale, half-written or wrong graph, and one line for
every way the export or the engine can fail."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sharpened_cross_encoder import sharpen_cross_encoder

import rerank
from encoders import exported_graphs
from encoders.backends import BACKENDS
from encoders.bi_encoder import BiEncoder
from encoders.settings import BiEncoderSettings
from errors import UserError, run_cli
from runtime import Runtime

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")
pytestmark = pytest.mark.usefixtures("single_thread")

ENGINES = ("onnx", "openvino")
QUESTIONS = ["what naba and bunobe ?", "where is the kirado", "the", "who wrote the longest question of these four"]
PASSAGES = ["the naba was here", "bunobe of and is " * 12, "kirado", "a b c d e f g h i j k l m n o p"]
CPU = Runtime(torch.device("cpu"), "fp32", batch_size=3)  # several batches of different lengths


def available(engine: str) -> None:
    pytest.importorskip("openvino" if engine == "openvino" else "onnxruntime")


def load(engine: str, kind: str, directory: Path, runtime: Runtime = CPU):
    backend = BACKENDS[engine]
    loader = backend.load_bi_encoder if kind == "bi" else backend.load_cross_encoder
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        encoder = loader(directory, runtime, "--input_directory", False)
    return encoder, printed.getvalue()


@pytest.fixture(scope="module")
def models(saved, tmp_path_factory) -> Path:
    """A copy of the saved untrained encoders, the cross-encoder's head sharpened so that scores spread."""
    directory = tmp_path_factory.mktemp("exported") / "saved"
    shutil.copytree(saved, directory)
    sharpen_cross_encoder(directory / "cross_encoder")
    return directory


@pytest.mark.parametrize("engine", ENGINES)
def test_vectors_and_scores_equal_torchs(engine, models):
    available(engine)
    torch_bi, _ = load("torch", "bi", models / "bi_encoder")
    torch_cross, _ = load("torch", "cross", models / "cross_encoder")
    bi, _ = load(engine, "bi", models / "bi_encoder")
    cross, _ = load(engine, "cross", models / "cross_encoder")
    for kind, texts in (("question", QUESTIONS), ("passage", PASSAGES)):
        np.testing.assert_allclose(bi.encode(texts, kind), torch_bi.encode(texts, kind), atol=1e-4)
    expected = torch_cross.score(QUESTIONS, PASSAGES)
    assert np.ptp(expected) > 0.1  # the sharpened head: a real spread to compare
    np.testing.assert_allclose(cross.score(QUESTIONS, PASSAGES), expected, rtol=1e-4, atol=1e-4)
    assert bi.passage_fingerprint() == torch_bi.passage_fingerprint()  # the same vectors: the same index
    assert bi.dimension == torch_bi.dimension and cross.truncate_questions(QUESTIONS) == torch_cross.truncate_questions(
        QUESTIONS
    )


def test_separate_question_and_passage_encoders_each_get_their_graph(tiny_model, tmp_path):
    """Swapping the question and passage graphs (``runners[first]`` <-> ``runners[last]``) fails here: the
    passage encoder's weights are changed so that the two encoders differ."""
    torch.manual_seed(0)
    encoder = BiEncoder.build(str(tiny_model), BiEncoderSettings(max_query_length=16, max_passage_length=32))
    with torch.no_grad():
        for parameter in encoder.passage_model.parameters():
            parameter.add_(0.05 * torch.randn_like(parameter))
    encoder.save(tmp_path / "bi", {})
    reference, _ = load("torch", "bi", tmp_path / "bi")
    exported, printed = load("onnx", "bi", tmp_path / "bi")
    assert sorted(path.name for path in (tmp_path / "bi" / "onnx").glob("*.onnx")) == [
        "passage_encoder.onnx",
        "question_encoder.onnx",
    ]
    for kind in ("question", "passage"):
        np.testing.assert_allclose(exported.encode(PASSAGES, kind), reference.encode(PASSAGES, kind), atol=1e-4)
    assert np.abs(reference.encode(PASSAGES, "question") - reference.encode(PASSAGES, "passage")).max() > 1e-2


def change_weights(directory: Path, kind: str) -> None:
    """Save the encoder in ``directory`` again with changed weights (the cross-encoder's scores reversed)."""
    if kind == "cross":
        sharpen_cross_encoder(directory, factor=-1.0)
        return
    encoder = BiEncoder.load(directory)
    with torch.no_grad():
        encoder.question_model.embeddings.word_embeddings.weight.mul_(-1.0)
    encoder.save(directory, {})


@pytest.mark.parametrize("kind", ["bi", "cross"])
def test_the_export_is_made_once_and_again_when_the_model_changes(models, tmp_path, kind):
    directory = tmp_path / f"{kind}_encoder"
    shutil.copytree(models / f"{kind}_encoder", directory)
    shutil.rmtree(directory / "onnx", ignore_errors=True)
    _, printed = load("onnx", kind, directory)
    assert "exporting" in printed
    graphs = sorted((directory / "onnx").glob("*.onnx"))
    stamps = [graph.stat().st_mtime_ns for graph in graphs]
    for engine in ENGINES:  # both engines read the one export
        available(engine)
        _, printed = load(engine, kind, directory)
        assert "exporting" not in printed and [graph.stat().st_mtime_ns for graph in graphs] == stamps
    shutil.copytree(directory / "onnx", tmp_path / "kept")  # saving replaces the directory: keep the old export
    change_weights(directory, kind)
    shutil.copytree(tmp_path / "kept", directory / "onnx")  # so that only its fingerprint can tell it is stale
    reference, _ = load("torch", kind, directory)
    exported, printed = load("onnx", kind, directory)
    assert "exporting" in printed
    if kind == "cross":
        got, expected = exported.score(QUESTIONS, PASSAGES), reference.score(QUESTIONS, PASSAGES)
    else:
        got, expected = exported.encode(PASSAGES, "passage"), reference.encode(PASSAGES, "passage")
    np.testing.assert_allclose(got, expected, atol=1e-3)


@pytest.mark.parametrize("damage", ["record removed", "record garbled", "other fingerprint", "graph removed"])
def test_a_damaged_or_stale_export_is_made_again(models, tmp_path, damage):
    directory = tmp_path / "cross_encoder"
    shutil.copytree(models / "cross_encoder", directory)
    load("onnx", "cross", directory)
    target = directory / "onnx"
    if damage == "record removed":
        (target / "export.json").unlink()
    elif damage == "record garbled":
        (target / "export.json").write_text("{not json", encoding="utf-8")
    elif damage == "other fingerprint":
        (target / "export.json").write_text(json.dumps({"fingerprint": "0" * 64}), encoding="utf-8")
    else:
        (target / "cross.onnx").unlink()
    _, printed = load("onnx", "cross", directory)
    assert "exporting" in printed and (target / "cross.onnx").is_file()


def test_a_graph_that_disagrees_with_torch_is_refused_and_nothing_is_kept(models, tmp_path, monkeypatch):
    """The exporter writing a graph that scores otherwise than the model (as a shape baked into a constant would)
    is caught by the check on two batch shapes; without ``check_agreement`` the wrong graph would be served."""
    directory = tmp_path / "cross_encoder"
    shutil.copytree(models / "cross_encoder", directory)
    shutil.rmtree(directory / "onnx", ignore_errors=True)
    real_export = exported_graphs.export_graph

    def export_a_different_model(module, sample, path, what, backend):
        changed = type(module)(module.model, module.names, module.pooling)
        with torch.no_grad():
            original = module.model.classifier.bias.clone()
            module.model.classifier.bias.add_(1.0)
            try:
                real_export(changed, sample, path, what, backend)
            finally:
                module.model.classifier.bias.copy_(original)

    monkeypatch.setattr(exported_graphs, "export_graph", export_a_different_model)
    with pytest.raises(UserError, match=r"--backend onnx: the exported graph of .* away from torch's"):
        load("onnx", "cross", directory)
    assert not (directory / "onnx").exists()
    assert not [path for path in directory.iterdir() if path.name.startswith(".onnx")]  # no staging left


def test_an_exporter_failure_is_one_line_naming_the_model_type(models, tmp_path, monkeypatch):
    directory = tmp_path / "bi_encoder"
    shutil.copytree(models / "bi_encoder", directory)
    shutil.rmtree(directory / "onnx", ignore_errors=True)

    def unsupported(*args, **kwargs):
        raise RuntimeError("Unsupported operator: aten::fancy\nmore lines of stack")

    monkeypatch.setattr(torch.onnx, "export", unsupported)
    with pytest.raises(UserError) as caught:
        load("onnx", "bi", directory)
    message = str(caught.value)
    assert "\n" not in message and "(model type bert)" in message and "aten::fancy" in message
    assert message.endswith("use --backend torch") and not (directory / "onnx").exists()


@pytest.mark.parametrize("missing", ["onnxruntime", "onnxscript"])
def test_a_missing_package_is_one_line_through_the_cli(
    models, corpus_file, squad_files, tmp_path, monkeypatch, missing
):
    monkeypatch.setitem(sys.modules, missing, None)
    args = ["--input_directory", models, "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--backend", "onnx", "--retriever", "dense", "--output_directory", tmp_path / "out"]
    args += ["--index_directory", tmp_path / "index", "--device", "cpu"]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        assert run_cli(rerank.main, [str(arg) for arg in args]) == 2
    lines = stderr.getvalue().strip().splitlines()
    assert lines == [f"error: --backend onnx: {missing} is not installed; pip install -r requirements-onnx.txt, "
                     "or use --backend torch"]  # fmt: skip


def test_precision_is_what_each_engine_runs(models):
    bi, printed = load("onnx", "bi", models / "bi_encoder", Runtime(torch.device("cpu"), "bf16"))
    assert bi.runtime.precision == "fp32" and "--backend onnx runs fp32 graphs" in printed
    available("openvino")
    cross, _ = load("openvino", "cross", models / "cross_encoder", Runtime(torch.device("cpu"), "bf16"))
    assert cross.runtime.precision == "bf16"


def test_rerank_cli_ranks_as_torch_does(models, corpus_file, squad_files, tmp_path):
    """``rerank.py --backend onnx``: every stage's ranking equal to ``--backend torch``'s (each with its own
    index, so that the ONNX run encodes the corpus itself)."""
    rankings = {}
    for engine in ("torch", "onnx"):
        args = ["--input_directory", models, "--corpus", corpus_file, "--queries", squad_files["validation"]]
        args += ["--backend", engine, "--retriever", "dense", "--output_directory", tmp_path / engine]
        args += ["--index_directory", tmp_path / f"index-{engine}", "--precision", "fp32", "--device", "cpu"]
        args += ["--top_k_retrieval", "8", "--top_k", "5"]
        with contextlib.redirect_stdout(io.StringIO()):
            assert rerank.main([str(arg) for arg in args]) == 0
        lines = (tmp_path / engine / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        rankings[engine] = [{key: value["ids"] for key, value in row.items() if "ids" in value} for row in records]
    assert rankings["onnx"] == rankings["torch"] and len(rankings["torch"]) == 36
    assert set(rankings["torch"][0]) == {"retrieve", "rerank"}
