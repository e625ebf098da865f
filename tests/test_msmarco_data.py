"""MS MARCO / TREC files: ``id<TAB>text`` collections and queries with no header, TREC qrels (``qid 0 pid grade``)
given to ``rerank.py --qrels`` and to ``train.py --corpus --qrels``; every bad line is one error naming it."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from data_utils_helpers import load_error

import rerank
import train
from data_utils import load_corpus, load_judged_qa, load_queries, read_trec_qrels, with_qrels
from errors import UserError


@pytest.fixture(scope="module")
def msmarco(tmp_path_factory, squad_files) -> Path:
    """collection.tsv, queries.tsv and qrels.tsv (TREC) of the validation questions, passage ids numbers."""
    directory = tmp_path_factory.mktemp("msmarco")
    passages, queries, qrels = [], [], []
    for article in json.loads(squad_files["validation"].read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            pid = str(len(passages))
            passages.append(f"{pid}\t{paragraph['context']}")
            for qa in paragraph["qas"]:
                queries.append(f"{qa['id']}\t{qa['question']}")
                qrels.append(f"{qa['id']} 0 {pid} {1 + len(qrels) % 2}")
    qrels.append(f"{qa['id']} 0 0 0")  # judged, not relevant
    for name, lines in (("collection.tsv", passages), ("queries.tsv", queries), ("qrels.tsv", qrels)):
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def test_headerless_collection_and_queries(msmarco):
    corpus = load_corpus(msmarco / "collection.tsv")
    assert corpus.ids[:3] == ["0", "1", "2"] and corpus["1"].text.split()[0]
    queries = load_queries(msmarco / "queries.tsv")
    assert queries.questions[0].id == "s2-a0-p0-q0" and queries.questions[0].text.startswith("what")
    assert not any(question.gold_ids for question in queries.questions)


def test_trec_qrels_give_graded_gold(msmarco):
    queries = with_qrels(load_queries(msmarco / "queries.tsv"), msmarco / "qrels.tsv")
    first, last = queries.questions[0], queries.questions[-1]
    assert first.gold_ids == ("0",) and dict(first.relevance) == {"0": 1}
    assert dict(last.relevance)["0"] == 0 and "0" not in last.gold_ids


def test_rerank_evaluates_ms_marco_files_by_id(msmarco, saved, tmp_path):
    args = ["--input_directory", saved, "--corpus", msmarco / "collection.tsv", "--queries", msmarco / "queries.tsv"]
    args += ["--qrels", msmarco / "qrels.tsv", "--retriever", "bm25", "--stages", "retrieve", "--top_k_retrieval", "5"]
    args += ["--bm25_tokenizer", "whitespace", "--output_directory", tmp_path, "--output_format", "trec"]
    args += ["--index_directory", tmp_path / "index"]  # the shared saved/ directory stays as it is
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert rerank.main([str(arg) for arg in [*args, "--device", "cpu"]]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["stages"]["BM25"]
    assert metrics["top5"] > 0.5 and 0 < metrics["ndcg@10"] <= 1
    assert (tmp_path / "topk.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the plot beside metrics.json
    assert (tmp_path / "trec_runs" / "bm25.trec").read_text(encoding="utf-8").split()[2] in {"0", "1", "2"}


def test_bad_ms_marco_and_trec_lines_are_one_line(msmarco, tmp_path):
    bad = tmp_path / "collection.tsv"
    bad.write_text("0\tfirst passage\n1\tsecond\tthird field\n", encoding="utf-8")
    assert "line 2: expected 'id<TAB>text' (MS MARCO / TREC), found 3 fields" in load_error(load_corpus, bad)
    queries = load_queries(msmarco / "queries.tsv")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 7\n", encoding="utf-8")
    assert "line 1: expected 'query-id 0 passage-id grade' (TREC qrels)" in load_error(read_trec_qrels, qrels)
    qrels.write_text("q1 0 7 high\n", encoding="utf-8")
    assert "line 1: the grade must be an integer, found 'high'" in load_error(read_trec_qrels, qrels)
    qrels.write_text("nobody 0 7 1\n", encoding="utf-8")
    assert "no query id matches one of the queries (first judged: 'nobody')" in load_error(with_qrels, queries, qrels)
    assert "--qrels" in load_error(read_trec_qrels, tmp_path / "missing.txt")


def test_a_beir_qrels_tsv_reads_the_same(msmarco, tmp_path):
    trec = read_trec_qrels(msmarco / "qrels.tsv")
    beir = tmp_path / "test.tsv"
    lines = [f"{qid}\t{pid}\t{grade}" for qid, grades in trec.items() for pid, grade in grades.items()]
    beir.write_text("query-id\tcorpus-id\tscore\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert read_trec_qrels(beir) == trec


def test_training_takes_its_positives_from_the_qrels(msmarco, tiny_model, tmp_path):
    corpus = load_corpus(msmarco / "collection.tsv")
    flags = ("--train_data", "--qrels")
    data = load_judged_qa(str(msmarco / "queries.tsv"), corpus, "collection.tsv", str(msmarco / "qrels.tsv"), flags)
    trec = read_trec_qrels(msmarco / "qrels.tsv")
    assert [question.id for question in data.questions] == list(trec)
    assert all(question.gold_ids == tuple(p for p, g in trec[question.id].items() if g) for question in data.questions)
    assert data.corpus is corpus
    argv = ["--encoder", "bi", "--model", tiny_model, "--train_data", msmarco / "queries.tsv", "--corpus",
            msmarco / "collection.tsv", "--qrels", msmarco / "qrels.tsv", "--validation_data", msmarco / "queries.tsv",
            "--validation_qrels", msmarco / "qrels.tsv", "--max_steps", "2", "--train_batch_size", "4",
            "--max_query_length", "16", "--max_passage_length", "64", "--stride", "16", "--precision", "fp32",
            "--device", "cpu", "--quiet", "--no_weight_tuning", "--output_directory", tmp_path]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert train.main([str(arg) for arg in argv]) == 0
    config = json.loads((tmp_path / "bi_encoder" / "train_config.json").read_text(encoding="utf-8"))
    assert config["train_questions"] == len(trec) and config["train_passages"] == len(corpus)
    assert config["final_metrics"]["eval_top1"] >= 0  # validated on the judged queries


def test_training_qrels_that_name_nothing_are_one_line(msmarco, tmp_path):
    corpus = load_corpus(msmarco / "collection.tsv")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 no-such-passage 1\n", encoding="utf-8")
    flags = ("--train_data", "--qrels")
    with pytest.raises(UserError, match="no judged passage id is an id of collection.tsv .first: 'no-such-passage'"):
        load_judged_qa(str(msmarco / "queries.tsv"), corpus, "collection.tsv", str(qrels), flags)
    qrels.write_text("nobody 0 1 1\n", encoding="utf-8")
    with pytest.raises(UserError, match="no judged query id is a query id of .*queries.tsv .first judged: 'nobody'"):
        load_judged_qa(str(msmarco / "queries.tsv"), corpus, "collection.tsv", str(qrels), flags)
    with pytest.raises(UserError, match="--qrels needs --corpus"):
        train.data_arguments(train.build_parser().parse_args(["--encoder", "bi", "--qrels", str(qrels)]))
    with pytest.raises(UserError, match="--corpus needs --qrels"):
        train.data_arguments(train.build_parser().parse_args(["--encoder", "bi", "--corpus", str(qrels)]))
