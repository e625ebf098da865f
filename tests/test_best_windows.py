"""``rerank.py --rerank_windows N`` (retrieval/best_windows.py): the cross-encoder scores, of each candidate, only
the reranker windows covering its N best bi-encoder windows (by the question's dot product with the index's
window vectors, matched by character offsets), so a candidate costs at most N pairs; ``all`` scores every window."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import rerank
from encoders.cross_encoder import CrossEncoder
from retrieval.best_windows import BestWindows, most_overlapping, rows_of

pytestmark = pytest.mark.usefixtures("single_thread")

CPU = ["--precision", "fp32", "--device", "cpu"]
DEPTH = 5


def test_most_overlapping_counts_shared_characters():
    spans = [(0, 100), (60, 160), (120, 220)]
    assert most_overlapping(spans, (0, 50)) == 0
    assert most_overlapping(spans, (90, 150)) == 1  # 10 shared with the first, 60 with the second, 30 with the third
    assert most_overlapping(spans, (150, 230)) == 2
    assert most_overlapping(spans, (60, 100)) == 0  # a tie goes to the first


def test_rows_of_a_passage_are_its_windows():
    owners = np.array([0, 0, 1, 2, 2, 2])
    assert [rows_of(owners, position) for position in range(3)] == [(0, 2), (2, 3), (3, 6)]


class FakeIndex:
    passage_ids = ["a", "b"]

    def __init__(self, vectors: dict[int, np.ndarray | None]):
        self.vectors = vectors

    def window_vectors(self, position):
        return self.vectors[position]


class FakeWindows:
    def __init__(self, spans: dict[str, list[tuple[int, int]]]):
        self.spans = spans

    def spans_of(self, passage_id):
        return self.spans[passage_id]


def test_the_windows_covering_the_best_bi_encoder_windows_are_chosen():
    bi_spans = {"a": [(0, 50), (40, 90), (80, 130)]}
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])  # the question [0, 1] matches bi window 1 best
    choose = BestWindows(FakeIndex({0: vectors}), np.array([[0.0, 1.0]]), FakeWindows(bi_spans), count=1)
    reranker_spans = [(0, 45), (30, 75), (60, 130)]
    assert choose(0, "a", reranker_spans) == [1]  # bi (40, 90) shares 35 characters with (30, 75)
    two = BestWindows(FakeIndex({0: vectors}), np.array([[0.0, 1.0]]), FakeWindows(bi_spans), count=2)
    assert two(0, "a", reranker_spans) == [1, 2]  # bi windows 1 and 2 -> reranker windows 1 and 2, in order


def test_every_window_where_the_choice_cannot_be_made():
    spans = [(0, 10), (5, 20)]
    windows = FakeWindows({"a": [(0, 20)], "b": [(0, 10), (5, 20)]})
    choose = BestWindows(FakeIndex({0: np.ones((2, 2)), 1: None}), np.ones((1, 2)), windows, count=1)
    assert choose(0, "b", spans) == [0, 1]  # the index cannot return b's vectors
    assert choose(0, "a", spans) == [0, 1]  # 2 vectors for a passage cut into 1 bi-encoder window: stale
    assert choose(0, "unknown", spans) == [0, 1]
    assert choose(0, "a", [(0, 20)]) == [0]


@pytest.fixture(scope="module")
def scored_pairs(saved, corpus_file, squad_files, tmp_path_factory, monkeypatch_module):
    """--rerank_windows -> (the (question, window) pairs the cross-encoder scored, predictions.jsonl records)."""
    pairs: list[tuple[str, str]] = []
    score = CrossEncoder.score

    def recording(self, questions, passages, description=""):
        pairs.extend(zip(questions, passages))
        return score(self, questions, passages, description)

    monkeypatch_module.setattr(CrossEncoder, "score", recording)
    directory = tmp_path_factory.mktemp("rerank-windows")
    runs = {}
    for windows in ("all", "1", "50"):
        output = directory / f"out-{windows}"
        args = [
            "--input_directory", saved, "--corpus", corpus_file, "--queries", squad_files["validation"],
            "--index_directory", directory / "index", "--retriever", "dense", "--top_k_retrieval", DEPTH,
            "--top_k", DEPTH, "--rerank_windows", windows, "--output_directory", output, *CPU,
        ]  # fmt: skip
        pairs.clear()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert rerank.main([str(arg) for arg in args]) == 0
        records = [json.loads(line) for line in (output / "predictions.jsonl").read_text(encoding="utf-8").split("\n")
                   if line]  # fmt: skip
        runs[windows] = (list(pairs), records)
    return runs


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def windows_of(saved, corpus_file):
    from data_utils import load_corpus
    from encoders.bi_encoder import BiEncoder
    from runtime import Runtime

    corpus = load_corpus(str(corpus_file))
    cross = CrossEncoder.load(saved / "cross_encoder").windows(corpus)
    bi_encoder = BiEncoder.load(saved / "bi_encoder").prepare(Runtime(precision="fp32"))
    return corpus, cross, bi_encoder


def test_one_window_per_candidate_the_one_covering_its_best_bi_encoder_window(scored_pairs, saved, corpus_file):
    corpus, cross, bi_encoder = windows_of(saved, corpus_file)
    bi_windows = bi_encoder.windows(corpus)
    pairs, records = scored_pairs["1"]
    candidates = [pid for record in records for pid in record["retrieve"]["ids"]]
    assert len(pairs) == len(candidates)  # one pair per candidate
    several = 0
    for (question, window), pid in zip(pairs, candidates):
        spans = cross.spans_of(pid)
        bi_spans = bi_windows.spans_of(pid)
        if len(spans) == 1:
            assert window == corpus[pid].text
            continue
        several += 1
        vectors = bi_encoder.encode([corpus[pid].text[a:b] for a, b in bi_spans], "passage")
        best = int(np.argmax(vectors @ bi_encoder.encode([question], "question")[0]))
        expected = cross.windows_of(pid)[most_overlapping(spans, bi_spans[best])]
        assert window == expected, pid
    assert several >= 3  # long passages among the candidates: the choice was made, not skipped


def test_all_windows_and_more_windows_than_a_passage_has_score_the_same(scored_pairs, saved, corpus_file):
    corpus, cross, _ = windows_of(saved, corpus_file)
    every, records = scored_pairs["all"]
    candidates = [pid for record in records for pid in record["retrieve"]["ids"]]
    assert len(every) == sum(len(cross.spans_of(pid)) for pid in candidates) > len(scored_pairs["1"][0])
    many, many_records = scored_pairs["50"]
    assert many == every
    assert [r["rerank"] for r in many_records] == [r["rerank"] for r in records]
