"""Readers in data_utils: every QA format gives one schema, corpora dedupe by text, and every problem with a
user's file is a UserError naming the file and the field."""

from __future__ import annotations

import csv
import json
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_utils import ColumnNames, Corpus, QAData, load_corpus, load_qa
from errors import UserError

P1 = "조선은 1392년 이성계가 세운 나라이다. The Joseon dynasty was founded in 1392 by Yi Seong-gye."
P2 = "Hangul was created in 1443 under King Sejong. 한글은 세종대왕이 만들었다."
P3 = "Goryeo ruled the peninsula before Joseon, from 918 to 1392."


def qa_row(qid: str, question: str, context: str, title: str, answer: str, document_id: int) -> dict:
    """One row in the competition (``datasets``) layout."""
    return {
        "id": qid,
        "question": question,
        "context": context,
        "title": title,
        "answers": {"text": [answer], "answer_start": [context.index(answer)]},
        "document_id": document_id,
    }


# q1, q2 and q3 share P1 (q3 in another article); q4 is about P2.
ROWS = [
    qa_row("q1", "Who founded Joseon?", P1, "Joseon", "Yi Seong-gye", 10),
    qa_row("q2", "When was Joseon founded?", P1, "Joseon", "1392", 10),
    qa_row("q3", "조선을 세운 사람은?", P1, "Korea history", "이성계", 11),
    qa_row("q4", "Who created Hangul?", P2, "Hangul", "King Sejong", 12),
]
TRAIN_ROWS = [qa_row("t1", "When did Goryeo begin?", P3, "Goryeo", "918", 13)]


def expected_summary(rows: list[dict]) -> dict:
    first_title: dict[str, str] = {}
    for row in rows:
        first_title.setdefault(row["context"], row["title"])
    return {
        "questions": [
            (
                row["id"],
                row["question"],
                [row["context"]],
                tuple(row["answers"]["text"]),
                tuple(row["answers"]["answer_start"]),
            )
            for row in rows
        ],
        "passages": sorted(first_title.items()),
    }


def summary(data: QAData) -> dict:
    """What a user of QAData sees, with gold passages resolved to their texts."""
    return {
        "questions": [
            (q.id, q.text, [data.corpus[g].text for g in q.gold_ids], q.answers, q.answer_starts)
            for q in data.questions
        ],
        "passages": sorted((p.text, p.title) for p in data.corpus.passages),
    }


def squad_from_rows(rows: list[dict]) -> dict:
    """Group rows into SQuAD's data[].paragraphs[].qas[] (one article per title)."""
    articles: dict[str, dict[str, list]] = {}
    for row in rows:
        paragraphs = articles.setdefault(row["title"], {})
        paragraphs.setdefault(row["context"], []).append(
            {
                "id": row["id"],
                "question": row["question"],
                "answers": [
                    {"text": text, "answer_start": start}
                    for text, start in zip(row["answers"]["text"], row["answers"]["answer_start"])
                ],
            }
        )
    return {
        "version": "test",
        "data": [
            {"title": title, "paragraphs": [{"context": c, "qas": qas} for c, qas in paragraphs.items()]}
            for title, paragraphs in articles.items()
        ],
    }


def write_json(path: Path, data, **kwargs) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, **kwargs), encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict], delimiter: str = ",") -> Path:
    names = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, names, delimiter=delimiter)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in row.items()}
            )
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def save_dataset_dict(path: Path, splits: dict[str, list[dict]]) -> Path:
    import datasets

    datasets.DatasetDict({name: datasets.Dataset.from_list(rows) for name, rows in splits.items()}).save_to_disk(
        str(path)
    )
    return path


def squad_answers(rows: list[dict]) -> list[dict]:
    """Rows whose answers are a SQuAD list of {text, answer_start} instead of the datasets form."""
    return [
        {
            **row,
            "answers": [
                {"text": t, "answer_start": s} for t, s in zip(row["answers"]["text"], row["answers"]["answer_start"])
            ],
        }
        for row in rows
    ]


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory) -> Path:
    return save_dataset_dict(tmp_path_factory.mktemp("ds") / "train_dataset", {"train": TRAIN_ROWS, "validation": ROWS})


def load_error(call, *args, **kwargs) -> str:
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# 1. every format, one schema


def write_format(fmt: str, directory: Path) -> Path:
    if fmt == "squad":
        return write_json(directory / "train.json", squad_from_rows(ROWS), indent=1)
    if fmt == "jsonl":
        return write_jsonl(directory / "train.jsonl", ROWS)
    if fmt == "jsonl-squad-answers":
        return write_jsonl(directory / "train.jsonl", squad_answers(ROWS))
    if fmt == "csv":
        return write_csv(directory / "train.csv", ROWS)
    if fmt == "tsv":
        return write_csv(directory / "train.tsv", squad_answers(ROWS), delimiter="\t")
    if fmt == "parquet":
        return write_parquet(directory / "train.parquet", ROWS)
    if fmt == "json-records":
        return write_json(directory / "records.json", squad_answers(ROWS))
    raise AssertionError(fmt)


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


def test_saved_dataset_dict_with_split_argument(dataset_dir):
    data = load_qa(dataset_dir, split="validation")
    assert summary(data) == expected_summary(ROWS)


def test_saved_dataset_dict_with_dir_colon_split(dataset_dir):
    assert summary(load_qa(f"{dataset_dir}:validation")) == expected_summary(ROWS)
    assert summary(load_qa(f"{dataset_dir}:train")) == expected_summary(TRAIN_ROWS)


def test_saved_dataset_gives_the_same_gold_ids_as_squad_json(dataset_dir, tmp_path):
    from_disk = load_qa(dataset_dir, split="validation")
    from_json = load_qa(write_format("squad", tmp_path))
    assert [q.gold_ids for q in from_disk.questions] == [q.gold_ids for q in from_json.questions]


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
# 4. answer_start that does not match


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


# ---------------------------------------------------------------------------------------------
# 5. errors


def test_missing_path(tmp_path):
    message = load_error(load_qa, tmp_path / "nowhere.json")
    assert "nowhere.json" in message and "no such file" in message
    message = load_error(load_qa, f"{tmp_path / 'nodir'}:validation")
    assert "nodir" in message and "no such file" in message


def test_directory_without_saved_dataset(tmp_path):
    directory = tmp_path / "not_a_dataset"
    directory.mkdir()
    (directory / "notes.txt").write_text("hello")
    message = load_error(load_qa, directory)
    assert "not_a_dataset" in message and "save_to_disk" in message


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


@pytest.mark.parametrize("name", ["bad.json", "bad.jsonl", "bad.csv"])
def test_non_utf8_bytes(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(json.dumps(ROWS[0]).encode("utf-8").replace(b"Joseon", "Jos\xe9on".encode("latin-1"), 1))
    message = load_error(load_qa, path)
    assert name in message and "UTF-8" in message and "0xe9" in message


def test_non_utf8_corpus(tmp_path):
    path = tmp_path / "wiki.json"
    path.write_bytes(b'{"0": {"text": "caf\xe9", "title": "x"}}')
    message = load_error(load_corpus, path)
    assert "wiki.json" in message and "UTF-8" in message


@pytest.mark.parametrize("fmt", ["squad", "jsonl", "csv", "json-records"])
def test_utf8_bom_is_accepted(tmp_path, fmt):
    path = write_format(fmt, tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert summary(load_qa(path)) == expected_summary(ROWS)


def test_dataset_dict_without_the_named_split(dataset_dir):
    message = load_error(load_qa, dataset_dir, split="test")
    assert dataset_dir.name in message and "'test'" in message and "validation" in message and "train" in message
    message = load_error(load_qa, f"{dataset_dir}:test")
    assert "'test'" in message and "validation" in message


def test_dataset_dict_without_any_split_named(dataset_dir):
    message = load_error(load_qa, dataset_dir)
    assert dataset_dir.name in message and "validation" in message and ":SPLIT" in message


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


# ---------------------------------------------------------------------------------------------
# 6. corpora


WIKI = {
    "0": {"text": P1, "title": "Joseon", "document_id": 0},
    "1": {"text": P2, "title": "Hangul", "document_id": 1},
    "2": {"text": P1, "title": "Joseon (copy)", "document_id": 2},
    "3": {"text": P3, "title": "Goryeo", "document_id": 3},
}


def test_wikipedia_documents_json_is_deduplicated_with_aliases(tmp_path):
    corpus = load_corpus(write_json(tmp_path / "wikipedia_documents.json", WIKI))
    assert corpus.ids == ["0", "1", "3"]
    assert corpus.texts == [P1, P2, P3]
    assert [p.title for p in corpus.passages] == ["Joseon", "Hangul", "Goryeo"]
    assert corpus.aliases["0"] == corpus.aliases["2"] == "0"
    assert corpus["2"] == corpus["0"]
    assert corpus["2"].text == P1
    assert "2" in corpus and "9" not in corpus


def test_jsonl_corpus(tmp_path):
    rows = [{"id": k, "title": v["title"], "text": v["text"]} for k, v in WIKI.items()]
    corpus = load_corpus(write_jsonl(tmp_path / "corpus.jsonl", rows))
    assert [(p.id, p.title, p.text) for p in corpus.passages] == [
        ("0", "Joseon", P1),
        ("1", "Hangul", P2),
        ("3", "Goryeo", P3),
    ]
    assert corpus["2"].id == "0"


def test_json_records_corpus(tmp_path):
    rows = [{"id": k, "title": v["title"], "text": v["text"]} for k, v in WIKI.items()]
    corpus = load_corpus(write_json(tmp_path / "corpus.json", rows))
    assert corpus.ids == ["0", "1", "3"]


def test_dpr_tsv_corpus(tmp_path):
    path = tmp_path / "psgs.tsv"
    lines = ["id\ttext\ttitle", f"1\t{P1}\tJoseon", f"2\t{P2}\tHangul", f"3\t{P3}\tGoryeo"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus(path)
    assert [(p.id, p.title, p.text) for p in corpus.passages] == [
        ("1", "Joseon", P1),
        ("2", "Hangul", P2),
        ("3", "Goryeo", P3),
    ]


def test_tsv_corpus_without_header(tmp_path):
    path = tmp_path / "psgs.tsv"
    path.write_text(f"1\t{P1}\tJoseon\n2\t{P2}\tHangul\n", encoding="utf-8")
    message = load_error(load_corpus, path)
    assert "psgs.tsv" in message and "header" in message and "id" in message


def test_squad_json_as_corpus(tmp_path):
    corpus = load_corpus(write_format("squad", tmp_path))
    assert sorted(corpus.texts) == sorted([P1, P2])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("wiki.json", "{}"),
        ("list.json", "[]"),
        ("corpus.jsonl", ""),
        ("psgs.tsv", "id\ttext\ttitle\n"),
        ("empty.tsv", ""),
    ],
)
def test_empty_corpus(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    message = load_error(load_corpus, path)
    assert name in message and "empty" in message


@pytest.mark.parametrize("fmt", ["json", "jsonl", "tsv"])
def test_duplicate_ids_with_different_texts(tmp_path, fmt):
    rows = [
        {"id": "7", "title": "a", "text": P1},
        {"id": "8", "title": "b", "text": P2},
        {"id": "7", "title": "c", "text": P3},
    ]
    if fmt == "json":
        path = write_json(tmp_path / "c.json", rows)
    elif fmt == "jsonl":
        path = write_jsonl(tmp_path / "c.jsonl", rows)
    else:
        path = write_csv(tmp_path / "c.tsv", rows, delimiter="\t")
    message = load_error(load_corpus, path)
    assert path.name in message and "'7'" in message and "two different" in message


def test_duplicate_ids_with_the_same_text_are_one_passage(tmp_path):
    rows = [{"id": "7", "text": P1}, {"id": "7", "text": P1}, {"id": "8", "text": P2}]
    corpus = load_corpus(write_jsonl(tmp_path / "c.jsonl", rows))
    assert corpus.ids == ["7", "8"]


def test_corpus_passage_with_empty_or_missing_text(tmp_path):
    message = load_error(load_corpus, write_json(tmp_path / "w.json", {"5": {"text": " ", "title": "t"}}))
    assert "w.json" in message and "'5'" in message and "'text'" in message and "empty" in message
    message = load_error(load_corpus, write_json(tmp_path / "m.json", {"5": {"title": "t"}}))
    assert "m.json" in message and "'5'" in message and "'text'" in message
    message = load_error(load_corpus, write_jsonl(tmp_path / "r.jsonl", [{"id": 1, "text": P1}, {"id": 2}]))
    assert "r.jsonl" in message and "record 2" in message and "'text'" in message


def test_wiki_json_with_a_non_object_value(tmp_path):
    message = load_error(load_corpus, write_json(tmp_path / "w.json", {"0": {"text": P1}, "1": "plain"}))
    assert "w.json" in message and "text" in message


@pytest.mark.parametrize("name", ["corpus.txt", "corpus.xml", "corpus"])
def test_unknown_corpus_extension(tmp_path, name):
    path = tmp_path / name
    path.write_text(P1, encoding="utf-8")
    message = load_error(load_corpus, path)
    assert name in message and "unknown corpus format" in message and ".jsonl" in message


def test_missing_corpus_and_directory_corpus(tmp_path):
    message = load_error(load_corpus, tmp_path / "none.json")
    assert "none.json" in message and "no such file" in message
    message = load_error(load_corpus, tmp_path)
    assert "directory" in message


def test_corpus_fingerprint_changes_with_text_only(tmp_path):
    first = load_corpus(write_json(tmp_path / "a.json", WIKI))
    reformatted = load_corpus(write_json(tmp_path / "b.json", WIKI, indent=4))
    again = load_corpus(write_json(tmp_path / "a.json", WIKI))
    assert first.fingerprint() == reformatted.fingerprint() == again.fingerprint()
    changed = {key: dict(value) for key, value in WIKI.items()}
    changed["3"]["text"] = P3 + " "
    assert load_corpus(write_json(tmp_path / "c.json", changed)).fingerprint() != first.fingerprint()


# ---------------------------------------------------------------------------------------------
# 7. fuzzing: valid data or UserError, nothing else


def check_qa(data: QAData) -> None:
    assert data.questions
    for question in data.questions:
        assert isinstance(question.text, str) and question.text.strip()
        assert question.gold_ids
        assert all(gold in data.corpus and data.corpus[gold].text for gold in question.gold_ids)
        assert len(question.answers) == len(question.answer_starts)
        assert all(isinstance(answer, str) and answer for answer in question.answers)
        assert all(isinstance(start, int) for start in question.answer_starts)
    check_corpus(data.corpus)


def check_corpus(corpus: Corpus) -> None:
    assert len(corpus) > 0
    assert len(set(corpus.ids)) == len(corpus)
    for passage in corpus.passages:
        assert isinstance(passage.text, str) and passage.text.strip()
        assert isinstance(passage.title, str)
    for alias, kept in corpus.aliases.items():
        assert corpus[alias].id == kept


def read_either(path: Path) -> None:
    try:
        data = load_qa(path)
    except UserError:
        pass
    else:
        check_qa(data)
    try:
        corpus = load_corpus(path)
    except UserError:
        pass
    else:
        check_corpus(corpus)


FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", " ", "1392", "true", "null", "[]", "{}", '["x"]', "NaN"]
)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)
# Strings that usually pass as a question, passage or answer; ``values`` mixes them with any JSON value.
plausible = st.sampled_from([P1, P2, P3, "Who founded Joseon?", "1392", "Yi Seong-gye", "이성계"]) | st.text(
    min_size=1, max_size=30
)
values = plausible | json_values
numbers = st.none() | st.booleans() | st.integers() | st.floats()
starts = st.one_of(st.integers(-3, 120), numbers, json_values)
one_answer = st.one_of(
    st.fixed_dictionaries({"text": plausible}, optional={"answer_start": starts}),
    st.fixed_dictionaries({}, optional={"text": values, "answer_start": starts}),
    values,
)
# The datasets form {text: [...], answer_start: [...]}, with each part sometimes of the wrong shape.
datasets_answers = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(st.lists(plausible, max_size=3), plausible, numbers, json_values),
        "answer_start": st.one_of(st.lists(starts, max_size=3), numbers, json_values),
    },
)
answer_values = st.one_of(
    values,
    st.lists(one_answer, max_size=3),
    datasets_answers,
    datasets_answers,
    (st.lists(one_answer, max_size=2) | datasets_answers).map(lambda a: json.dumps(a, ensure_ascii=False)),
)


def mostly(strategy):
    """Usually ``strategy``, sometimes any JSON value at all."""
    return st.one_of(strategy, strategy, strategy, json_values)


FIELDS = ["id", "question", "context", "title", "answers", "text", "document_id"]
random_rows = st.fixed_dictionaries(
    {},
    optional={name: answer_values if name == "answers" else values for name in FIELDS},
) | st.dictionaries(st.sampled_from(FIELDS) | texts, values, max_size=4)
good_rows = st.fixed_dictionaries(
    {"question": plausible, "context": plausible, "text": plausible},
    optional={"id": values, "title": values, "answers": answer_values, "document_id": json_values},
)
# Mostly well-formed tables, sometimes with a random row at the end.
tables = st.tuples(st.lists(good_rows, min_size=1, max_size=4), st.lists(random_rows | json_values, max_size=1)).map(
    lambda parts: parts[0] + parts[1]
) | st.lists(random_rows, max_size=3)
good_qas = st.fixed_dictionaries({"question": plausible}, optional={"id": values, "answers": answer_values})
good_paragraphs = st.fixed_dictionaries(
    {"context": plausible, "qas": st.lists(mostly(good_qas), min_size=1, max_size=3)}
)
good_squads = st.fixed_dictionaries(
    {
        "data": st.lists(
            mostly(
                st.fixed_dictionaries(
                    {"paragraphs": st.lists(mostly(good_paragraphs), min_size=1, max_size=3)},
                    optional={"title": values},
                )
            ),
            min_size=1,
            max_size=3,
        )
    },
    optional={"version": json_values},
)
random_squads = st.fixed_dictionaries(
    {},
    optional={
        "data": st.lists(
            st.fixed_dictionaries({}, optional={"title": values, "paragraphs": json_values}) | json_values,
            max_size=3,
        )
        | json_values,
        "version": json_values,
    },
)
wiki_corpora = st.dictionaries(
    texts | st.integers().map(str),
    mostly(st.fixed_dictionaries({"text": plausible}, optional={"title": values, "document_id": json_values})),
    max_size=4,
)


def fuzz_dir():
    return tempfile.TemporaryDirectory(prefix="fuzz_data_utils_")


@FUZZ
@given(document=st.one_of(good_squads, random_squads, wiki_corpora, json_values, tables))
def test_fuzz_json_documents(document):
    with fuzz_dir() as directory:
        path = Path(directory) / "fuzz.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        read_either(path)


@FUZZ
@given(records=tables)
def test_fuzz_jsonl_rows(records):
    with fuzz_dir() as directory:
        path = Path(directory) / "fuzz.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
        read_either(path)


def cell(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@FUZZ
@given(
    records=tables.map(lambda rows: [r for r in rows if isinstance(r, dict)]), suffix=st.sampled_from([".csv", ".tsv"])
)
def test_fuzz_delimited_rows(records, suffix):
    with fuzz_dir() as directory:
        path = Path(directory) / f"fuzz{suffix}"
        names = list(dict.fromkeys(key for row in records for key in row))
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, names, delimiter="\t" if suffix == ".tsv" else ",")
            writer.writeheader()
            writer.writerows({key: cell(value) for key, value in row.items()} for row in records)
        read_either(path)


@FUZZ
@given(
    content=st.binary(max_size=200)
    | st.text(alphabet=string.printable + '{}[]":,\ufeff\u2028\x85', max_size=200).map(str.encode),
    suffix=st.sampled_from([".json", ".jsonl", ".csv", ".tsv", ".parquet"]),
)
def test_fuzz_raw_bytes(content, suffix):
    with fuzz_dir() as directory:
        path = Path(directory) / f"fuzz{suffix}"
        path.write_bytes(content)
        read_either(path)


@FUZZ
@given(
    answers=answer_values,
    question=values,
    context=plausible,
    qid=values,
    fmt=st.sampled_from(["jsonl", "squad", "csv"]),
)
def test_fuzz_one_question_with_random_fields(answers, question, context, qid, fmt):
    row = {"id": qid, "question": question, "context": context, "answers": answers}
    with fuzz_dir() as directory:
        if fmt == "jsonl":
            path = write_jsonl(Path(directory) / "fuzz.jsonl", [row])
        elif fmt == "squad":
            squad = {"data": [{"title": "t", "paragraphs": [{"context": context, "qas": [row]}]}]}
            path = write_json(Path(directory) / "fuzz.json", squad)
        else:
            path = write_csv(Path(directory) / "fuzz.csv", [{key: cell(value) for key, value in row.items()}])
        read_either(path)
