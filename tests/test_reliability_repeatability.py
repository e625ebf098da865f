"""Repeated runs: the index is rebuilt when any part of its fingerprint changes, and the same seed, data and
device give the same numbers to the last digit."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
import torch
from reliability_helpers import CPU, DENSE, LENGTHS, built, read_jsonl, retrieve_args, run_rerank, tensors

import train

pytestmark = pytest.mark.usefixtures("single_thread")


# ---------------------------------------------------------------------------------------------
# 5. The index is rebuilt when any part of its fingerprint changes (weights and corpus: see test_rerank.py)


def edit_json(path: Path, edit) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def rename_vocabulary_word(tokenizer: dict) -> None:
    """'the' (in most passages) is no longer one token: it splits into letters; the vocabulary size is unchanged."""
    vocabulary = tokenizer["model"]["vocab"]
    vocabulary["theword"] = vocabulary.pop("the")


def test_index_rebuilt_when_tokenizer_pooling_or_lengths_change(saved, corpus_file, squad_files, tmp_path, capsys):
    directory = tmp_path / "input"
    shutil.copytree(saved / "bi_encoder", directory / "bi_encoder")
    bi = directory / "bi_encoder"

    def run() -> bool:
        return built(run_rerank(*retrieve_args(directory, corpus_file, squad_files["validation"])))

    assert run() and not run()
    predictions = read_jsonl(directory / "results" / "predictions.jsonl")
    changes = {
        # The tokenizer that splits and encodes the passages is read from the first encoder directory.
        "question encoder's tokenizer.json": (bi / "question_encoder" / "tokenizer.json", rename_vocabulary_word),
        "passage encoder's tokenizer.json": (bi / "passage_encoder" / "tokenizer.json", rename_vocabulary_word),
        "tokenizer_config.json": (
            bi / "question_encoder" / "tokenizer_config.json", lambda config: config.update(model_max_length=256)
        ),
        "max_passage_length": (bi / "train_config.json", lambda c: c.update(max_passage_length=48)),
        "stride": (bi / "train_config.json", lambda c: c.update(stride=8)),
        "pooling": (bi / "train_config.json", lambda c: c.update(pooling="cls")),
    }  # fmt: skip
    for change, (path, edit) in changes.items():
        edit_json(path, edit)
        capsys.readouterr()
        assert run(), f"the index was reused after a change of {change}"
        assert "stale" in capsys.readouterr().err
        assert not run(), f"the index was rebuilt twice after a change of {change}"
    assert read_jsonl(directory / "results" / "predictions.jsonl") != predictions


# ---------------------------------------------------------------------------------------------
# 7. Determinism: the same seed, data and device give the same numbers to the last digit


def test_training_twice_gives_identical_metrics_and_losses(tiny_model, squad_files, tmp_path):
    validation = str(squad_files["validation"])
    argv = ["--encoder", "bi", "--model", str(tiny_model), "--train_data", validation, "--validation_data", validation]
    argv += [*CPU, *LENGTHS, "--quiet", "--train_batch_size", "8", "--epochs", "1", "--logging_steps", "1"]
    argv += ["--save_steps", "100000", "--seed", "11"]
    runs = []
    for name in ("first", "second"):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert train.main([*argv, "--output_directory", str(tmp_path / name)]) == 0
        runs.append(tmp_path / name / "bi_encoder")
    first, second = (json.loads((run / "train_config.json").read_text(encoding="utf-8")) for run in runs)
    assert set(first["final_metrics"]) == {"eval_top1", "eval_top5", "eval_mrr@10"}
    assert first["final_metrics"] == second["final_metrics"]
    first_log, second_log = (read_jsonl(run / "log.jsonl") for run in runs)
    steps = [(record["step"], record["loss"], record["grad_norm"]) for record in first_log if "loss" in record]
    assert len(steps) == 5  # 36 questions, 8 per batch
    assert steps == [(record["step"], record["loss"], record["grad_norm"]) for record in second_log if "loss" in record]
    for name in ("question_encoder", "passage_encoder"):
        a, b = (tensors(run / name / "model.safetensors") for run in runs)
        assert all(torch.equal(a[key], b[key]) for key in a)


def test_rerank_twice_gives_identical_metrics_and_predictions(saved, corpus_file, squad_files, tmp_path):
    shutil.copytree(saved, tmp_path / "input")
    args = ["--input_directory", tmp_path / "input", "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--top_k_retrieval", "6", "--top_k", "3", *CPU, *DENSE]
    runs = []
    for name, extra in (("first", []), ("second", ["--rebuild_index"])):
        assert built(run_rerank(*args, "--output_directory", tmp_path / name, *extra))
        runs.append(tmp_path / name)
    first, second = (json.loads((run / "metrics.json").read_text(encoding="utf-8")) for run in runs)
    first.pop("seconds"), second.pop("seconds")  # wall-clock timings
    assert list(first["stages"]) == ["DPR", "DPR+CE"]
    assert first == second
    assert (runs[0] / "predictions.jsonl").read_bytes() == (runs[1] / "predictions.jsonl").read_bytes()
