"""Bad QA files: every problem is a UserError naming the file and the field, line or row; a UTF-8 BOM is fine."""

from __future__ import annotations

import json

import pytest
from data_utils_helpers import (
    ROWS,
    expected_summary,
    load_error,
    squad_from_rows,
    summary,
    write_csv,
    write_format,
    write_json,
    write_jsonl,
    write_parquet,
)

from data_utils import ColumnNames, load_corpus, load_qa


def test_missing_path(tmp_path):
    message = load_error(load_qa, tmp_path / "nowhere.json")
    assert "nowhere.json" in message and "no such file" in message
    message = load_error(load_qa, f"{tmp_path / 'nodir'}:validation")
    assert "nodir" in message and "no such file" in message


def test_json_syntax_error_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "data": [\n    {"title": "x",, "paragraphs": []}\n  ]\n}\n', encoding="utf-8")
    message = load_error(load_qa, path)
    assert "broken.json" in message and "line 3" in message and "column 19" in message


def test_jsonl_syntax_error_names_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n\n" + '{"question": "x", "context": }\n', encoding="utf-8")
    message = load_error(load_qa, path)
    assert "broken.jsonl" in message and "line 3" in message


def test_jsonl_line_that_is_not_an_object(tmp_path):
    path = tmp_path / "list.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n[1, 2]\n", encoding="utf-8")
    message = load_error(load_qa, path)
    assert "list.jsonl" in message and "line 2" in message and "object" in message


def test_deeply_nested_json_is_a_user_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "deep.json" in load_error(load_qa, path)
    assert "deep.json" in load_error(load_corpus, path)


def squad_without(field: str) -> dict:
    squad = squad_from_rows(ROWS)
    if field == "data":
        return {"version": "test", "articles": squad["data"]}
    if field == "paragraphs":
        del squad["data"][1]["paragraphs"]
    elif field == "qas":
        del squad["data"][1]["paragraphs"][0]["qas"]
    elif field == "question":
        del squad["data"][1]["paragraphs"][0]["qas"][0]["question"]
    return squad


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("data", "'data'"),
        ("paragraphs", "data[1]"),
        ("qas", "data[1].paragraphs[0]"),
        ("question", "data[1].paragraphs[0].qas[0]"),
    ],
)
def test_squad_json_missing_field(tmp_path, field, where):
    message = load_error(load_qa, write_json(tmp_path / "squad.json", squad_without(field)))
    assert "squad.json" in message and f"'{field}'" in message and where in message


def test_squad_json_with_a_non_list_data(tmp_path):
    message = load_error(load_qa, write_json(tmp_path / "squad.json", {"data": {"title": "x"}}))
    assert "squad.json" in message and "'data'" in message and "list" in message


def test_json_that_is_neither_squad_nor_records(tmp_path):
    message = load_error(load_qa, write_json(tmp_path / "odd.json", [1, 2, 3]))
    assert "odd.json" in message and "'data'" in message and "records" in message


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".tsv", ".parquet"])
@pytest.mark.parametrize(("column", "flag"), [("question", "--question_column"), ("context", "--context_column")])
def test_table_without_question_or_context_column(tmp_path, suffix, column, flag):
    rows = [{key: value for key, value in r.items() if key not in (column, "answers")} for r in ROWS]
    path = tmp_path / f"table{suffix}"
    writers = {".csv": write_csv, ".jsonl": write_jsonl, ".parquet": write_parquet}
    if suffix == ".tsv":
        write_csv(path, rows, delimiter="\t")
    else:
        writers[suffix](path, rows)
    message = load_error(load_qa, path)
    assert f"table{suffix}" in message and f"'{column}'" in message and flag in message
    assert "title" in message  # lists the columns it did find


def test_custom_column_name_that_is_absent(tmp_path):
    message = load_error(load_qa, write_jsonl(tmp_path / "t.jsonl", ROWS), ColumnNames(question="query"))
    assert "'query'" in message and "--question_column" in message


@pytest.mark.parametrize("field", ["question", "context"])
@pytest.mark.parametrize("value", ["", "   \n"])
def test_empty_question_or_passage_in_table(tmp_path, field, value):
    rows = [dict(r) for r in ROWS]
    rows[2][field] = value
    message = load_error(load_qa, write_jsonl(tmp_path / "empty.jsonl", rows))
    assert "empty.jsonl" in message and "row 3" in message and f"'{field}'" in message and "empty" in message


def test_empty_question_in_squad(tmp_path):
    squad = squad_from_rows(ROWS)
    squad["data"][2]["paragraphs"][0]["qas"][0]["question"] = ""
    message = load_error(load_qa, write_json(tmp_path / "squad.json", squad))
    assert "squad.json" in message and "data[2].paragraphs[0].qas[0]" in message and "'question'" in message


def test_empty_passage_in_squad(tmp_path):
    squad = squad_from_rows(ROWS)
    squad["data"][0]["paragraphs"][0]["context"] = ""
    message = load_error(load_qa, write_json(tmp_path / "squad.json", squad))
    assert "squad.json" in message and "data[0].paragraphs[0]" in message and "'context'" in message


def test_question_that_is_not_a_string(tmp_path):
    rows = [dict(ROWS[0], question=None), ROWS[1]]
    message = load_error(load_qa, write_jsonl(tmp_path / "none.jsonl", rows))
    assert "none.jsonl" in message and "row 1" in message and "'question'" in message and "string" in message


def test_answer_without_text(tmp_path):
    rows = [dict(ROWS[0], answers=[{"answer_start": 3}])]
    message = load_error(load_qa, write_jsonl(tmp_path / "ans.jsonl", rows))
    assert "ans.jsonl" in message and "row 1" in message and "'text'" in message


@pytest.mark.parametrize(
    "answers",
    [
        {"text": 5},
        {"text": None},
        {"text": {"a": 1}},
        {"text": ["1392"], "answer_start": 5},
        {"text": ["1392"], "answer_start": "0"},
        7,
    ],
)
def test_answers_with_an_unusable_shape(tmp_path, answers):
    rows = [dict(ROWS[0], answers=answers)]
    message = load_error(load_qa, write_jsonl(tmp_path / "shape.jsonl", rows))
    assert "shape.jsonl" in message and "row 1" in message and "'answers'" in message


@pytest.mark.parametrize("name", ["bad.json", "bad.jsonl", "bad.csv"])
def test_non_utf8_bytes(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(json.dumps(ROWS[0]).encode("utf-8").replace(b"Joseon", "Jos\xe9on".encode("latin-1"), 1))
    message = load_error(load_qa, path)
    assert name in message and "UTF-8" in message and "0xe9" in message


@pytest.mark.parametrize("fmt", ["squad", "jsonl", "csv", "json-records"])
def test_utf8_bom_is_accepted(tmp_path, fmt):
    path = write_format(fmt, tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert summary(load_qa(path)) == expected_summary(ROWS)


def test_no_rows(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    assert "empty.jsonl" in load_error(load_qa, path)
    assert "no questions" in load_error(load_qa, write_json(tmp_path / "squad.json", {"data": []}))


def test_unknown_qa_format(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("question context\n", encoding="utf-8")
    message = load_error(load_qa, path)
    assert "data.txt" in message and "'.txt'" in message and ".jsonl" in message
