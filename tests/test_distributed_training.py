"""``torchrun --nproc_per_node 2 train.py`` on the CPU (gloo): both encoders train in two processes, rank 0 alone
writes the log, the run record and the model, and ``--resume`` continues from a checkpoint written under DDP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.distributed

ROOT = Path(__file__).resolve().parents[1]
# loopback, not the address the host name resolves to (see tests/distributed_helpers.py)
ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_NUM_THREADS": "1",
    "GLOO_SOCKET_IFNAME": "lo",
}
LAUNCH = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "train.py"]
LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]


def torchrun(tiny_model, squad_files, output: Path, encoder: str, *extra: str) -> subprocess.CompletedProcess:
    argv = [*LAUNCH, "--encoder", encoder, "--model", str(tiny_model), "--output_directory", str(output)]
    argv += ["--train_data", str(squad_files["train"]), "--validation_data", str(squad_files["validation"])]
    argv += [*LENGTHS, "--device", "cpu", "--precision", "fp32", "--quiet", "--no_weight_tuning", "--lr", "1e-3"]
    argv += ["--train_batch_size", "4", "--save_steps", "2", *extra]
    completed = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


def logged_steps(encoder_directory: Path) -> list[int]:
    lines = (encoder_directory / "log.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["step"] for line in lines if "loss" in json.loads(line)]


@pytest.fixture(scope="module")
def bi_run(tiny_model, squad_files, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    output = tmp_path_factory.mktemp("ddp-bi")
    flags = ["--max_steps", "3", "--logging_steps", "1", "--hard_negatives", "bm25"]
    return output, torchrun(tiny_model, squad_files, output, "bi", *flags)


def test_rank_zero_alone_saves_and_logs(bi_run):
    output, completed = bi_run
    assert completed.stdout.count("saved bi-encoder") == 1
    directory = output / "bi_encoder"
    assert logged_steps(directory) == [1, 2, 3]  # one line per step, not one per rank
    record = json.loads((directory / "train_config.json").read_text(encoding="utf-8"))
    assert record["world_size"] == 2 and record["negatives_cross_device"] is True
    assert (directory / "checkpoints" / "checkpoint-2").is_dir()
    assert not list(directory.glob(".previous-run-*"))


def test_rank_zero_mines_the_negatives_and_the_other_rank_reads_them(bi_run):
    _, completed = bi_run
    assert completed.stdout.count("mining: built the BM25 index") == 1
    assert completed.stdout.count("mining: reused the BM25 index") == 1
    assert completed.stderr.count("mining: reused the mined lists") == 1


def test_the_saved_model_loads_and_embeds(bi_run):
    from encoders.bi_encoder import BiEncoder

    model = BiEncoder.load(bi_run[0] / "bi_encoder")
    assert model.encode(["a question"], "question").shape[0] == 1


def test_resume_under_ddp_continues_from_the_checkpoint(bi_run, tiny_model, squad_files):
    output, _ = bi_run
    flags = ["--max_steps", "5", "--logging_steps", "1", "--hard_negatives", "bm25", "--resume"]
    torchrun(tiny_model, squad_files, output, "bi", *flags)
    assert logged_steps(output / "bi_encoder") == [1, 2, 3, 4, 5]  # from checkpoint-3, in the same log
    summaries = (output / "bi_encoder" / "log.jsonl").read_text(encoding="utf-8").count('"train_runtime"')
    assert summaries == 2  # both runs' (a fresh run would have set the first run's log aside)


def test_the_cross_encoder_trains_under_ddp(tiny_model, squad_files, tmp_path):
    completed = torchrun(tiny_model, squad_files, tmp_path, "cross", "--max_steps", "2", "--group_size", "3")
    assert completed.stdout.count("saved cross-encoder") == 1
    record = json.loads((tmp_path / "cross_encoder" / "train_config.json").read_text(encoding="utf-8"))
    assert record["world_size"] == 2 and record["negatives_cross_device"] is False
