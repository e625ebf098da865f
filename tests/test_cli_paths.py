"""Paths through rerank.py and train.py that other tests leave untried, each a real in-process run judged by what
it leaves behind: --window_pooling mean and first, --index_dtype, --loss bce, --gradient_accumulation_steps, and
cross-encoder negatives mined by the bi-encoder of --negatives_from."""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from sharpened_cross_encoder import sharpen_cross_encoder

import rerank
import train
from data_utils import load_corpus, load_qa

pytestmark = pytest.mark.usefixtures("single_thread")

CPU = ["--precision", "fp32", "--device", "cpu"]
LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]
TRAIN_RUNTIME = [*CPU, "--quiet", "--logging_steps", "1", "--save_steps", "100000"]


def run_main(main, argv: list) -> str:
    """A CLI's ``main`` in-process (exit status 0 asserted); returns what it printed to stdout."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        assert main([str(arg) for arg in argv]) == 0
    return printed.getvalue()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def loss_records(directory: Path) -> list[dict]:
    return [record for record in read_jsonl(directory / "log.jsonl") if "loss" in record]


# ---------------------------------------------------------------------------------------------
# rerank.py --window_pooling


POOLINGS = ("max", "mean", "first")
QUESTIONS_CHECKED = 6


@pytest.fixture(scope="module")
def pooled_runs(saved, corpus_file, squad_files, tmp_path_factory) -> tuple[Path, dict[str, list[dict]]]:
    """BM25's whole list (every passage) reranked under each --window_pooling; returns (cross_encoder/, pooling ->
    predictions). The head of the untrained cross-encoder is scaled so that window scores differ visibly."""
    directory = tmp_path_factory.mktemp("pooling")
    shutil.copytree(saved / "cross_encoder", directory / "input" / "cross_encoder")
    # Negated: unnegated, this random model scores the first window of each long passage highest (hiding "first").
    sharpen_cross_encoder(directory / "input" / "cross_encoder", factor=-1000.0)
    passages = len(load_corpus(corpus_file))
    runs = {}
    for pooling in POOLINGS:
        output = directory / f"out-{pooling}"
        run_main(rerank.main, [
            "--input_directory", directory / "input", "--corpus", corpus_file, "--queries", squad_files["validation"],
            "--retriever", "bm25", "--bm25_tokenizer", "whitespace", "--top_k_retrieval", passages,
            "--top_k", passages, "--window_pooling", pooling, "--output_directory", output, *CPU,
        ])  # fmt: skip
        runs[pooling] = read_jsonl(output / "predictions.jsonl")
    return directory / "input" / "cross_encoder", runs


def test_window_pooling_mean_and_first_score_a_long_passage_from_its_windows(pooled_runs, corpus_file):
    """Catches in reranking.WINDOW_POOLINGS: `"mean": ... float(scores.mean())` -> `float(scores.max())`, and
    `"first": ... float(scores[0])` -> `float(scores[-1])` (or rerank.py passing "max" whatever --window_pooling)."""
    from encoders.cross_encoder import CrossEncoder
    from runtime import Runtime

    cross_directory, runs = pooled_runs
    corpus = load_corpus(corpus_file)
    encoder = CrossEncoder.load(cross_directory).prepare(Runtime())
    windows = encoder.windows(corpus)
    long_passages = [pid for pid in corpus.ids if len(windows.windows_of(pid)) > 1]
    assert long_passages  # the corpus has passages of several windows
    distinct = {"mean": 0, "first": 0}  # (question, long passage) pairs scored apart from max
    for number in range(QUESTIONS_CHECKED):
        written = {pooling: runs[pooling][number] for pooling in POOLINGS}
        assert len({record["id"] for record in written.values()}) == 1
        [question] = encoder.truncate_questions([written["max"]["question"]])
        scores = {
            pooling: dict(zip(record["rerank"]["ids"], record["rerank"]["scores"]))
            for pooling, record in written.items()
        }
        assert all(set(pooled) == set(corpus.ids) for pooled in scores.values())
        for pid in long_passages:
            texts = windows.windows_of(pid)
            window_scores = encoder.score([question] * len(texts), texts)
            assert scores["max"][pid] == pytest.approx(float(window_scores.max()), abs=1e-3)
            assert scores["mean"][pid] == pytest.approx(float(window_scores.mean()), abs=1e-3)
            assert scores["first"][pid] == pytest.approx(float(window_scores[0]), abs=1e-3)
            first_alone = encoder.score([question], texts[:1])[0]  # the first window scored on its own
            assert scores["first"][pid] == pytest.approx(float(first_alone), abs=1e-3)
            for pooling in ("mean", "first"):
                distinct[pooling] += abs(scores[pooling][pid] - scores["max"][pid]) > 1e-2
        for pid in set(corpus.ids) - set(long_passages):  # one window: every pooling gives the same score
            assert scores["mean"][pid] == pytest.approx(scores["max"][pid], abs=1e-4)
            assert scores["first"][pid] == pytest.approx(scores["max"][pid], abs=1e-4)
        for record in written.values():  # each list is ordered by its own pooled scores
            assert record["rerank"]["scores"] == sorted(record["rerank"]["scores"], reverse=True)
    assert min(distinct.values()) >= QUESTIONS_CHECKED  # mean and first really differ from max on long passages


# ---------------------------------------------------------------------------------------------
# rerank.py --index_dtype


def test_index_dtype_float32_is_stored_and_float16_is_the_default(saved, corpus_file, squad_files, tmp_path):
    """Catches in rerank.pipeline_settings: `index_dtype=args.index_dtype` -> `index_dtype="float16"` (and in
    retrieval/dense.open_dense_retriever's build: `vectors.astype(dtype)` -> `vectors.astype("float16")`)."""
    shutil.copytree(saved / "bi_encoder", tmp_path / "input" / "bi_encoder")
    args = [
        "--input_directory", tmp_path / "input", "--corpus", corpus_file, "--queries", squad_files["validation"],
        "--retriever", "dense", "--stages", "retrieve", "--top_k_retrieval", 5, "--top_k", 5, *CPU,
    ]  # fmt: skip
    index = tmp_path / "input" / "index" / "dense"
    rankings = {}
    for dtype, flags in (("float16", []), ("float32", ["--index_dtype", "float32"])):
        stdout = run_main(rerank.main, [*args, *flags, "--output_directory", tmp_path / dtype])
        assert "index: built" in stdout  # the float32 index is not the float16 one reused
        assert np.load(index / "embeddings.npy").dtype == np.dtype(dtype)
        assert json.loads((index / "meta.json").read_text(encoding="utf-8"))["dtype"] == dtype
        rankings[dtype] = [
            record["retrieve"]["ids"][0] for record in read_jsonl(tmp_path / dtype / "predictions.jsonl")
        ]
    stdout = run_main(rerank.main, [*args, "--index_dtype", "float32", "--output_directory", tmp_path / "again"])
    assert "index: reused" in stdout
    # Storage precision changes the vectors' rounding, not what is retrieved first (ties aside).
    agree = sum(a == b for a, b in zip(rankings["float16"], rankings["float32"]))
    assert agree >= 0.9 * len(rankings["float16"])


# ---------------------------------------------------------------------------------------------
# train.py --encoder cross --loss bce


@pytest.mark.parametrize(("loss", "expected"), [("bce", math.log(2)), ("lce", math.log(4))])
def test_cross_encoder_first_loss_is_that_of_a_fresh_head(loss, expected, tiny_model, squad_files, tmp_path):
    """Catches in encoders/losses.CROSS_ENCODER_LOSSES: `"bce": pointwise_bce_loss` -> `"bce": local_contrastive_loss`
    (and train.chosen_loss ignoring --loss): a fresh head's BCE is ln 2 per pair, its LCE ln(group size)."""
    stdout = run_main(train.main, [
        "--encoder", "cross", "--model", tiny_model, "--train_data", squad_files["train"], *LENGTHS, *TRAIN_RUNTIME,
        "--loss", loss, "--negatives", "bm25", "--bm25_tokenizer", "whitespace", "--group_size", 4,
        "--train_batch_size", 4, "--max_steps", 1, "--output_directory", tmp_path,
    ])  # fmt: skip
    directory = tmp_path / "cross_encoder"
    assert f"saved cross-encoder to {directory}" in stdout
    [first] = loss_records(directory)
    assert first["step"] == 1
    assert first["loss"] == pytest.approx(expected, abs=0.1)  # BM25 negatives fill every group of 4
    assert json.loads((directory / "train_config.json").read_text(encoding="utf-8"))["loss"] == loss
    from encoders.cross_encoder import CrossEncoder

    assert CrossEncoder.load(directory).model.config.num_labels == 1  # saved, and loads as a cross-encoder


# ---------------------------------------------------------------------------------------------
# train.py --gradient_accumulation_steps


@pytest.fixture(scope="module")
def no_dropout_model(tiny_model, tmp_path_factory) -> Path:
    """The tiny BERT without dropout: the same batches give the same losses in every run."""
    directory = tmp_path_factory.mktemp("no-dropout") / "model"
    shutil.copytree(tiny_model, directory)
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


def test_gradient_accumulation_makes_each_step_two_batches(no_dropout_model, squad_files, tmp_path):
    """Catches in train.trainer_arguments: `gradient_accumulation_steps=args.gradient_accumulation_steps` ->
    `gradient_accumulation_steps=1` (and a loss not averaged over the accumulated batches)."""
    batch = 4
    batches_per_epoch = math.ceil(len(load_qa(squad_files["train"]).questions) / batch)
    base = [
        "--encoder", "bi", "--model", no_dropout_model, "--train_data", squad_files["train"], "--pooling", "mean",
        "--train_batch_size", batch, "--lr", "1e-12", *LENGTHS, *TRAIN_RUNTIME,
    ]  # fmt: skip
    # --lr 1e-12: the weights stay put, so a batch has the same loss whichever step trains it.
    run_main(train.main, [*base, "--max_steps", 4, "--output_directory", tmp_path / "one"])
    run_main(train.main, [*base, "--max_steps", 2, "--gradient_accumulation_steps", 2, "--output_directory",
                          tmp_path / "two"])  # fmt: skip
    single, accumulated = (loss_records(tmp_path / name / "bi_encoder") for name in ("one", "two"))
    assert [record["step"] for record in single] == [1, 2, 3, 4]
    assert [record["step"] for record in accumulated] == [1, 2]
    for record in single:
        assert record["epoch"] == pytest.approx(record["step"] / batches_per_epoch)
    for record in accumulated:  # each optimizer step consumed two batches
        assert record["epoch"] == pytest.approx(2 * record["step"] / batches_per_epoch)
    # The logged loss of an accumulated step is the mean of its two batches' losses.
    batch_losses = [record["loss"] for record in single]
    assert accumulated[0]["loss"] == pytest.approx((batch_losses[0] + batch_losses[1]) / 2, rel=1e-3)
    assert accumulated[1]["loss"] == pytest.approx((batch_losses[2] + batch_losses[3]) / 2, rel=1e-3)
    config = json.loads((tmp_path / "two" / "bi_encoder" / "train_config.json").read_text(encoding="utf-8"))
    assert config["gradient_accumulation_steps"] == 2


# ---------------------------------------------------------------------------------------------
# train.py --negatives dense --negatives_from DIR


def test_dense_negatives_mined_by_the_bi_encoder_of_negatives_from(
    saved, squad_files, tiny_model, tmp_path, monkeypatch
):
    """Catches in train.negative_arguments: `negatives_from=args.negatives_from` -> `negatives_from=None` (and
    training/run.load_negatives ignoring --negatives_from, or build_examples dropping the mined lists)."""
    import training.run

    built = []

    def recording_build_examples(*args, **kwargs):
        built.append(examples := original(*args, **kwargs))
        return examples

    original = training.run.build_examples
    monkeypatch.setattr(training.run, "build_examples", recording_build_examples)
    source = tmp_path / "source"
    shutil.copytree(saved / "bi_encoder", source / "bi_encoder")
    output = tmp_path / "out"
    stdout = run_main(train.main, [
        "--encoder", "cross", "--model", tiny_model, "--train_data", squad_files["train"], *LENGTHS, *TRAIN_RUNTIME,
        "--negatives", "dense", "--negatives_from", source, "--mine_depth", 5, "--group_size", 3,
        "--train_batch_size", 4, "--max_steps", 1, "--output_directory", output,
    ])  # fmt: skip
    assert f"mining: built the index of the training passages in {source / 'index'}" in stdout
    assert (output / "cross_encoder" / "train_config.json").is_file()
    assert not (output / "index").exists()  # nothing mined under --output_directory
    [cache] = (source / "index").glob("mining-*-negatives-*.json")
    mined = json.loads(cache.read_text(encoding="utf-8"))
    data = load_qa(squad_files["train"])
    assert set(mined) == {question.id for question in data.questions}
    for question in data.questions:
        assert 1 <= len(mined[question.id]) <= 5
        assert not set(mined[question.id]) & set(question.gold_ids)
    [examples] = built
    assert all(example.negative_ids == tuple(mined[example.question_id]) for example in examples)
