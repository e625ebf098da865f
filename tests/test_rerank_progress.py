"""The reranking progress bar counts candidates against their known total (so it can show an ETA) and names the
pairs scored so far."""

from __future__ import annotations

import functools
import re

import numpy as np

import reranking
from data_utils import Corpus
from encoders.windows import WindowedCorpus
from reranking import rerank
from retrieval.ranking import Ranking


class WordWindows(WindowedCorpus):
    """Every passage's windows are its words: several pairs a candidate, no tokenizer needed."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus

    def prepare(self, passage_ids=None):
        return self

    def windows_of(self, passage_id: str) -> list[str]:
        return self.corpus[passage_id].text.split()


class LengthScorer:
    """Scores a pair by its passage's length."""

    def truncate_questions(self, questions):
        return list(questions)

    def windows(self, corpus: Corpus):
        return WordWindows(corpus)

    def score(self, questions, passages, description=""):
        return np.array([float(len(passage)) for passage in passages], dtype=np.float32)


def test_the_bar_shows_candidates_done_of_their_total_and_the_pairs(capsys, monkeypatch):
    monkeypatch.setattr(
        reranking, "tqdm", functools.partial(reranking.tqdm, mininterval=0, miniters=1)
    )  # draw every update
    corpus = Corpus()
    for number, text in enumerate(["a bb ccc", "dddd e", "ff"]):
        corpus.add(text, passage_id=f"p{number}")
    candidates = [Ranking(["p0", "p1", "p2"], [3.0, 2.0, 1.0]), Ranking(["p2", "p0"], [2.0, 1.0])]
    ranked = rerank(LengthScorer(), ["q1", "q2"], candidates, corpus, "max", questions_per_chunk=1)
    assert [ranking.ids for ranking in ranked] == [["p1", "p0", "p2"], ["p0", "p2"]]
    bar = capsys.readouterr().err
    assert re.search(r"rerank: 100%.*\b5/5 \[", bar), bar  # 5 candidates of 5
    assert "pairs=10" in bar  # 3 + 2 + 1 words, then 1 + 3
