"""Corpus readers: wiki JSON, JSON records, JSONL and DPR TSV corpora, deduplication by text, and their errors."""

from __future__ import annotations

import pytest
from data_utils_helpers import P1, P2, P3, load_error, write_csv, write_format, write_json, write_jsonl

from data_utils import Corpus, load_corpus

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


def test_non_utf8_corpus(tmp_path):
    path = tmp_path / "wiki.json"
    path.write_bytes(b'{"0": {"text": "caf\xe9", "title": "x"}}')
    message = load_error(load_corpus, path)
    assert "wiki.json" in message and "UTF-8" in message


def test_corpus_fingerprint_changes_with_text_only(tmp_path):
    first = load_corpus(write_json(tmp_path / "a.json", WIKI))
    reformatted = load_corpus(write_json(tmp_path / "b.json", WIKI, indent=4))
    again = load_corpus(write_json(tmp_path / "a.json", WIKI))
    assert first.fingerprint() == reformatted.fingerprint() == again.fingerprint()
    changed = {key: dict(value) for key, value in WIKI.items()}
    changed["3"]["text"] = P3 + " "
    assert load_corpus(write_json(tmp_path / "c.json", changed)).fingerprint() != first.fingerprint()


def test_a_passage_added_after_the_fingerprint_changes_it(tmp_path):
    corpus = load_corpus(write_json(tmp_path / "a.json", WIKI))
    before = corpus.fingerprint()
    corpus.add(P3)  # a duplicate text: the passages stay as they were
    assert corpus.fingerprint() == before
    corpus.add("a passage no file had", "a title")
    assert corpus.fingerprint() != before
    assert corpus.fingerprint() == Corpus(list(corpus.passages)).fingerprint()
