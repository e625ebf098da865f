"""Property-based fuzz tests: any file given to load_qa or load_corpus gives valid data or a UserError, nothing else."""

from __future__ import annotations

import csv
import json
import string
import tempfile
from pathlib import Path

from data_utils_helpers import P1, P2, P3, write_csv, write_json, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_utils import Corpus, QAData, load_corpus, load_qa
from errors import UserError


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
