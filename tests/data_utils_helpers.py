"""Shared data for the data_utils tests: sample passages and QA rows, summaries, and writers for every file format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from data_utils import QAData
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


def load_error(call, *args, **kwargs) -> str:
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    return str(info.value)


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
