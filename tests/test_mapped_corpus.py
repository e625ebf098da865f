"""``--corpus_storage mapped``: a streamed corpus read once into a memory-mapped Arrow cache answers every question
the in-memory ``Corpus`` answers the same way (ids, texts, duplicates, lookups, fingerprint), the cache is reused
until the file changes, and bad input leaves no cache behind."""

from __future__ import annotations

import contextlib
import io
import json
import os

import pytest
from data_utils_helpers import P1, P2, P3

import mapped_corpus
import rerank
from data_utils import Corpus, load_corpus
from errors import UserError
from mapped_corpus import MappedCorpus, open_corpus

ROWS = [("a1", "Joseon", P1), ("b2", "Hangul", P2), ("c3", "copy", P1), ("d4", "Goryeo", P3), ("a1", "Joseon", P1)]


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DPR_RERANK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(mapped_corpus, "BATCH_ROWS", 2)  # several record batches even for a few passages
    return tmp_path / "cache"


def write_corpus(path, kind: str, rows=ROWS):
    if kind == "dpr":
        lines = ["id\ttext\ttitle", *(f"{pid}\t{text}\t{title}" for pid, title, text in rows)]
    elif kind == "msmarco":
        lines = [f"{pid}\t{text}" for pid, _, text in rows]
    else:
        lines = [
            json.dumps({"_id" if kind == "beir" else "id": pid, "title": title, "text": text})
            for pid, title, text in rows
        ]
    if kind == "beir":
        path.mkdir()
        (path / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "name"), [("dpr", "c.tsv"), ("msmarco", "collection.tsv"), ("jsonl", "c.jsonl"),
                                            ("beir", "beir")])  # fmt: skip
def test_a_mapped_corpus_answers_as_the_in_memory_one(kind, name, tmp_path):
    path = write_corpus(tmp_path / name, kind)
    memory, mapped = load_corpus(path), open_corpus(path, "mapped")
    assert isinstance(memory, Corpus) and isinstance(mapped, MappedCorpus)
    assert len(mapped) == len(memory) == 3
    assert list(mapped.ids) == memory.ids == ["a1", "b2", "d4"]
    assert list(mapped.texts) == memory.texts and mapped.texts[1:] == memory.texts[1:] and mapped.texts[-1] == P3
    assert list(mapped.passages) == memory.passages
    assert mapped.fingerprint() == memory.fingerprint()
    for pid in ("a1", "b2", "c3", "d4"):
        assert mapped[pid] == memory[pid] and mapped.kept_id(pid) == memory.kept_id(pid)
        assert mapped.position(pid) == memory.position(pid) and pid in mapped
    assert mapped.kept_id("c3") == "a1" and mapped.position("d4") == 2
    assert "zz" not in mapped and mapped.kept_id("zz") is None
    with pytest.raises(KeyError):
        mapped["zz"]
    assert mapped.id_of_text(P1) == memory.id_of_text(P1) == "a1" and mapped.id_of_text("no such text") is None


def test_the_cache_is_reused_until_the_file_changes(tmp_path, monkeypatch):
    path = write_corpus(tmp_path / "c.tsv", "dpr")
    first = open_corpus(path, "mapped")
    built = []
    monkeypatch.setattr(mapped_corpus, "build_cache", lambda *args: built.append(args) or pytest.fail("rebuilt"))
    assert open_corpus(path, "mapped").directory == first.directory and not built
    monkeypatch.undo()
    os.environ["DPR_RERANK_CACHE"] = str(first.directory.parents[1])
    changed = write_corpus(path, "dpr", ROWS[:2])
    os.utime(changed, ns=(1, 1))
    second = open_corpus(changed, "mapped")
    assert second.directory != first.directory and list(second.ids) == ["a1", "b2"]


def test_auto_maps_large_files_only(tmp_path, monkeypatch):
    path = write_corpus(tmp_path / "c.jsonl", "jsonl")
    assert isinstance(open_corpus(path), Corpus)
    monkeypatch.setattr(mapped_corpus, "MAP_FROM_BYTES", 10)
    assert isinstance(open_corpus(path), MappedCorpus)
    wiki = tmp_path / "wiki.json"
    wiki.write_text(json.dumps({"0": {"text": P1, "title": "t"}}), encoding="utf-8")
    assert isinstance(open_corpus(wiki), Corpus)  # a format that does not stream is read whole
    with pytest.raises(UserError, match="--corpus_storage mapped: .*wiki.json is not a corpus format that streams"):
        open_corpus(wiki, "mapped")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("a1", "", P1), ("a1", "", P2)], "id 'a1' is used for two different passage texts"),
        ([], "the corpus is empty"),
    ],
)
def test_bad_corpora_are_one_line_and_leave_no_cache(rows, message, tmp_path, cache):
    path = write_corpus(tmp_path / "c.jsonl", "jsonl", rows)
    with pytest.raises(UserError, match=message):
        open_corpus(path, "mapped")
    assert not list(cache.glob("corpora/*/corpus.json"))
    assert not list(cache.glob("corpora/.*.tmp"))  # the staging directory went too


def test_a_bad_line_mid_file_leaves_no_cache(tmp_path, cache):
    path = tmp_path / "collection.tsv"
    path.write_text("1\tfirst passage\n2\tsecond passage\n3\tthird\tfield\n", encoding="utf-8")
    with pytest.raises(UserError, match="line 3: expected 'id<TAB>text'"):
        open_corpus(path, "mapped")
    assert not list(cache.glob("corpora/*/corpus.json"))


def test_rerank_gives_the_same_results_over_a_mapped_corpus(saved, corpus_file, squad_files, tmp_path):
    outputs = {}
    for storage in ("memory", "mapped"):
        args = ["--input_directory", saved, "--corpus", corpus_file, "--queries", squad_files["validation"]]
        args += ["--retriever", "hybrid", "--bm25_tokenizer", "whitespace", "--top_k_retrieval", "5", "--top_k", "3"]
        args += ["--rerank_depth", "5", "--device", "cpu", "--precision", "fp32", "--corpus_storage", storage]
        args += ["--output_directory", tmp_path / storage, "--index_directory", tmp_path / f"index-{storage}"]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert rerank.main([str(arg) for arg in args]) == 0
        outputs[storage] = (tmp_path / storage / "predictions.jsonl").read_text(encoding="utf-8")
        outputs[f"{storage} metrics"] = json.loads((tmp_path / storage / "metrics.json").read_text())["stages"]
    assert outputs["mapped"] == outputs["memory"]
    assert outputs["mapped metrics"] == outputs["memory metrics"]


def test_an_edit_in_the_middle_of_a_large_file_is_seen_by_its_modification_time(tmp_path, monkeypatch):
    monkeypatch.setattr(mapped_corpus, "BATCH_ROWS", 10_000)
    path = tmp_path / "collection.tsv"
    rows = [f"{number}\tpassage {number:06d} {'x' * 80}" for number in range(30_000)]  # about 3 MiB
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    os.utime(path, ns=(10**18, 10**18))
    first = open_corpus(path, "mapped")
    rows[15_000] = rows[15_000].replace("passage", "PASSAGE")  # same size, not in the first or last MiB
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    os.utime(path, ns=(2 * 10**18, 2 * 10**18))
    second = open_corpus(path, "mapped")
    assert second.directory != first.directory and second["15000"].text.startswith("PASSAGE")


def test_the_dense_index_encodes_block_by_block_with_the_same_vectors(saved, corpus_file, monkeypatch):
    import numpy as np

    from encoders.bi_encoder import BiEncoder
    from retrieval import dense
    from runtime import Runtime

    encoder = BiEncoder.load(saved / "bi_encoder").prepare(Runtime())
    corpus = load_corpus(corpus_file)
    whole, whole_owners = dense.window_vectors(encoder, corpus)
    encoded = []
    original = encoder.encode
    monkeypatch.setattr(
        encoder, "encode", lambda texts, *args, **kwargs: encoded.append(len(texts)) or original(texts, *args, **kwargs)
    )
    monkeypatch.setattr(dense, "PASSAGES_PER_BLOCK", 3)
    blocks, owners = dense.window_vectors(encoder, corpus)
    assert len(encoded) == -(-len(corpus) // 3) and sum(encoded) == len(whole)  # one call per block of 3 passages
    np.testing.assert_array_equal(owners, whole_owners)
    np.testing.assert_allclose(blocks, whole, atol=1e-5)


def test_processes_opening_one_corpus_at_once_build_it_once(tmp_path, monkeypatch):
    import threading
    import time

    path = write_corpus(tmp_path / "c.tsv", "dpr")
    builds, original = [], mapped_corpus.build_cache

    def slow_build(*args):
        builds.append(args)
        time.sleep(0.5)  # long enough for the other opener to arrive while this one builds
        original(*args)

    monkeypatch.setattr(mapped_corpus, "build_cache", slow_build)
    opened = []
    with contextlib.redirect_stdout(io.StringIO()):
        openers = [threading.Thread(target=lambda: opened.append(open_corpus(path, "mapped"))) for _ in range(2)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join()
    assert len(builds) == 1 and len(opened) == 2
    assert list(opened[0].ids) == list(opened[1].ids) == ["a1", "b2", "d4"]
