"""Stages that cannot make the ranking worse: the interpolated final score of a reranked row
(``retrieval.fusion.interpolate``, ``rerank.py --rerank_weight``), the hybrid weight (``--fusion_weight``),
both tuned on validation questions at the end of training (``weight_tuning.py``) and read back by ``auto``
(``stage_weights.py``), and the guard that names a row worse than the list it reranks."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sharpened_cross_encoder import sharpen_cross_encoder

import rerank
from data_utils import load_qa
from errors import UserError
from pipeline import PipelineSettings
from retrieval.bm25_tokenizers import make_tokenizer
from retrieval.fusion import fuse, interpolate
from retrieval.ranking import Ranking
from runtime import Runtime
from stage_weights import FUSION_KEY, RERANK_KEY, resolve
from weight_tuning import GRID, WeightTuner, tune_after_training

pytestmark = pytest.mark.usefixtures("single_thread")

CPU = ["--precision", "fp32", "--device", "cpu"]
DEPTH = 5

# ---------------------------------------------------------------------------------------------
# 1. The interpolation of one question's list

# First stage a, b, c with 10, 6, 2 (min-max 1, 0.5, 0); cross-encoder a 0.1, b 0.9, c 0.5 (min-max 0, 1, 0.5).
FIRST = Ranking(["a", "b", "c"], [10.0, 6.0, 2.0])
SCORED = Ranking(["b", "c", "a", "z"], [0.9, 0.5, 0.1, 5.0])  # z: scored for another list, left out


@pytest.mark.parametrize(
    ("weight", "ids", "scores"),
    [
        (0.3, ["a", "b", "c"], [0.7, 0.3 + 0.7 * 0.5, 0.3 * 0.5]),
        (0.7, ["b", "c", "a"], [0.7 + 0.3 * 0.5, 0.7 * 0.5, 0.3]),
    ],
)
def test_interpolation_of_hand_made_lists(weight, ids, scores):
    """Catches in interpolate: `1.0 - weight` -> `weight` (the shares swapped) and a candidate left out or added."""
    mixed = interpolate(FIRST, SCORED, weight)
    assert mixed.ids == ids
    np.testing.assert_allclose(mixed.scores, scores, atol=1e-12)


def test_interpolation_ends_are_the_first_stage_and_the_cross_encoder():
    assert interpolate(FIRST, SCORED, 0.0) == FIRST
    assert interpolate(FIRST, SCORED, 1.0) == Ranking(["b", "c", "a"], [0.9, 0.5, 0.1])
    # The ends agree with the formula next to them: no jump in order at either end.
    assert interpolate(FIRST, SCORED, 1e-9).ids == FIRST.ids
    assert interpolate(FIRST, SCORED, 1 - 1e-9).ids == ["b", "c", "a"]
    # Ties of the cross-encoder keep the first stage's order.
    tied = Ranking(["c", "a", "b"], [1.0, 1.0, 1.0])
    assert interpolate(FIRST, tied, 1.0).ids == FIRST.ids


def test_fusion_weight_ends_reproduce_each_list_even_at_ties_and_tails():
    """Weight 1 is BM25's list and weight 0 the dense list, in their own order, the other's additions after:
    catches the union built in the first list's order whatever the weight (dense ties and tail reordered)."""
    bm25 = Ranking(["a", "b", "c"], [3.0, 2.0, 1.0])
    dense = Ranking(["c", "d", "b", "a"], [0.9, 0.5, 0.5, 0.1])  # d and b tie; a is its last
    for method in ("minmax", "zscore", "rrf"):
        assert fuse(bm25, dense, method, 0.0).ids == ["c", "d", "b", "a"], method
        assert fuse(bm25, dense, method, 1.0).ids[:3] == ["a", "b", "c"], method
    only_bm25 = Ranking(["e", "b"], [2.0, 1.0])
    assert fuse(only_bm25, dense, "minmax", 0.0).ids == ["c", "d", "b", "a", "e"]


# ---------------------------------------------------------------------------------------------
# 2. rerank.py: the weights reach every reranked row


def test_each_reranked_row_takes_the_weight_of_its_own_first_stage(tmp_path):
    """Catches in Pipeline.reranked: every row weighted by the "rerank" row's first stage (hybrid)."""
    from data_utils import Corpus
    from pipeline import Pipeline

    corpus = Corpus()
    for text in ("a", "b", "c", "d"):
        corpus.add(text, passage_id=text)
    firsts = {
        "bm25": [Ranking(["a", "b", "c"], [3.0, 2.0, 1.0])],
        "retrieve": [Ranking(["c", "d", "a"], [0.9, 0.5, 0.1])],
        "hybrid": [Ranking(["a", "c", "b", "d"], [0.8, 0.7, 0.4, 0.2])],
    }
    scored = [Ranking(["d", "b", "c", "a"], [4.0, 3.0, 2.0, 1.0])]
    weights = {"bm25": 1.0, "retrieve": 0.0, "hybrid": 0.0}
    settings = PipelineSettings(retriever="hybrid", top_k_retrieval=4, rerank_weights=weights)
    rows = Pipeline(settings, corpus, tmp_path).reranked(firsts, scored, settings.rerank_weight)
    assert rows["bm25+rerank"][0].ids == ["b", "c", "a"]  # w = 1: the cross-encoder's order
    assert rows["retrieve+rerank"][0] == firsts["retrieve"][0]  # w = 0: the dense order
    assert rows["rerank"][0] == firsts["hybrid"][0]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run_rerank(args: list) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert rerank.main([str(arg) for arg in args]) == 0
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sharpened(saved, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("weights") / "input"
    shutil.copytree(saved, directory)
    sharpen_cross_encoder(directory / "cross_encoder")
    return directory


def hybrid_args(input_directory: Path, corpus_file: Path, queries: Path, output: Path, *flags) -> list:
    return [
        "--input_directory", input_directory, "--corpus", corpus_file, "--queries", queries,
        "--retriever", "hybrid", "--top_k_retrieval", DEPTH, "--top_k", DEPTH, "--rerank_depth", DEPTH,
        "--output_directory", output, *CPU, *flags,
    ]  # fmt: skip


def test_rerank_weight_zero_keeps_each_first_stage_and_one_is_the_cross_encoder(
    sharpened, corpus_file, squad_files, tmp_path
):
    """Catches in Pipeline.reranked: a row interpolated with another first stage's list, or the weight ignored."""
    queries = squad_files["validation"]
    outputs = {}
    for weight in ("0", "1", "auto"):
        stdout, _ = run_rerank(
            hybrid_args(sharpened, corpus_file, queries, tmp_path / weight, "--rerank_weight", weight)
        )
        outputs[weight] = read_jsonl(tmp_path / weight / "predictions.jsonl")
        if weight == "auto":  # the saved encoders hold no tuned weight: the cross-encoder alone, as before
            assert "--rerank_weight auto: cross_encoder/train_config.json holds no tuned weight" in stdout
    moved = 0
    for zero, one, auto in zip(outputs["0"], outputs["1"], outputs["auto"]):
        for row, first in (("retrieve+rerank", "retrieve"), ("bm25+rerank", "bm25"), ("rerank", "hybrid")):
            assert zero[row]["ids"] == zero[first]["ids"][:DEPTH], row
            assert one[row] == auto[row], row
        moved += one["rerank"]["ids"] != one["hybrid"]["ids"][:DEPTH]
    assert moved >= len(outputs["1"]) // 2  # the cross-encoder does reorder: the w = 0 check has teeth


def test_weight_zero_keeps_the_hybrid_head_when_the_cross_encoder_scores_fewer_than_retrieved(
    sharpened, corpus_file, squad_files, tmp_path
):
    """With --rerank_depth below --top_k_retrieval, hybrid's own head can hold passages in neither list's head:
    catches the hybrid candidates made of BM25's and DPR's heads only."""
    args = hybrid_args(sharpened, corpus_file, squad_files["validation"], tmp_path, "--rerank_weight", "0")
    args[args.index("--top_k_retrieval") + 1] = 12
    args[args.index("--rerank_depth") + 1] = 3
    args[args.index("--top_k") + 1] = 3
    run_rerank(args)
    for record in read_jsonl(tmp_path / "predictions.jsonl"):
        assert record["rerank"]["ids"] == record["hybrid"]["ids"][:3]
    # --top_k 3 is no column of the usual table: it is added, so that the guard can check it.
    stages = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["stages"]
    assert all("top3" in values for values in stages.values())


def test_fusion_weight_ends_reproduce_the_bm25_and_dense_rows(sharpened, corpus_file, squad_files, tmp_path):
    queries = squad_files["validation"]
    for weight, row in (("1", "bm25"), ("0", "retrieve")):
        args = hybrid_args(sharpened, corpus_file, queries, tmp_path / weight, "--fusion_weight", weight)
        stdout, _ = run_rerank([*args, "--stages", "retrieve"])
        assert f"--fusion_weight {weight}" in stdout
        for record in read_jsonl(tmp_path / weight / "predictions.jsonl"):
            assert record["hybrid"]["ids"][:DEPTH] == record[row]["ids"]


@pytest.mark.parametrize("flag", ["--rerank_weight", "--fusion_weight"])
@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "inf", "half"])
def test_weights_outside_the_unit_interval_are_one_line_errors(flag, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        rerank.build_parser().parse_args([flag, value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag in err and "auto or a number in [0, 1]" in err


# ---------------------------------------------------------------------------------------------
# 3. Saved weights: auto reads them, a damaged one is an error, another first stage a note


def write_config(directory: Path, config: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "train_config.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


def test_auto_uses_the_saved_weight_and_says_where_it_came_from(tmp_path):
    tuning = {"questions": 40, "passages": 90, "depth": 20, "first_stage": {"bm25_tokenizer": {"name": "a"}}}
    directory = write_config(tmp_path / "cross_encoder", {RERANK_KEY: {"bm25": 0.4}, "rerank_tuning": tuning})
    same = {"bm25_tokenizer": {"name": "a"}}
    weights, lines = resolve(RERANK_KEY, "auto", directory, ["bm25"], same)
    assert weights == {"bm25": 0.4}
    assert lines == [
        "--rerank_weight auto: bm25 0.4 (tuned on 40 validation questions over 90 passages, top 20 of each first "
        "stage; cross_encoder/train_config.json)"
    ]
    weights, lines = resolve(RERANK_KEY, "auto", directory, ["bm25", "hybrid"], {"bm25_tokenizer": {"name": "b"}})
    assert weights == {"bm25": 0.4, "hybrid": 1.0}
    assert any("no tuned weight for hybrid; using 1 as before" in line for line in lines)
    assert any("tuned against another bm25_tokenizer than this run's" in line for line in lines)
    # A number given to the flag wins over the saved weight.
    assert resolve(RERANK_KEY, 0.25, directory, ["bm25"], same) == ({"bm25": 0.25}, ["--rerank_weight 0.25"])


@pytest.mark.parametrize("saved", [{"minmax": 1.5}, {"minmax": "high"}, ["minmax", 0.5], {"minmax": True}])
def test_a_damaged_saved_weight_is_a_user_error_naming_the_file_and_field(tmp_path, saved):
    directory = write_config(tmp_path / "bi_encoder", {FUSION_KEY: saved})
    with pytest.raises(UserError, match=r"bi_encoder/train_config.json: field 'fusion_weights' must map names"):
        resolve(FUSION_KEY, "auto", directory, ["minmax"], {})


# ---------------------------------------------------------------------------------------------
# 4. The guard


def test_the_guard_names_a_reranked_row_worse_than_its_list_and_the_flag_to_try():
    settings = PipelineSettings(retriever="hybrid", top_k=5)
    table = {
        "BM25": {"top1": 0.905, "top5": 0.97},
        "DPR": {"top1": 0.149, "top5": 0.3},
        "hybrid": {"top1": 0.775, "top5": 0.95},
        "DPR+CE": {"top1": 0.15, "top5": 0.31},  # equal to DPR within its standard error: no line
        "BM25+CE": {"top1": 0.035, "top5": 0.2},
        "hybrid+CE": {"top1": 0.76, "top5": 0.95},  # 0.015 below hybrid, standard error 0.030: no line
    }
    lines = rerank.worse_than_their_input(table, settings, questions=200)
    assert lines == [
        "BM25+CE (top1 0.035) is worse than BM25 (0.905), the list it reranks, by more than its standard error "
        "(0.013): try a lower --rerank_weight (0 keeps BM25's order)",
        "hybrid (top1 0.775) is worse than BM25 (0.905), the list it fuses (the better of its two), by more than "
        "its standard error (0.030): try a higher --fusion_weight (1 keeps BM25's order)",
    ]
    table["BM25+CE"] = {"top1": 0.89, "top5": 0.97}
    # One standard error is the line: 0.04 below at 0.025 is flagged, 0.02 below is not.
    from evaluation import worse_by_more_than_its_error

    assert worse_by_more_than_its_error({"top1": 0.5}, {"top1": 0.54}, 400, ["top1"]) == ("top1", 0.025)
    assert worse_by_more_than_its_error({"top1": 0.5}, {"top1": 0.52}, 400, ["top1"]) is None
    table["hybrid"] = table["hybrid+CE"] = {"top1": 0.9, "top5": 0.97}
    assert rerank.worse_than_their_input(table, settings, questions=200) == []


# ---------------------------------------------------------------------------------------------
# 5. Tuning on validation questions keeps the auto rows from falling below their first stage


@pytest.fixture(scope="module")
def tuned(sharpened, squad_files, tmp_path_factory) -> tuple[Path, list[str]]:
    """The untrained bi-encoder and (sharpened, so far from neutral) cross-encoder with weights tuned on the
    validation questions, as train.py does after saving each encoder."""
    directory = tmp_path_factory.mktemp("tuned") / "input"
    shutil.copytree(sharpened, directory)
    train, validation = load_qa(squad_files["train"]), load_qa(squad_files["validation"])
    tokenizer = make_tokenizer("char-ngram", 2, None)
    tuner = WeightTuner(directory, train, validation, tokenizer, Runtime(batch_size=64), DEPTH, DEPTH)
    lines = []
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for encoder in ("bi", "cross"):
            lines += tune_after_training(encoder, directory, tuner)
    return directory, lines


def test_tuning_saves_a_weight_per_method_and_per_first_stage(tuned, squad_files):
    directory, lines = tuned
    bi = json.loads((directory / "bi_encoder" / "train_config.json").read_text(encoding="utf-8"))
    cross = json.loads((directory / "cross_encoder" / "train_config.json").read_text(encoding="utf-8"))
    assert set(bi[FUSION_KEY]) == {"minmax", "zscore", "rrf"} and set(bi[FUSION_KEY].values()) <= set(GRID)
    assert set(cross[RERANK_KEY]) == {"bm25", "retrieve", "hybrid"} and set(cross[RERANK_KEY].values()) <= set(GRID)
    questions = len(load_qa(squad_files["validation"]).questions)
    assert bi["fusion_tuning"]["questions"] == cross["rerank_tuning"]["questions"] == questions
    assert cross["rerank_tuning"]["first_stage"]["fusion_weight"] == bi[FUSION_KEY]["minmax"]
    # The chosen weight is the best of the grid on the validation questions.
    for row in cross["rerank_tuning"]["rows"].values():
        best = max(scores["top1"] for scores in row["by_weight"].values())
        assert row["chosen"]["top1"] == best
    assert lines[0].startswith("--fusion_weight auto: BM25's weight minmax")
    assert any(line.startswith("--rerank_weight auto: the cross-encoder's weight per first stage") for line in lines)


def test_auto_rows_are_not_worse_than_their_first_stage_where_the_cross_encoder_alone_is(
    tuned, corpus_file, squad_files, tmp_path
):
    """The untrained cross-encoder ranks at random and BM25 finds nearly every passage: with w = 1 the reranked
    rows fall far below their lists and the guard says so; auto weights keep them within a standard error.
    (DPR+CE is left out: the untrained bi-encoder is as random as the cross-encoder, so any weight is noise.)"""
    directory, _ = tuned
    cross = json.loads((directory / "cross_encoder" / "train_config.json").read_text(encoding="utf-8"))
    assert cross[RERANK_KEY]["bm25"] < 1  # the random cross-encoder alone loses to BM25 on the validation questions
    queries = squad_files["validation"]
    metrics, untuned = {}, {}
    for weight in ("1", "auto"):
        stdout, stderr = run_rerank(
            hybrid_args(directory, corpus_file, queries, tmp_path / weight, "--rerank_weight", weight)
        )
        written = json.loads((tmp_path / weight / "metrics.json").read_text(encoding="utf-8"))
        metrics[weight] = written["stages"]
        untuned[weight] = written.get("untuned")
        if weight == "1":
            assert "BM25+CE (top1" in stderr and "try a lower --rerank_weight" in stderr
        else:
            assert "--rerank_weight auto: retrieve" in stdout and "tuned on" in stdout
            assert "BM25+CE (top1" not in stderr and "hybrid+CE (top1" not in stderr
    questions = len(load_qa(queries).questions)
    error = lambda p: (p * (1 - p) / questions) ** 0.5  # noqa: E731
    assert metrics["1"]["BM25+CE"]["top1"] < metrics["1"]["BM25"]["top1"] - 3 * error(metrics["1"]["BM25"]["top1"])
    for row, first in (("BM25+CE", "BM25"), ("hybrid+CE", "hybrid")):
        auto = metrics["auto"][row]["top1"]
        assert auto >= metrics["auto"][first]["top1"] - error(auto), row
    # An auto run also reports its rows as they are without the weights: the w = 1 run's rows.
    assert list(untuned["1"]) == ["hybrid"]  # its fusion weight is still tuned
    for row in ("DPR+CE", "BM25+CE", "hybrid+CE", "BM25 & DPR+CE"):
        assert untuned["auto"][row] == metrics["1"][row], row
    better = max(metrics["auto"]["BM25"]["top1"], metrics["auto"]["DPR"]["top1"])
    assert metrics["auto"]["hybrid"]["top1"] >= better - error(metrics["auto"]["hybrid"]["top1"])


def test_a_tuning_that_fails_leaves_the_saved_encoder_with_a_warning(squad_files, tmp_path, monkeypatch, capsys):
    """Catches in train.tune_weights: the UserError of a failed tuning escaping (exit 2 after a good save)."""
    import train
    import weight_tuning

    def fail(*_args):
        raise UserError("BM25: the corpus has no terms for this tokenizer")

    monkeypatch.setattr(weight_tuning, "tune_after_training", fail)
    args = train.build_parser().parse_args(["--encoder", "bi", "--output_directory", str(tmp_path)])
    data = load_qa(squad_files["train"])
    train.tune_weights(args, Runtime(batch_size=8), data, load_qa(squad_files["validation"]))
    err = capsys.readouterr().err
    assert "warning: the bi-encoder is saved, but its weights were not tuned: BM25: the corpus has no terms" in err
