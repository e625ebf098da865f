"""BPR end to end: ``train.py --binary`` trains by the hash schedule and saves the setting, validation ranks by the
codes, and ``rerank.py`` searches such a bi-encoder with the binary index (and refuses one for a float encoder)."""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest
from reliability_helpers import error_line

import rerank
from encoders.hashing import sign_codes
from errors import UserError
from metrics import ranking_metrics
from retrieval.dense import exact_search

LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]
BINARY_FLAGS = ["--encoder", "bi", "--binary", "--pooling", "mean", "--lr", "1e-3", "--train_batch_size", "8"]
RUNTIME = ["--precision", "fp32", "--device", "cpu", "--quiet", "--logging_steps", "1", "--no_weight_tuning"]


@pytest.fixture(scope="module")
def binary_run(single_thread, tiny_model, squad_files, tmp_path_factory):
    import train

    output = tmp_path_factory.mktemp("binary-run")
    data = ["--train_data", squad_files["train"], "--validation_data", squad_files["validation"]]
    argv = [*BINARY_FLAGS, *LENGTHS, *RUNTIME, "--model", tiny_model, *data, "--epochs", "4"]
    argv += ["--hashnet_gamma", "0.5", "--output_directory", output]
    with contextlib.redirect_stdout(io.StringIO()):
        assert train.main([str(arg) for arg in argv]) == 0
    return output


def test_binary_training_follows_the_hash_schedule_and_saves_the_setting(binary_run):
    records = [json.loads(line) for line in (binary_run / "bi_encoder" / "log.jsonl").read_text().splitlines()]
    logged = {record["step"]: record["hash_scale"] for record in records if "loss" in record}
    assert list(logged) == list(range(1, 49))  # 96 questions, 8 per batch, 4 epochs
    # each logged step's loss was computed at the slope of the step before it was counted
    assert logged == pytest.approx({step: math.sqrt(1 + 0.5 * (step - 1)) for step in logged}, abs=1e-4)
    config = json.loads((binary_run / "bi_encoder" / "train_config.json").read_text())
    assert config["binary"] is True and config["loss"] == "bpr" and config["hashnet_gamma"] == 0.5


def test_binary_training_beats_the_untrained_codes(binary_run, tiny_model, squad_files):
    from data_utils import load_qa
    from encoders.bi_encoder import BiEncoder
    from encoders.settings import BiEncoderSettings
    from runtime import Runtime
    from training.validation import bi_encoder_evaluator

    validation = load_qa(squad_files["validation"])
    trained = BiEncoder.load(binary_run / "bi_encoder")
    assert trained.settings.binary
    evaluate = bi_encoder_evaluator(validation, trained.windows(validation.corpus), Runtime(batch_size=128))
    settings = BiEncoderSettings(max_query_length=16, max_passage_length=64, stride=16, pooling="mean", binary=True)
    untrained = evaluate(BiEncoder.build(str(tiny_model), settings))
    assert evaluate(trained)["mrr@10"] >= untrained["mrr@10"] + 0.1  # measured: 0.48 against 0.34
    final = json.loads((binary_run / "bi_encoder" / "train_config.json").read_text())["final_metrics"]
    assert final["eval_mrr@10"] == pytest.approx(evaluate(trained)["mrr@10"], abs=1e-6)
    # validation ranked by the codes (as the binary index does), not by the float vectors
    texts, owners = trained.windows(validation.corpus).all_windows()
    trained.prepare(Runtime(batch_size=128), cast_weights=False)
    keys, queries = trained.encode(texts, "passage"), trained.encode([q.text for q in validation.questions], "question")
    golds = [{validation.corpus[g].id for g in question.gold_ids} for question in validation.questions]
    by = {}
    for name, passages in (("codes", sign_codes(keys)), ("floats", keys)):
        _, positions = exact_search(queries, passages, 20, owners)
        rankings = [[validation.corpus.ids[p] for p in row] for row in positions]
        by[name] = ranking_metrics(rankings, golds, (1, 5, 20))["mrr@10"]
    assert final["eval_mrr@10"] == pytest.approx(by["codes"], abs=1e-6) and by["codes"] != by["floats"]
    records = [json.loads(line) for line in (binary_run / "bi_encoder" / "log.jsonl").read_text().splitlines()]
    losses = [record["loss"] for record in records if "loss" in record]
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.5


def rerank_lists(input_directory, corpus_file, squad_files, tmp_path, *extra) -> list[dict]:
    output = tmp_path / "out"
    args = ["--input_directory", input_directory, "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--retriever", "dense", "--stages", "retrieve", "--top_k_retrieval", "6", "--output_directory", output]
    args += ["--device", "cpu", "--precision", "fp32", "--index_directory", tmp_path / "index", *extra]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert rerank.main([str(arg) for arg in args]) == 0
    return [json.loads(line)["retrieve"] for line in (output / "predictions.jsonl").read_text().splitlines()]


def test_rerank_searches_a_binary_bi_encoder_by_its_codes(binary_run, corpus_file, squad_files, tmp_path):
    """``--index auto`` is the binary index for a binary bi-encoder; its lists are the question vector · the
    passage codes (with ``--binary_k`` past every window), not the float vectors' dot products."""
    from data_utils import load_corpus, load_qa
    from encoders.bi_encoder import BiEncoder
    from runtime import Runtime

    lists = rerank_lists(binary_run, corpus_file, squad_files, tmp_path, "--binary_k", "100000")
    assert (tmp_path / "index" / "dense-binary" / "index.faiss").is_file()
    encoder = BiEncoder.load(binary_run / "bi_encoder").prepare(Runtime(batch_size=64))
    corpus = load_corpus(corpus_file)
    texts, owners = encoder.windows(corpus).all_windows()
    keys = encoder.encode(texts, "passage")
    questions = [question.text for question in load_qa(squad_files["validation"]).questions]
    queries = encoder.encode(questions, "question")
    scores, positions = exact_search(queries, sign_codes(keys), 6, owners)
    assert [row["ids"] for row in lists] == [[corpus.ids[p] for p in row] for row in positions]
    np.testing.assert_allclose([row["scores"] for row in lists], scores, rtol=1e-4, atol=1e-4)
    _, float_positions = exact_search(queries, keys, 6, owners)
    assert (positions != float_positions).any()  # the codes rank otherwise than the float vectors


def test_a_binary_index_of_a_float_bi_encoder_is_refused(saved, corpus_file, squad_files, tmp_path, capsys):
    from encoders.bi_encoder import BiEncoder
    from errors import run_cli
    from retrieval.dense import index_kind

    args = ["--input_directory", saved, "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--retriever", "dense", "--index", "binary", "--device", "cpu", "--output_directory", tmp_path]
    args += ["--index_directory", tmp_path / "index"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_cli(rerank.main, [str(arg) for arg in args]) == 2
    line = error_line(capsys.readouterr().err)
    assert "--index binary" in line and "--binary" in line.split("--index binary")[1]
    assert not (tmp_path / "index").exists()  # refused before anything was built
    float_encoder = BiEncoder.load(saved / "bi_encoder")
    with pytest.raises(UserError, match="trained without --binary"):
        index_kind("binary", float_encoder)
    assert index_kind("auto", float_encoder) == "exact"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--encoder", "cross", "--binary"], "--binary does nothing with --encoder cross"),
        (["--encoder", "bi", "--hashnet_gamma", "0.2"], "--hashnet_gamma does nothing without --binary"),
    ],
)
def test_binary_flags_that_would_do_nothing_are_named(argv, named, capsys):
    import train

    train.warn_unused_flags(argv, argv[1])
    assert named in capsys.readouterr().err
