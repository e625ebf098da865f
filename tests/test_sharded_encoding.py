"""Encoding the corpus in shards (``rerank.py --num_shards N --shard_index I``, or the ranks of ``torchrun``): the
merged index equals one process's, a shard killed while being written is redone alone, and a missing, foreign
or impossible shard is one line naming it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rerank
from errors import UserError, run_cli
from retrieval.shards import ShardPlan, passage_range, shard_directory, shard_plan

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
ENV["GLOO_SOCKET_IFNAME"] = "lo"  # loopback, whatever the host name resolves to (tests/distributed_helpers.py)


def rerank_args(saved, corpus_file, squad_files, index: Path, output: Path, *extra) -> list[str]:
    args = ["--input_directory", saved, "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--retriever", "dense", "--stages", "retrieve", "--top_k_retrieval", "6", "--index_directory", index]
    args += ["--device", "cpu", "--precision", "fp32", "--output_directory", output, *extra]
    return [str(arg) for arg in args]


def run_rerank(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = run_cli(rerank.main, args)
    return status, out.getvalue(), err.getvalue()


def dense_lists(output: Path) -> list[tuple[list[str], list[float]]]:
    records = [json.loads(line) for line in (output / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    return [(record["retrieve"]["ids"], record["retrieve"]["scores"]) for record in records]


def assert_same_index(index: Path, reference: Path) -> None:
    for name in ("owners.npy",):
        np.testing.assert_array_equal(np.load(index / name), np.load(reference / name))
    assert json.loads((index / "passage_ids.json").read_text()) == json.loads(
        (reference / "passage_ids.json").read_text()
    )
    # the same windows, encoded in other batches (other padding): equal to float tolerance
    np.testing.assert_allclose(np.load(index / "embeddings.npy"), np.load(reference / "embeddings.npy"), atol=2e-3)


def assert_same_lists(output: Path, reference: Path) -> None:
    for (ids, scores), (reference_ids, reference_scores) in zip(
        dense_lists(output), dense_lists(reference), strict=True
    ):
        assert ids == reference_ids
        np.testing.assert_allclose(scores, reference_scores, atol=1e-2)


@pytest.fixture(scope="module")
def one_process(saved, corpus_file, squad_files, tmp_path_factory) -> Path:
    """The index and lists of one process encoding everything (the reference)."""
    directory = tmp_path_factory.mktemp("one-process")
    status, _, err = run_rerank(rerank_args(saved, corpus_file, squad_files, directory / "index", directory / "out"))
    assert status == 0, err
    return directory


@pytest.mark.parametrize(("passages", "count"), [(0, 1), (1, 3), (5, 2), (17, 4), (100, 7), (60, 60)])
def test_the_shards_hold_every_passage_once_in_order(passages, count):
    positions = [p for index in range(count) for p in range(*passage_range(passages, index, count))]
    assert positions == list(range(passages))
    sizes = [end - start for start, end in (passage_range(passages, index, count) for index in range(count))]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize(
    ("num_shards", "shard_index", "environ", "expected"),
    [
        (None, None, {}, None),
        (1, None, {}, None),
        (4, None, {}, ShardPlan(4, None)),
        (4, 3, {}, ShardPlan(4, 3)),
        (None, None, {"WORLD_SIZE": "2", "RANK": "1", "LOCAL_RANK": "1"}, ShardPlan(2, 1)),
        (2, None, {"WORLD_SIZE": "2", "RANK": "0", "LOCAL_RANK": "0"}, ShardPlan(2, 0)),
        (4, 4, {}, "--shard_index 4: expected a shard from 0 to 3 (--num_shards 4)"),
        (4, -1, {}, "--shard_index -1: expected a shard from 0 to 3"),
        (0, None, {}, "--num_shards 0: expected 1 or more"),
        (None, 1, {}, "--shard_index 1: say how many shards there are too (--num_shards N)"),
        (4, None, {"WORLD_SIZE": "2", "RANK": "0"}, "--num_shards 4: under torchrun each of the 2 processes"),
        (None, 0, {"WORLD_SIZE": "2", "RANK": "0"}, "--shard_index: under torchrun each process encodes the shard"),
    ],
)
def test_shard_flags(num_shards, shard_index, environ, expected):
    if isinstance(expected, str):
        with pytest.raises(UserError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            shard_plan(num_shards, shard_index, environ)
    else:
        assert shard_plan(num_shards, shard_index, environ) == expected


@pytest.fixture(scope="module")
def two_shards(saved, corpus_file, squad_files, tmp_path_factory) -> tuple[Path, list[subprocess.CompletedProcess]]:
    """Two shards encoded at once by two processes (``rerank.py --num_shards 2 --shard_index I``)."""
    directory = tmp_path_factory.mktemp("two-shards")
    processes = []
    for index in range(2):
        args = rerank_args(saved, corpus_file, squad_files, directory / "index", directory / "out")
        argv = [sys.executable, "rerank.py", *args, "--num_shards", "2", "--shard_index", str(index)]
        processes.append(
            subprocess.Popen(argv, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    finished = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr[-3000:]
        finished.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return directory, finished


def test_two_shards_from_two_processes_merge_into_the_one_process_index(
    two_shards, one_process, saved, corpus_file, squad_files
):
    directory, encoded = two_shards
    for index, completed in enumerate(encoded):
        assert f"shard {index} of 2: wrote" in completed.stdout
        assert not (directory / "out" / "predictions.jsonl").exists()  # a shard run encodes and stops
    shards = directory / "index" / "shards"
    owners = [np.load(shard_directory(shards, index, 2) / "owners.npy") for index in range(2)]
    assert owners[0].max() < owners[1].min()  # each process its own passages
    status, out, err = run_rerank(
        rerank_args(saved, corpus_file, squad_files, directory / "index", directory / "out", "--num_shards", "2")
    )
    assert status == 0, err
    assert "index: built" in out
    assert_same_index(directory / "index" / "dense", one_process / "index" / "dense")
    assert_same_lists(directory / "out", one_process / "out")


def test_a_shard_killed_while_written_is_redone_alone(
    saved, corpus_file, squad_files, one_process, tmp_path, monkeypatch
):
    import retrieval.shards

    args = rerank_args(saved, corpus_file, squad_files, tmp_path / "index", tmp_path / "out", "--num_shards", "2")
    assert run_rerank([*args, "--shard_index", "0"])[0] == 0
    real_write_json = retrieval.shards.write_json

    def killed(*arguments, **keywords):  # the vectors and owners are written; the process dies before its meta.json
        raise KeyboardInterrupt

    monkeypatch.setattr(retrieval.shards, "write_json", killed)
    status, _, err = run_rerank([*args, "--shard_index", "1"])
    assert status != 0 and "interrupted" in err
    monkeypatch.setattr(retrieval.shards, "write_json", real_write_json)
    shards = tmp_path / "index" / "shards"
    assert not shard_directory(shards, 1, 2).exists()  # nothing half-written under the shard's name
    status, _, err = run_rerank(args)
    assert status == 2 and "shard 1 of 2" in err and "is missing" in err and "--shard_index 1" in err
    shard0_written = (shard_directory(shards, 0, 2) / "vectors.npy").stat().st_mtime_ns
    status, out, _ = run_rerank([*args, "--shard_index", "0"])
    assert status == 0 and "shard 0 of 2: already encoded" in out
    status, out, _ = run_rerank([*args, "--shard_index", "1"])
    assert status == 0 and "shard 1 of 2: wrote" in out
    assert (shard_directory(shards, 0, 2) / "vectors.npy").stat().st_mtime_ns == shard0_written  # never redone
    assert run_rerank(args)[0] == 0
    assert_same_lists(tmp_path / "out", one_process / "out")


def test_a_shard_of_another_encoder_or_dtype_is_named(saved, corpus_file, squad_files, tmp_path):
    args = rerank_args(saved, corpus_file, squad_files, tmp_path / "index", tmp_path / "out", "--num_shards", "2")
    assert run_rerank([*args, "--shard_index", "0"])[0] == 0
    assert run_rerank([*args, "--shard_index", "1", "--index_dtype", "float32"])[0] == 0
    status, _, err = run_rerank(args)
    assert status == 2 and err.count("error:") == 1
    assert "shard 1 of 2" in err and "another --index_dtype" in err and "--rebuild_index" in err
    assert run_rerank([*args, "--shard_index", "1"])[0] == 0  # stale for float16: encoded again, not reused
    meta_path = shard_directory(tmp_path / "index" / "shards", 0, 2) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "encoder": "another"}), encoding="utf-8")
    status, _, err = run_rerank(args)
    assert status == 2 and "shard 0 of 2" in err and "another bi-encoder" in err


def test_shards_need_the_dense_retriever(saved, corpus_file, squad_files, tmp_path):
    args = rerank_args(saved, corpus_file, squad_files, tmp_path / "index", tmp_path / "out", "--num_shards", "2")
    status, _, err = run_rerank([*args, "--retriever", "bm25"])
    assert status == 2 and "--num_shards" in err and "--retriever bm25" in err


@pytest.mark.distributed
def test_torchrun_ranks_encode_their_shards_and_rank_zero_searches(
    saved, corpus_file, squad_files, one_process, tmp_path
):
    launch = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "rerank.py"]
    argv = launch + rerank_args(saved, corpus_file, squad_files, tmp_path / "index", tmp_path / "out")
    completed = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (
        completed.stdout.count(" of 2: wrote") == 2
        and completed.stdout.count(f"wrote {tmp_path / 'out' / 'predictions.jsonl'}") == 1
    )
    assert_same_index(tmp_path / "index" / "dense", one_process / "index" / "dense")
    assert_same_lists(tmp_path / "out", one_process / "out")


def test_a_damaged_shard_is_never_merged_and_is_encoded_again(saved, corpus_file, squad_files, tmp_path):
    """A shard's files changed after it was written (a disk or a hand that damaged them): merging refuses it by
    name, and encoding that shard again replaces it."""
    args = rerank_args(saved, corpus_file, squad_files, tmp_path / "index", tmp_path / "out", "--num_shards", "2")
    for index in ("0", "1"):
        assert run_rerank([*args, "--shard_index", index])[0] == 0
    owners = shard_directory(tmp_path / "index" / "shards", 1, 2) / "owners.npy"
    np.save(owners, np.load(owners)[:-1])
    status, _, err = run_rerank(args)
    assert status == 2 and "shard 1 of 2" in err and "is damaged" in err
    status, out, _ = run_rerank([*args, "--shard_index", "1"])
    assert status == 0 and "shard 1 of 2: wrote" in out
    assert run_rerank(args)[0] == 0
