"""Every accepted flag does something: flags of the other encoder are named in a warning, --trust_remote_code
reaches every model and tokenizer loader of rerank.py, and cross-encoder validation draws negatives as training does."""

from __future__ import annotations

import contextlib
import io

import pytest

import rerank
import train
from data_utils import load_qa
from encoders.windows import WindowedCorpus
from training.validation import validation_groups


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (
            ["--encoder", "cross", "--pooling", "mean", "--shared_encoder", "--num_hard_negatives=2"],
            ["--num_hard_negatives", "--pooling", "--shared_encoder"],
        ),  # fmt: skip
        (["--encoder", "bi", "--group_size", "4", "--negatives", "bm25"], ["--group_size", "--negatives"]),
        (["--encoder", "cross", "--no-negatives_cross_device"], ["--no-negatives_cross_device"]),
        (["--encoder", "bi", "--pooling", "mean", "--max_steps", "3"], []),
    ],
)
def test_flags_of_the_other_encoder_are_named_in_a_warning(argv, named, capsys):
    train.warn_unused_flags(argv, argv[1])
    lines = capsys.readouterr().err.splitlines()
    assert [line.split()[1] for line in lines] == named
    assert all(line.endswith("-encoder flag)") and f"--encoder {argv[1]}" in line for line in lines)


def test_lora_knobs_without_a_rank_are_named_in_a_warning(capsys):
    train.warn_unused_flags(["--encoder", "bi", "--lora_alpha", "16", "--lora_target=query"], "bi")
    assert capsys.readouterr().err.splitlines() == [
        "warning: --lora_alpha does nothing without --lora_r (it is a knob of the LoRA adapters)",
        "warning: --lora_target does nothing without --lora_r (it is a knob of the LoRA adapters)",
    ]
    train.warn_unused_flags(["--encoder", "bi", "--lora_r", "8", "--lora_alpha", "16"], "bi")
    assert not capsys.readouterr().err


@pytest.mark.parametrize("trusted", [False, True])
def test_trust_remote_code_reaches_every_loader_of_rerank(
    trusted, saved, corpus_file, squad_files, tmp_path, monkeypatch
):
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

    seen = []
    for auto in (AutoModel, AutoModelForSequenceClassification, AutoTokenizer):
        original = auto.from_pretrained.__func__

        def spy(cls, *args, _original=original, **kwargs):
            seen.append((cls.__name__, kwargs.get("trust_remote_code")))
            return _original(cls, *args, **kwargs)

        monkeypatch.setattr(auto, "from_pretrained", classmethod(spy))
    args = ["--input_directory", saved, "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--retriever", "dense", "--top_k_retrieval", "3", "--top_k", "2", "--output_directory", tmp_path]
    args += ["--device", "cpu", "--precision", "fp32", "--index_directory", tmp_path / "index"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert rerank.main([str(arg) for arg in args] + (["--trust_remote_code"] if trusted else [])) == 0
    assert {name for name, _ in seen} == {"AutoModel", "AutoModelForSequenceClassification", "AutoTokenizer"}
    assert {trust for _, trust in seen} == {trusted}


def test_validation_negatives_are_random_windows_as_in_training(squad_files, tiny_model):
    """Mutation caught: ``windows.random_window(pid, rng)`` -> ``windows.window(pid)`` (first windows only)."""
    from transformers import AutoTokenizer

    data = load_qa(squad_files["validation"])
    windows = WindowedCorpus(data.corpus, AutoTokenizer.from_pretrained(tiny_model), 12, 4)
    questions, passages, groups, golds = validation_groups(data, windows, group_size=8, seed=0)
    negatives, offset = [], 0
    for group, gold in zip(groups, golds):
        negatives += [(pid, text) for pid, text in zip(group, passages[offset:]) if pid not in gold]
        offset += len(group)
    assert offset == len(passages) == len(questions)
    long = [(pid, text) for pid, text in negatives if len(windows.spans_of(pid)) > 1]
    assert len(long) > 20
    assert sum(text != windows.window(pid) for pid, text in long) > len(long) / 3
    assert validation_groups(data, windows, group_size=8, seed=0)[1:3] == (passages, groups)  # every epoch alike
