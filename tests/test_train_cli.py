"""Bad input to ``python train.py``: exit status 2, one line on stderr naming the flag or file, no traceback.

Each case runs ``train.py`` in its own process (as a user would); the processes run side by side, as
most of their time goes to importing torch and transformers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from train import build_parser

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
RUNTIME = ["--precision", "fp32", "--device", "cpu", "--quiet"]


def launch(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "train.py", *argv],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def bad_inputs(tiny_model, squad_files, tmp_path_factory) -> dict[str, tuple[list[str], list[str]]]:
    """Case name -> (arguments, strings the error line must contain)."""
    directory = tmp_path_factory.mktemp("bad-inputs")
    output = directory / "out"
    missing = directory / "missing.json"
    text_file = directory / "data.txt"
    text_file.write_text("what is it?\tthe passage\n", encoding="utf-8")
    no_question = directory / "no_question.csv"
    no_question.write_text("query,context\nwhat naba?,the naba was here\n", encoding="utf-8")
    empty_question = directory / "empty_question.csv"
    empty_question.write_text("question,context\nwhat naba?,the naba was here\n   ,the subole\n", encoding="utf-8")
    regular_file = directory / "a_file"
    regular_file.write_text("not a directory\n", encoding="utf-8")
    base = ["--model", str(tiny_model), "--output_directory", str(output), *RUNTIME]
    train = ["--train_data", str(squad_files["train"])]
    return {
        "missing train data": (
            ["--encoder", "bi", *base, "--train_data", str(missing)],
            [str(missing), "no such file"],
        ),
        "unknown format": (["--encoder", "bi", *base, "--train_data", str(text_file)], [str(text_file), "'.txt'"]),
        "no question column": (
            ["--encoder", "cross", *base, "--train_data", str(no_question)],
            [str(no_question), "'question'", "--question_column"],
        ),
        "empty question": (
            ["--encoder", "bi", *base, "--train_data", str(empty_question)],
            [str(empty_question), "row 2", "'question'", "empty"],
        ),
        "unknown encoder": (["--encoder", "foo", *base, *train], ["--encoder", "'foo'"]),
        "zero batch size": (["--encoder", "bi", *base, *train, "--train_batch_size", "0"], ["--train_batch_size", "0"]),
        "group of one": (["--encoder", "cross", *base, *train, "--group_size", "1"], ["--group_size"]),
        "unknown model": (
            ["--encoder", "bi", *base, *train, "--model", "not-a-model-xyz"],
            ["--model not-a-model-xyz", "cannot load"],
        ),
        "unwritable output directory": (
            ["--encoder", "bi", *base, *train, "--output_directory", str(regular_file / "out")],
            ["--output_directory", str(regular_file / "out"), "cannot write"],
        ),
        "loss of the other encoder": (
            ["--encoder", "bi", *base, *train, "--loss", "bce"],
            ["--loss bce", "not a bi-encoder loss", "in-batch"],
        ),
        "resume without checkpoint": (
            ["--encoder", "bi", *base, *train, "--resume"],
            ["--resume", "no checkpoint", str(output / "bi_encoder" / "checkpoints")],
        ),
        "lora rank zero": (["--encoder", "bi", *base, *train, "--lora_r", "0"], ["--lora_r", "0"]),
        "lora target matching nothing": (
            ["--encoder", "cross", *base, *train, "--lora_r", "4", "--lora_target", "query,nosuchlayer"],
            ["--lora_target", "query,nosuchlayer", "nosuchlayer matches no layer", "value"],
        ),
    }


@pytest.fixture(scope="module")
def results(bad_inputs) -> dict[str, tuple[int, str, str]]:
    """Every bad-input case and a --debug run, started together; name -> (status, stdout, stderr)."""
    cases = {name: argv for name, (argv, _) in bad_inputs.items()}
    cases["debug"] = [*bad_inputs["missing train data"][0], "--debug"]
    processes = {name: launch(argv) for name, argv in cases.items()}
    outputs = {}
    try:
        for name, process in processes.items():
            stdout, stderr = process.communicate(timeout=300)
            outputs[name] = (process.returncode, stdout, stderr)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return outputs


CASES = [
    "missing train data",
    "unknown format",
    "no question column",
    "empty question",
    "unknown encoder",
    "zero batch size",
    "group of one",
    "unknown model",
    "unwritable output directory",
    "loss of the other encoder",
    "resume without checkpoint",
    "lora rank zero",
    "lora target matching nothing",
]
MODEL_LOADED_FIRST = ("resume without checkpoint", "lora target matching nothing")


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_with_one_line_naming_the_problem(case, bad_inputs, results):
    status, _, stderr = results[case]
    assert status == 2, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    if case in MODEL_LOADED_FIRST:
        # the model was loaded before the output directory was looked at: only the last line is ours
        assert not any(line.startswith("error:") for line in lines[:-1])
        lines = lines[-1:]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    for expected in bad_inputs[case][1]:
        assert expected in lines[0]


def test_debug_shows_the_traceback_of_a_user_error(bad_inputs, results):
    status, _, stderr = results["debug"]
    assert status == 2
    assert "Traceback (most recent call last)" in stderr
    assert "errors.UserError" in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and bad_inputs["missing train data"][1][0] in last


def test_help_lists_every_flag():
    completed = subprocess.run(
        [sys.executable, "train.py", "--help"], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    flags = [option for action in build_parser()._actions for option in action.option_strings]
    assert len(flags) > 30
    for flag in flags:
        assert flag in completed.stdout
    assert "--encoder {bi,cross}" in completed.stdout
