"""QA readers: every format gives one schema, shared passages get one stable id, answer starts are checked."""

from __future__ import annotations

import json

import pytest
from data_utils_helpers import (
    P1,
    P2,
    P3,
    ROWS,
    TRAIN_ROWS,
    expected_summary,
    qa_row,
    squad_from_rows,
    summary,
    write_csv,
    write_format,
    write_json,
    write_jsonl,
)

from data_utils import ColumnNames, load_qa

# ---------------------------------------------------------------------------------------------
# 1. every format, one schema


FORMATS = ["squad", "jsonl", "jsonl-squad-answers", "csv", "tsv", "parquet", "json-records"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_file_format_gives_the_same_questions_and_passages(fmt, tmp_path):
    data = load_qa(write_format(fmt, tmp_path))
    assert summary(data) == expected_summary(ROWS)


def test_gold_ids_are_the_same_in_every_format(tmp_path):
    golds = []
    for fmt in FORMATS:
        directory = tmp_path / fmt
        directory.mkdir()
        golds.append([q.gold_ids for q in load_qa(write_format(fmt, directory)).questions])
    assert all(gold == golds[0] for gold in golds)


def test_custom_column_names(tmp_path):
    rows = [{"qid": r["id"], "query": r["question"], "passage": r["context"], "title": r["title"]} for r in ROWS]
    path = write_jsonl(tmp_path / "custom.jsonl", rows)
    data = load_qa(path, ColumnNames(question="query", context="passage", id="qid"))
    assert [(q.id, q.text, data.corpus[q.gold_ids[0]].text) for q in data.questions] == [
        (r["id"], r["question"], r["context"]) for r in ROWS
    ]
    assert all(q.answers == () and q.answer_starts == () for q in data.questions)


def test_rows_without_ids_get_distinct_ids(tmp_path):
    rows = [{"question": r["question"], "context": r["context"]} for r in ROWS]
    data = load_qa(write_csv(tmp_path / "noid.csv", rows))
    assert len({q.id for q in data.questions}) == len(ROWS)
    assert [q.text for q in data.questions] == [r["question"] for r in ROWS]


def test_csv_answer_cell_with_a_plain_string_is_one_answer(tmp_path):
    context = "Joseon was founded in 1392. It was true."
    rows = [
        {"id": "a", "question": "When?", "context": context, "answers": "1392"},
        {"id": "b", "question": "Was it?", "context": context, "answers": "true"},
        {"id": "c", "question": "Founded?", "context": context, "answers": "founded"},
    ]
    data = load_qa(write_csv(tmp_path / "plain.csv", rows))
    assert [(q.answers, q.answer_starts) for q in data.questions] == [
        (("1392",), (context.index("1392"),)),
        (("true",), (context.index("true"),)),
        (("founded",), (context.index("founded"),)),
    ]


def test_csv_keeps_line_breaks_inside_quoted_fields(tmp_path):
    context = "First line of the passage.\nSecond line\r\nthird\u2028line with 1392."
    rows = [{"id": "a", "question": "When?", "context": context, "answers": json.dumps(["1392"])}]
    data = load_qa(write_csv(tmp_path / "multiline.csv", rows))
    assert data.corpus.texts == [context]
    assert data.questions[0].answer_starts == (context.index("1392"),)


def test_jsonl_strings_may_hold_unicode_line_separators(tmp_path):
    context = "A passage\u2028with a line separator,\x85a next-line mark and \x1c a file separator."
    path = write_jsonl(tmp_path / "seps.jsonl", [{"question": "What is here?", "context": context}])
    assert load_qa(path).corpus.texts == [context]


def test_jsonl_with_crlf_line_endings(tmp_path):
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\r\n" for r in ROWS))
    assert summary(load_qa(path)) == expected_summary(ROWS)


# ---------------------------------------------------------------------------------------------
# 2. shared passages, deduplication, stable ids


def test_questions_sharing_a_passage_share_its_gold_id_and_duplicate_text_is_stored_once(tmp_path):
    data = load_qa(write_format("squad", tmp_path))
    gold = {q.id: q.gold_ids for q in data.questions}
    assert gold["q1"] == gold["q2"] == gold["q3"]  # q3 is in another article with the same text
    assert gold["q4"] != gold["q1"]
    assert len(data.corpus) == 2
    assert sorted(data.corpus.texts) == sorted([P1, P2])
    assert len(set(data.corpus.ids)) == 2


def test_passage_ids_are_stable_across_files(tmp_path):
    first = load_qa(write_jsonl(tmp_path / "a.jsonl", [ROWS[0], ROWS[3]]))
    second = load_qa(write_json(tmp_path / "b.json", squad_from_rows([ROWS[3], TRAIN_ROWS[0], ROWS[1]])))
    ids_first = {p.text: p.id for p in first.corpus.passages}
    ids_second = {p.text: p.id for p in second.corpus.passages}
    assert ids_first[P1] == ids_second[P1]
    assert ids_first[P2] == ids_second[P2]
    assert ids_second[P3] not in (ids_first[P1], ids_first[P2])


# ---------------------------------------------------------------------------------------------
# 3. one question id, two passages


def test_question_id_with_two_passages_keeps_both_as_gold(tmp_path):
    rows = [
        qa_row("same", "Which year appears?", P1, "Joseon", "1392", 1),
        qa_row("same", "Which year appears?", P3, "Goryeo", "1392", 2),
        qa_row("same", "Which year appears?", P1, "Joseon", "1392", 1),  # repeated pair: not a third gold
    ]
    data = load_qa(write_jsonl(tmp_path / "two.jsonl", rows))
    assert len(data.questions) == 1
    question = data.questions[0]
    assert [data.corpus[g].text for g in question.gold_ids] == [P1, P3]
    assert question.answers == ("1392", "1392")
    assert question.answer_starts == (P1.index("1392"), P3.index("1392"))


# ---------------------------------------------------------------------------------------------
# 4. answer_start that does not match or is missing


def test_wrong_answer_start_warns_with_count_and_locates_answer_by_text(tmp_path, capsys):
    rows = [dict(r, answers={"text": r["answers"]["text"], "answer_start": [0]}) for r in ROWS[:2]]
    rows += ROWS[2:]
    path = write_jsonl(tmp_path / "starts.jsonl", rows)
    data = load_qa(path)
    err = capsys.readouterr().err
    assert "warning" in err and "starts.jsonl" in err and "answer_start" in err
    assert " 2 answers" in err
    assert summary(data) == expected_summary(ROWS)


def test_correct_answer_starts_give_no_warning(tmp_path, capsys):
    load_qa(write_jsonl(tmp_path / "ok.jsonl", ROWS))
    assert capsys.readouterr().err == ""


def test_answer_without_start_is_located_by_text(tmp_path, capsys):
    rows = [{"question": "Who?", "context": P1, "answers": ["Yi Seong-gye"]}]
    data = load_qa(write_jsonl(tmp_path / "nostart.jsonl", rows))
    assert data.questions[0].answer_starts == (P1.index("Yi Seong-gye"),)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "answers",
    [
        {"text": ["1392", "Yi Seong-gye"]},
        {"text": ["1392", "Yi Seong-gye"], "answer_start": None},
        {"text": ["1392", "Yi Seong-gye"], "answer_start": [P1.index("1392")]},
        {"text": ["1392", "Yi Seong-gye"], "answer_start": [None, "x"]},
        [{"text": "1392"}, {"text": "Yi Seong-gye", "answer_start": None}],
    ],
)
def test_missing_answer_starts_are_located_by_text_and_no_answer_is_dropped(tmp_path, capsys, answers):
    rows = [{"question": "When and who?", "context": P1, "answers": answers}]
    question = load_qa(write_jsonl(tmp_path / "starts.jsonl", rows)).questions[0]
    assert question.answers == ("1392", "Yi Seong-gye")
    assert question.answer_starts == (P1.index("1392"), P1.index("Yi Seong-gye"))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("start", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_answer_start_is_located_by_text(tmp_path, start):
    path = tmp_path / "nan.jsonl"
    row = json.dumps({"question": "When?", "context": P1, "answers": [{"text": "1392", "answer_start": 0}]})
    path.write_text(row.replace('"answer_start": 0', f'"answer_start": {start}'), encoding="utf-8")
    assert load_qa(path).questions[0].answer_starts == (P1.index("1392"),)


def test_the_data_s_document_ids_name_its_passages(tmp_path):
    """KLUE-MRC style rows carry a document_id: a negatives file written with those ids must match the passages,
    which keep their text-derived ids (the same in every file).
    Mutation caught: not passing ``record.get(columns.document_id)`` to the builder."""
    from training.examples import read_negatives_file

    rows = [
        {"id": "q1", "question": "what naba?", "context": "the naba was here", "document_id": 9001},
        {"id": "q2", "question": "where bunobe?", "context": "bunobe of and is", "document_id": "wiki-7"},
        {"id": "q3", "question": "who subole?", "context": "a subole passage", "document_id": ""},
    ]
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    data = load_qa(path)
    assert all(pid.startswith("p") for pid in data.corpus.ids)
    assert data.corpus["9001"].text == "the naba was here" and data.corpus["wiki-7"].text == "bunobe of and is"
    negatives = tmp_path / "negatives.jsonl"
    negatives.write_text('{"id": "q1", "negatives": [9001, "wiki-7"]}\n', encoding="utf-8")
    assert read_negatives_file(negatives, data, "--hard_negatives") == {"q1": ["9001", "wiki-7"]}
