"""A disk that fills up while saving an encoder, an index, a file, rerank.py or train.py: the previous result
stays whole, no temporary files stay behind, and the CLIs say so in one error line."""

from __future__ import annotations

import contextlib
import errno
import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from reliability_helpers import CPU, LENGTHS, error_line, retrieve_args, run_rerank, snapshot

import file_utils
import rerank
import train
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from errors import run_cli
from file_utils import atomic_file, write_json
from retrieval.dense import DenseIndex

pytestmark = pytest.mark.usefixtures("single_thread")

SETTINGS = {"max_query_length": 16, "max_passage_length": 64, "stride": 16}


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def input_directory(saved, tmp_path) -> Path:
    """A private copy of ``saved`` with a previous run's results in it."""
    directory = tmp_path / "input"
    shutil.copytree(saved, directory)
    (directory / "results").mkdir()
    (directory / "results" / "predictions.jsonl").write_text('{"id": "from a previous run"}\n', encoding="utf-8")
    return directory


# ---------------------------------------------------------------------------------------------
# 3. A disk that fills up while saving: the previous result stays whole, no temporary files stay behind


@pytest.mark.parametrize("kind", ["bi", "cross"])
def test_disk_full_while_saving_an_encoder_keeps_the_previous_one(kind, saved, tmp_path, monkeypatch):
    target = tmp_path / f"{kind}_encoder"
    shutil.copytree(saved / f"{kind}_encoder", target)
    (target / "log.jsonl").write_text('{"step": 1, "loss": 2.0}\n', encoding="utf-8")  # kept across saves
    before = snapshot(target)
    with contextlib.redirect_stderr(io.StringIO()):
        encoder = (BiEncoder if kind == "bi" else CrossEncoder).load(target)
    # The weights are written (of the first encoder, for the bi-encoder), then the tokenizer meets a full disk.
    monkeypatch.setattr(type(encoder.tokenizer), "save_pretrained", disk_full)
    with pytest.raises(OSError) as raised, contextlib.redirect_stderr(io.StringIO()):
        encoder.save(target, {**SETTINGS, "new": True})
    assert raised.value.errno == errno.ENOSPC
    assert snapshot(target) == before
    assert [path.name for path in tmp_path.iterdir()] == [target.name]  # no staging or retired directory


def test_disk_full_while_saving_the_index_keeps_the_previous_one(tmp_path, monkeypatch):
    directory = tmp_path / "dense"
    old = DenseIndex(np.arange(12, dtype=np.float16).reshape(4, 3), np.array([0, 0, 1, 2]), ["a", "b", "c"], "old")
    old.save(directory)
    before = snapshot(directory)
    real_save, calls = np.save, []

    def fills_up_on_the_second_array(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            disk_full()
        real_save(*args, **kwargs)

    monkeypatch.setattr(np, "save", fills_up_on_the_second_array)
    new = DenseIndex(np.ones((5, 3), np.float16), np.arange(5), list("abcde"), "new")
    with pytest.raises(OSError) as raised:
        new.save(directory)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(directory)
    assert len(calls) == 2
    monkeypatch.undo()
    assert snapshot(directory) == before
    assert [path.name for path in tmp_path.iterdir()] == ["dense"]
    loaded = DenseIndex.load(directory, "old")
    assert loaded is not None and loaded.passage_ids == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded.embeddings, old.embeddings)
    assert DenseIndex.load(directory, "new") is None


def test_disk_full_in_atomic_file_keeps_the_old_content(tmp_path, monkeypatch):
    path = tmp_path / "metrics.json"
    path.write_text('{"old": true}\n', encoding="utf-8")
    with pytest.raises(OSError) as raised:  # the disk fills up half-way through writing
        with atomic_file(path) as handle:
            handle.write('{"new": ')
            disk_full()
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
    monkeypatch.setattr(file_utils.os, "fsync", disk_full)  # or when the data is flushed to the disk
    with pytest.raises(OSError) as raised:
        write_json(path, {"new": True})
    assert raised.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [entry.name for entry in tmp_path.iterdir()] == ["metrics.json"]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/out/model.safetensors"),
         "error: cannot write /out/model.safetensors: No space left on device"),
        (OSError(errno.ENOSPC, "No space left on device"), "error: cannot write: No space left on device"),
        (OSError(errno.EROFS, "Read-only file system", "/out/x"), "error: cannot write /out/x: Read-only file system"),
        (PermissionError(errno.EACCES, "Permission denied", "/data/corpus.jsonl"),
         "error: /data/corpus.jsonl: Permission denied"),
    ],
)  # fmt: skip
def test_environment_os_errors_become_one_line(error, expected, capsys):
    def main(argv):
        raise error

    assert run_cli(main, []) == 2
    assert capsys.readouterr().err == expected + "\n"


def test_other_os_errors_keep_their_traceback():
    def main(argv):
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(OSError):
        run_cli(main, [])


def test_disk_full_during_rerank_is_one_line_and_keeps_the_previous_results(
    input_directory, corpus_file, squad_files, monkeypatch, capsys
):
    args = retrieve_args(input_directory, corpus_file, squad_files["validation"])
    run_rerank(*args)
    results = input_directory / "results"
    before = snapshot(results)
    capsys.readouterr()
    monkeypatch.setattr(file_utils.os, "fsync", disk_full)
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_cli(rerank.main, [str(arg) for arg in args]) == 2
    line = error_line(capsys.readouterr().err)
    assert line == f"error: cannot write {results / 'predictions.jsonl'}: No space left on device"
    assert snapshot(results) == before
    assert not [path for path in results.iterdir() if path.name.startswith(".")]


def test_disk_full_while_train_saves_keeps_the_previous_model(saved, tiny_model, squad_files, tmp_path, monkeypatch):
    import encoders.bi_encoder

    shutil.copytree(saved / "bi_encoder", tmp_path / "bi_encoder")
    model_files = ("question_encoder", "passage_encoder", "train_config.json")  # the log is the new run's
    before = {key: value for key, value in snapshot(tmp_path / "bi_encoder").items() if key.startswith(model_files)}
    # The first encoder's weights and tokenizer are written, then the disk is full.
    monkeypatch.setattr(encoders.bi_encoder, "write_sentence_transformers_config", disk_full)
    argv = ["--encoder", "bi", "--model", str(tiny_model), "--train_data", str(squad_files["validation"])]
    argv += ["--output_directory", str(tmp_path), "--max_steps", "1", "--quiet", "--save_steps", "100", *CPU, *LENGTHS]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as stderr:
        assert run_cli(train.main, argv) == 2
    line = error_line(stderr.getvalue())
    assert line.startswith("error: cannot write ") and line.endswith(": No space left on device")
    after = snapshot(tmp_path / "bi_encoder")
    assert {key: value for key, value in after.items() if key.startswith(model_files)} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bi_encoder"]


# ---------------------------------------------------------------------------------------------
# A real full filesystem: numpy, torch and safetensors report it without an errno


@contextlib.contextmanager
def small_filesystem(directory: Path, size: str):
    """A tmpfs of ``size`` mounted at ``directory`` (skips the test where this process may not mount one)."""
    directory.mkdir(parents=True, exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)]
    mounted = subprocess.run(command, capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {mounted.stderr.decode().strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def fill(directory: Path, leave: int) -> None:
    """Take all but about ``leave`` bytes of the filesystem of ``directory``."""
    free = shutil.disk_usage(directory).free
    with contextlib.suppress(OSError), (directory / "filler").open("wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))


def test_a_full_filesystem_while_saving_the_index_is_one_line(saved, corpus_file, squad_files, tmp_path, capsys):
    with small_filesystem(tmp_path / "fs", "4m") as fs:
        shutil.copytree(saved / "bi_encoder", fs / "input" / "bi_encoder")
        before = snapshot(fs / "input" / "bi_encoder")
        fill(fs, leave=0)
        args = retrieve_args(fs / "input", corpus_file, squad_files["validation"])
        args += ["--output_directory", tmp_path / "results"]
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_cli(rerank.main, [str(arg) for arg in args]) == 2
        line = error_line(capsys.readouterr().err)
        assert line == f"error: cannot write {fs / 'input' / 'index' / 'dense'}: No space left on device"
        assert snapshot(fs / "input" / "bi_encoder") == before
        assert list((fs / "input" / "index").iterdir()) == []  # no staging directory left behind


def test_a_full_filesystem_while_saving_a_checkpoint_leaves_no_partial_one(tiny_model, squad_files, tmp_path, capsys):
    with small_filesystem(tmp_path / "fs", "4m") as fs:
        fill(fs, leave=256 * 1024)  # room for the log, not for a checkpoint of two encoders (about 2 MiB)
        argv = ["--encoder", "bi", "--model", str(tiny_model), "--train_data", str(squad_files["validation"])]
        argv += ["--output_directory", str(fs), "--max_steps", "2", "--save_steps", "1", "--quiet", *CPU, *LENGTHS]
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_cli(train.main, argv) == 2
        line = error_line(capsys.readouterr().err)
        checkpoint = fs / "bi_encoder" / "checkpoints" / "checkpoint-1"
        assert line == f"error: cannot write {checkpoint}: No space left on device"
        assert not checkpoint.exists() and not (fs / "bi_encoder" / "passage_encoder").exists()


@pytest.mark.parametrize("kind", ["bi", "cross"])
def test_a_full_filesystem_while_saving_a_model_keeps_the_previous_one(kind, saved, tmp_path):
    with small_filesystem(tmp_path / "fs", "4m") as fs:
        target = fs / f"{kind}_encoder"
        shutil.copytree(saved / f"{kind}_encoder", target)
        before = snapshot(target)
        with contextlib.redirect_stderr(io.StringIO()):
            encoder = (BiEncoder if kind == "bi" else CrossEncoder).load(target)
        fill(fs, leave=64 * 1024)
        with pytest.raises(OSError) as raised, contextlib.redirect_stderr(io.StringIO()):
            encoder.save(target, {**SETTINGS, "new": True})  # what train.py does last; safetensors meets the full disk
        assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
        assert snapshot(target) == before
        assert sorted(path.name for path in fs.iterdir()) == sorted(["filler", target.name])


def test_a_full_filesystem_while_writing_results_keeps_the_whole_previous_set(
    saved, corpus_file, squad_files, tmp_path, capsys
):
    """predictions.jsonl fits, the reader dataset does not: every output stays the previous run's."""
    input_directory = tmp_path / "input"
    shutil.copytree(saved / "bi_encoder", input_directory / "bi_encoder")
    with small_filesystem(tmp_path / "fs", "4m") as fs:
        args = [*retrieve_args(input_directory, corpus_file, squad_files["validation"]), "--output_directory", fs]
        run_rerank(*args)
        before = snapshot(fs)
        fill(fs, leave=24 * 1024)
        filled = snapshot(fs)
        capsys.readouterr()
        more = ["--top_k_retrieval", "8", "--top_k", "8"]  # other predictions, a larger reader dataset
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_cli(rerank.main, [str(arg) for arg in [*args, *more]]) == 2
        line = error_line(capsys.readouterr().err)
        assert line == f"error: cannot write {fs / 'reader_dataset'}: No space left on device"
        assert snapshot(fs) == filled and {**before, "filler": filled["filler"]} == filled


def test_a_read_only_input_directory_is_reported_before_encoding(saved, corpus_file, squad_files, tmp_path, capsys):
    with small_filesystem(tmp_path / "fs", "4m") as fs:
        shutil.copytree(saved / "bi_encoder", fs / "bi_encoder")
        subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
        args = [*retrieve_args(fs, corpus_file, squad_files["validation"]), "--output_directory", tmp_path / "out"]
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_cli(rerank.main, [str(arg) for arg in args]) == 2
        err = capsys.readouterr().err
        line = error_line(err)
        assert line.startswith(f"error: cannot save an index in {fs / 'index'} (") and "--index_directory" in line
        assert "passages/s" not in err  # refused before the corpus was encoded
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_cli(rerank.main, [str(arg) for arg in [*args, "--index_directory", tmp_path / "idx"]]) == 0
        assert (tmp_path / "idx" / "dense" / "meta.json").exists()
