"""``rerank.py --output_format trec``: one TREC run file per stage, each line ``qid Q0 pid rank score tag``, the
same lists as predictions.jsonl; a later run in another format retires them; ids with whitespace are refused."""

from __future__ import annotations

import contextlib
import io
import json

from reliability_helpers import error_line

import rerank
from errors import run_cli


def rerank_args(saved, corpus_file, queries, output, index) -> list[str]:
    args = ["--input_directory", saved, "--corpus", corpus_file, "--queries", queries, "--output_directory", output]
    args += ["--top_k_retrieval", "6", "--top_k", "3", "--rerank_depth", "4", "--index_directory", index]
    return [str(arg) for arg in [*args, "--device", "cpu", "--precision", "fp32"]]


def test_every_stage_is_a_trec_run_of_its_predictions(saved, corpus_file, squad_files, tmp_path):
    rows = [json.loads(line) for line in corpus_file.read_text(encoding="utf-8").splitlines()]
    corpus = tmp_path / "corpus.jsonl"  # the fixture's ids hold spaces, which TREC lines cannot
    corpus.write_text("".join(json.dumps({**row, "id": row["id"].replace(" ", "_")}) + "\n" for row in rows))
    output = tmp_path / "out"
    args = rerank_args(saved, corpus, squad_files["validation"], output, tmp_path / "index")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert rerank.main([*args, "--output_format", "trec"]) == 0
    records = [json.loads(line) for line in (output / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    stages = [key for key in records[0] if key not in ("id", "question", "gold_ids")]
    assert sorted(path.name for path in (output / "trec_runs").iterdir()) == sorted(f"{s}.trec" for s in stages)
    for stage in stages:
        lines = (output / "trec_runs" / f"{stage}.trec").read_text(encoding="utf-8").splitlines()
        rows = [line.split(" ") for line in lines]
        assert all(len(row) == 6 and row[1] == "Q0" and row[5] == f"dpr-rerank.{stage}" for row in rows)
        by_question: dict[str, list[list[str]]] = {}
        for row in rows:
            by_question.setdefault(row[0], []).append(row)
        assert list(by_question) == [record["id"] for record in records]
        for record in records:
            run = by_question[record["id"]]
            assert [row[2] for row in run] == record[stage]["ids"]
            assert [int(row[3]) for row in run] == list(range(1, len(run) + 1))
            assert [float(row[4]) for row in run] == [round(score, 6) for score in record[stage]["scores"]]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert rerank.main([*args, "--output_format", "jsonl"]) == 0
    assert not (output / "trec_runs").exists()  # an earlier run's files never pass for this run's


def test_ids_with_whitespace_cannot_be_a_trec_run(saved, corpus_file, tmp_path, capsys):
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"id": "q 1", "question": "what is the naba"}) + "\n", encoding="utf-8")
    args = rerank_args(saved, corpus_file, queries, tmp_path / "out", tmp_path / "index")
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_cli(rerank.main, [*args, "--output_format", "trec", "--stages", "retrieve"]) == 2
    line = error_line(capsys.readouterr().err)
    assert "--output_format trec" in line and "'q 1'" in line
    assert not (tmp_path / "out" / "predictions.jsonl").exists()
