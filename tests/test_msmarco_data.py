"""MS MARCO / TREC files: ``id<TAB>text`` collections and queries with no header, TREC qrels (``qid 0 pid grade``)
given to ``rerank.py --qrels``; every bad line is one error naming it."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from data_utils_helpers import load_error

import rerank
from data_utils import load_corpus, load_queries, read_trec_qrels, with_qrels


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
