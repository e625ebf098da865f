"""Hostile input, one line per case: train.py or rerank.py run in their own processes (side by side) on a private
copy of a workspace, and each case states the exit status, the words its last stderr line must hold (the one
``error:`` line for status 2) and the workspace paths that must be byte-for-byte unchanged afterwards.

To add a case: one ``Case(...)`` line in ``CASES``. ``args`` may name these workspace paths: {model} (a tiny
BERT), {train} (SQuAD-style training data), {saved} (a bi- and cross-encoder as train.py saves them, the
bi-encoder with a previous run's checkpoint and log), {corpus}, {queries}, {out} (a fresh directory) and the
files of ``HOSTILE_FILES``; ``damage`` names a function of ``DAMAGE`` applied to the workspace first.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_helpers import ENV, ROOT

TRAIN = "--model {model} --train_data {train} --device cpu --precision fp32 --quiet --max_steps 2"
TRAIN += " --max_query_length 16 --max_passage_length 64 --stride 16"
RERANK = "--input_directory {saved} --corpus {corpus} --queries {queries} --device cpu --precision fp32"
RERANK += " --top_k_retrieval 4 --top_k 2 --retriever dense --output_directory {out}"


@dataclass(frozen=True)
class Case:
    name: str
    tool: str  # "train" or "rerank"
    args: str  # flags, with {placeholders} for workspace paths
    status: int  # expected exit status
    words: tuple[str, ...] = ()  # in the error line (status 2) or anywhere in stderr (status 0)
    unchanged: tuple[str, ...] = ()  # workspace paths (files or directories) that must keep their bytes
    damage: str = ""  # a key of DAMAGE, applied to the workspace before the run


CASES = [
    Case(
        "lr inf",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{saved}} --lr inf",
        2,
        ("--lr", "finite"),
        ("saved/bi_encoder",),
    ),  # fmt: skip
    Case(
        "weight decay nan",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{out}} --weight_decay nan",
        2,
        ("--weight_decay", "finite"),
    ),  # fmt: skip
    Case(
        "epochs inf",
        "train",
        f"--encoder cross {TRAIN} --output_directory {{saved}} --epochs inf",
        2,
        ("--epochs", "finite"),
        ("saved/cross_encoder",),
    ),  # fmt: skip
    Case(
        "negative seed", "train", f"--encoder bi {TRAIN} --output_directory {{out}} --seed -1", 2, ("--seed", "2**32")
    ),  # fmt: skip
    Case(
        "huge seed", "train", f"--encoder bi {TRAIN} --output_directory {{out}} --seed 99999999999999", 2, ("--seed",)
    ),  # fmt: skip
    Case(
        "mps device", "train", f"--encoder bi {TRAIN} --output_directory {{out}} --device mps", 2, ("--device mps",)
    ),  # fmt: skip
    Case(
        "zero max steps",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{out}} --max_steps 0",
        2,
        ("--max_steps", "-1 (no limit) or a positive integer"),
    ),  # fmt: skip
    Case(
        "negative max steps",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{out}} --max_steps -5",
        2,
        ("--max_steps", "got -5"),
    ),  # fmt: skip
    Case("meta device", "rerank", f"{RERANK} --device meta", 2, ("--device meta", "cpu or cuda")),
    Case(
        "diverging training",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{saved}} --lr 1e37 --warmup_ratio 0 --max_steps 3",
        2,
        ("training diverged", "nothing was saved"),
        ("saved/bi_encoder",),
    ),  # fmt: skip
    Case(
        "resume from a state missing fields",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{saved}} --resume",
        2,
        ("trainer_state.json", "'max_steps'"),
        ("saved/bi_encoder",),
        "state_missing_fields",
    ),  # fmt: skip
    Case(
        "resume from a state with a string log",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{saved}} --resume",
        2,
        ("'log_history'", "a list"),
        ("saved/bi_encoder",),
        "state_string_log",
    ),  # fmt: skip
    Case(
        "resume toggling the shared encoder",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{saved}} --resume --shared_encoder --allow_changed_settings",
        2,
        ("--shared_encoder True (was False)", "other weights"),
        ("saved/bi_encoder",),
        "recorded_run",
    ),  # fmt: skip
    Case(
        "cross-encoder with NaN weights",
        "rerank",
        RERANK,
        2,
        ("cross-encoder's scores", "NaN"),
        ("saved/bi_encoder", "saved/cross_encoder"),
        "nan_cross_encoder",
    ),  # fmt: skip
    Case(
        "bi-encoder with NaN weights",
        "rerank",
        RERANK,
        2,
        ("bi-encoder's passage vectors", "NaN"),
        ("saved/bi_encoder",),
        "nan_bi_encoder",
    ),  # fmt: skip
    Case(
        "train_config.json holding a list",
        "rerank",
        RERANK,
        2,
        ("train_config.json", "JSON object", "list"),
        ("saved/bi_encoder", "saved/cross_encoder"),
        "config_list",
    ),  # fmt: skip
    Case(
        "config.json with a text hidden_size",
        "rerank",
        RERANK,
        2,
        ("--input_directory", "cannot load"),
        ("saved/bi_encoder", "saved/cross_encoder"),
        "hidden_size_text",
    ),  # fmt: skip
    Case(
        "two questions with one id",
        "rerank",
        f"{RERANK} --queries {{duplicate_ids}}",
        2,
        ("question id '7'", "row 1", "row 2"),
        ("saved/bi_encoder", "saved/cross_encoder"),
    ),  # fmt: skip
    Case(
        "lone surrogates in corpus and queries",
        "rerank",
        f"{RERANK} --corpus {{surrogate_corpus}} --queries {{surrogate_queries}} --stages retrieve",
        0,
        ("surrogate_corpus.jsonl", "surrogate_queries.jsonl", "U+FFFD"),
    ),  # fmt: skip
    Case(
        "lone surrogate in training data",
        "train",
        f"--encoder bi {TRAIN} --output_directory {{out}} --train_data {{surrogate_train}}",
        0,
        ("U+FFFD",),
    ),
    Case(
        "CSV passage over the csv module's default limit",
        "rerank",
        f"{RERANK} --corpus {{long_passage}} --retriever bm25 --stages retrieve --bm25_tokenizer whitespace",
        0,
    ),
]

LONG = "word " * 30_000  # 150,000 characters: over the csv module's default field limit of 131,072
HOSTILE_FILES = {
    "duplicate_ids": (
        "duplicate_ids.jsonl",
        '{"id": "7", "question": "what naba?", "context": "the naba"}\n'
        '{"id": 7, "question": "where bunobe?", "context": "bunobe of"}\n',
    ),  # fmt: skip
    "surrogate_corpus": (
        "surrogate_corpus.jsonl",
        '{"id": "a", "text": "the naba \\ud800 here"}\n{"id": "b", "text": "bunobe of and is"}\n',
    ),  # fmt: skip
    "surrogate_queries": ("surrogate_queries.jsonl", '{"id": "1", "question": "what naba \\udc00?"}\n'),
    "surrogate_train": (
        "surrogate_train.jsonl",
        '{"id": "1", "question": "what \\ud800 naba?", "context": "the naba was here"}\n'
        '{"id": "2", "question": "where bunobe?", "context": "bunobe of and"}\n',
    ),  # fmt: skip
    "long_passage": ("long_passage.csv", f"id,title,text\nlong,t,{LONG}\nshort,t,the naba was here\n"),
}


def edit_json(path: Path, change) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")


def nan_weights(path: Path) -> None:
    """Every weight of one saved model file NaN, as training at an infinite learning rate leaves it."""
    import torch
    from safetensors.torch import load_file, save_file

    save_file({name: torch.full_like(tensor, float("nan")) for name, tensor in load_file(path).items()}, path)


def checkpoint_state(workspace: Path) -> Path:
    return workspace / "saved" / "bi_encoder" / "checkpoints" / "checkpoint-2" / "trainer_state.json"


DAMAGE = {
    "nan_cross_encoder": lambda ws: nan_weights(ws / "saved" / "cross_encoder" / "model.safetensors"),
    "nan_bi_encoder": lambda ws: nan_weights(ws / "saved" / "bi_encoder" / "passage_encoder" / "model.safetensors"),
    "config_list": lambda ws: edit_json(ws / "saved" / "cross_encoder" / "train_config.json", lambda _: []),
    "hidden_size_text": lambda ws: edit_json(
        ws / "saved" / "cross_encoder" / "config.json", lambda config: {**config, "hidden_size": "abc"}
    ),
    "state_missing_fields": lambda ws: edit_json(checkpoint_state(ws), lambda _: {"global_step": 2}),
    "state_string_log": lambda ws: edit_json(checkpoint_state(ws), lambda state: {**state, "log_history": "x"}),
    "recorded_run": lambda ws: (checkpoint_state(ws).parent.parent / "run_config.json").write_text(
        json.dumps({"encoder": "bi", "shared_encoder": False}), encoding="utf-8"
    ),
}


def digest(path: Path) -> str:
    """A hash of a file, or of every file (names and bytes) under a directory."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    hashed = hashlib.sha256()
    for file in files:
        hashed.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        hashed.update(file.read_bytes())
    return hashed.hexdigest() if files else "missing"


@pytest.fixture(scope="module")
def template(tmp_path_factory, saved, tiny_model, squad_files, corpus_file) -> Path:
    """The workspace every case copies: saved encoders with a previous run's checkpoint and log, and the files."""
    workspace = tmp_path_factory.mktemp("hostile-template")
    shutil.copytree(saved, workspace / "saved")
    bi = workspace / "saved" / "bi_encoder"
    state = {"global_step": 2, "max_steps": 4, "epoch": 0.5, "log_history": [{"step": 1, "loss": 2.0}]}
    (bi / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    checkpoint_state(workspace).write_text(json.dumps(state), encoding="utf-8")
    (bi / "log.jsonl").write_text('{"step": 1, "loss": 2.0}\n', encoding="utf-8")
    for name, text in HOSTILE_FILES.values():
        (workspace / name).write_text(text, encoding="utf-8")
    return workspace


def paths_of(workspace: Path, tiny_model: Path, squad_files: dict, corpus_file: Path) -> dict[str, Path]:
    paths = {"model": tiny_model, "train": squad_files["train"], "saved": workspace / "saved", "out": workspace / "out"}
    paths.update(corpus=corpus_file, queries=squad_files["validation"])
    paths.update({key: workspace / name for key, (name, _) in HOSTILE_FILES.items()})
    return paths


@pytest.fixture(scope="module")
def outcomes(template, tmp_path_factory, tiny_model, squad_files, corpus_file) -> dict[str, tuple]:
    """Every case run side by side; name -> (status, stderr, hashes before, hashes after)."""
    started = {}
    for case in CASES:
        workspace = tmp_path_factory.mktemp("hostile")
        shutil.copytree(template, workspace, dirs_exist_ok=True)
        if case.damage:
            DAMAGE[case.damage](workspace)
        before = {path: digest(workspace / path) for path in case.unchanged}
        args = case.args.format(**paths_of(workspace, tiny_model, squad_files, corpus_file)).split()
        command = [sys.executable, f"{case.tool}.py", *args]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        process = subprocess.Popen(command, cwd=ROOT, env=ENV, text=True, **pipes)
        started[case.name] = (process, workspace, before)
    results = {}
    try:
        for name, (process, workspace, before) in started.items():
            _, stderr = process.communicate(timeout=600)
            after = {path: digest(workspace / path) for path in before}
            results[name] = (process.returncode, stderr, before, after)
    finally:
        for process, _, _ in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case, outcomes):
    status, stderr, before, after = outcomes[case.name]
    assert status == case.status, stderr
    assert "Traceback" not in stderr, stderr
    if status == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert lines[-1].startswith("error: "), stderr
        assert not any(line.startswith("error:") for line in lines[:-1]), stderr
        text = lines[-1]
    else:
        text = stderr
    for word in case.words:
        assert word in text, stderr
    assert after == before, f"changed: {[path for path in before if after[path] != before[path]]}"
