"""Atomic writes: outputs get the modes the umask asks for, and staging directories of killed writers go away."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys

import pytest

from file_utils import HOST, atomic_directory, atomic_file_set, write_json


@contextlib.contextmanager
def umask(mask: int):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(("mask", "file_mode", "directory_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_outputs_respect_the_umask(tmp_path, mask, file_mode, directory_mode):
    with umask(mask):
        write_json(tmp_path / "metrics.json", {"a": 1})
        with atomic_directory(tmp_path / "index") as staging:
            (staging / "meta.json").write_text("{}", encoding="utf-8")
        with atomic_file_set(tmp_path) as staging:
            write_json(staging / "predictions.jsonl", [])
    assert mode(tmp_path / "metrics.json") == file_mode
    assert mode(tmp_path / "index") == directory_mode
    assert mode(tmp_path / "predictions.jsonl") == file_mode


def a_finished_process() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(process.stdout)


def test_staging_directories_of_killed_writers_on_this_host_are_removed(tmp_path):
    dead = tmp_path / f".index.{HOST}-{a_finished_process()}.abc.tmp"
    alive = tmp_path / f".index.{HOST}-{os.getppid()}.def.tmp"  # a live process: may still be writing
    elsewhere = tmp_path / f".index.otherhost-{a_finished_process()}.ghi.tmp"  # another host's: not ours to judge
    for path in (dead, alive, elsewhere):
        path.mkdir()
    with atomic_directory(tmp_path / "index") as staging:
        (staging / "meta.json").write_text("{}", encoding="utf-8")
    assert not dead.exists() and alive.exists() and elsewhere.exists()
    assert (tmp_path / "index" / "meta.json").exists()


def test_a_failed_file_set_changes_nothing(tmp_path):
    (tmp_path / "predictions.jsonl").write_text("old\n", encoding="utf-8")
    (tmp_path / "metrics.json").write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_file_set(tmp_path, remove=("metrics.json",)) as staging:
        (staging / "predictions.jsonl").write_text("new\n", encoding="utf-8")
        raise RuntimeError("the reader dataset failed")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["metrics.json", "predictions.jsonl"]
    assert (tmp_path / "predictions.jsonl").read_text(encoding="utf-8") == "old\n"

    with atomic_file_set(tmp_path, remove=("metrics.json",)) as staging:
        (staging / "predictions.jsonl").write_text("new\n", encoding="utf-8")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["predictions.jsonl"]
    assert (tmp_path / "predictions.jsonl").read_text(encoding="utf-8") == "new\n"
