"""Mined hard negatives: the false-negative filter on hand-made rankings, BM25 and dense mining on the synthetic
data (never a gold passage, never one holding an answer), the cache of mined lists, and train.py using them."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from data_utils import Corpus, QAData, Question, load_qa
from evaluation import normalize
from retrieval.bm25_tokenizers import CharNgramTokenizer, WhitespaceTokenizer
from retrieval.ranking import Ranking
from train import main
from training.mining import drop_false_negatives, mine_bm25_negatives, mine_dense_negatives

pytestmark = pytest.mark.usefixtures("single_thread")

TRAIN = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16", "--max_steps", "2"]
RUNTIME = ["--precision", "fp32", "--device", "cpu", "--quiet"]


def hand_made() -> QAData:
    corpus = Corpus()
    for number, text in enumerate(["gold passage", "Paris is large", "nothing here", "PARIS, again", "also nothing"]):
        corpus.add(text, passage_id=f"p{number}")
    questions = [Question("q0", "where", gold_ids=("p0",), answers=("paris",)), Question("q1", "what", ("p2",))]
    return QAData(questions, corpus)


def test_false_negatives_are_the_gold_and_every_passage_holding_an_answer():
    data = hand_made()
    rankings = [Ranking(["p1", "p0", "p2", "p3", "p4"], [5.0, 4, 3, 2, 1]), Ranking(["p2", "p4", "p0"], [3.0, 2, 1])]
    assert drop_false_negatives(data, rankings, depth=10) == {"q0": ["p2", "p4"], "q1": ["p4", "p0"]}
    assert drop_false_negatives(data, rankings, depth=1) == {"q0": ["p2"], "q1": ["p4"]}


def assert_true_negatives(negatives: dict[str, list[str]], data: QAData, depth: int) -> None:
    assert set(negatives) == {question.id for question in data.questions}
    for question in data.questions:
        listed = negatives[question.id]
        assert 0 < len(listed) <= depth and len(set(listed)) == len(listed)
        assert not set(listed) & set(question.gold_ids)
        for pid in listed:
            text = normalize(data.corpus[pid].text)
            assert not any(normalize(answer) in text for answer in question.answers)


def test_bm25_mining_is_filtered_and_cached(squad_files, tmp_path, capsys):
    data = load_qa(squad_files["train"])
    negatives = mine_bm25_negatives(tmp_path, data, 5, CharNgramTokenizer(2))
    assert_true_negatives(negatives, data, 5)
    assert "reused the mined lists" not in capsys.readouterr().err
    assert mine_bm25_negatives(tmp_path, data, 5, CharNgramTokenizer(2)) == negatives
    assert "reused the mined lists" in capsys.readouterr().err
    # Another depth or tokenizer is another list.
    assert_true_negatives(mine_bm25_negatives(tmp_path, data, 3, CharNgramTokenizer(2)), data, 3)
    mine_bm25_negatives(tmp_path, data, 5, WhitespaceTokenizer())
    assert "reused the mined lists" not in capsys.readouterr().err
    assert len(list(tmp_path.glob("mining-bm25-*-negatives-*.json"))) == 3


def test_dense_mining_is_filtered_and_cached(squad_files, tiny_model, tmp_path, capsys):
    from encoders.bi_encoder import BiEncoder
    from encoders.settings import BiEncoderSettings
    from runtime import Runtime

    with contextlib.redirect_stderr(io.StringIO()):
        settings = BiEncoderSettings(max_query_length=16, max_passage_length=64, stride=16, pooling="mean")
        BiEncoder.build(str(tiny_model), settings).save(tmp_path / "bi_encoder", {})
    data = load_qa(squad_files["train"])
    negatives = mine_dense_negatives(tmp_path / "bi_encoder", data, 4, Runtime(batch_size=32))
    assert_true_negatives(negatives, data, 4)
    capsys.readouterr()
    assert mine_dense_negatives(tmp_path / "bi_encoder", data, 4, Runtime(batch_size=32)) == negatives
    assert "reused the mined lists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("encoder", "flags"),
    [
        ("cross", ["--negatives", "bm25", "--group_size", "3", "--train_batch_size", "2"]),
        ("bi", ["--hard_negatives", "bm25", "--bm25_tokenizer", "whitespace", "--train_batch_size", "4"]),
    ],
)
def test_train_with_bm25_negatives(encoder, flags, tiny_model, squad_files, tmp_path: Path):
    data = ["--train_data", str(squad_files["train"])]
    with contextlib.redirect_stdout(io.StringIO()) as printed, contextlib.redirect_stderr(io.StringIO()):
        assert main(["--encoder", encoder, "--model", str(tiny_model), *data, *TRAIN, *RUNTIME, *flags,
                     "--output_directory", str(tmp_path)]) == 0  # fmt: skip
    assert "built the BM25 index" in printed.getvalue()
    assert (tmp_path / f"{encoder}_encoder" / "train_config.json").is_file()
    assert len(list((tmp_path / "index").glob("mining-bm25-*-negatives-*.json"))) == 1
