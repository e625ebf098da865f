"""evaluation.py ``stage_metrics``: DPR's answer-string top-k looks only at the first k passages of each ranking,
and counts only the questions that have answers."""

from __future__ import annotations

import pytest

from data_utils import Corpus, QAData, Question
from evaluation import gold_in_corpus, stage_metrics

TEXTS = [
    "nothing to see",  # p0: the gold passage, without the answer
    "still nothing here",  # p1
    "a third filler",  # p2
    "the city of PARIS, in France",  # p3: holds the answer (case and punctuation differ)
    "more filler text",  # p4
    "filler again",  # p5
    "yet more filler",  # p6
    "Lyon is a city",  # p7: holds the second question's answer
    "filler number nine",  # p8
    "the last filler",  # p9
]


def corpus() -> Corpus:
    made = Corpus()
    for number, text in enumerate(TEXTS):
        made.add(text, passage_id=f"p{number}")
    return made


def test_answer_at_rank_three_counts_from_top5_not_top1():
    """Catches in stage_metrics: `answer_hits(ranking, ...)` instead of `answer_hits(ranking[:k], ...)` (whole
    ranking scored at every k)."""
    passages = corpus()
    queries = QAData([Question("q0", "where", gold_ids=("p0",), answers=("paris",))], passages)
    golds = gold_in_corpus(queries, passages)
    ranking = ["p1", "p2", "p3", "p4", "p5"]
    metrics = stage_metrics([ranking], golds, queries, passages)
    assert metrics["answer_top1"] == 0.0
    assert metrics["answer_top5"] == 1.0
    assert metrics["top1"] == 0.0 and metrics["top5"] == 0.0  # the gold passage p0 is not in the list


def test_answer_string_top_k_per_k_over_questions_with_answers():
    """Catches in stage_metrics: `answer_hits(ranking, ...)` instead of `answer_hits(ranking[:k], ...)`."""
    passages = corpus()
    questions = [
        Question("q0", "where", gold_ids=("p0",), answers=("Paris",)),  # answer at rank 3
        Question("q1", "which", gold_ids=("p7",), answers=("lyon", "marseille")),  # answer at rank 7
        Question("q2", "what", gold_ids=("p0",), answers=("berlin",)),  # answer nowhere
        Question("q3", "who", gold_ids=("p0",)),  # no answers: left out of answer_top{k}
    ]
    queries = QAData(questions, passages)
    golds = gold_in_corpus(queries, passages)
    rankings = [
        ["p1", "p2", "p3", "p4", "p5", "p6", "p0", "p8", "p9", "p7"],
        ["p0", "p1", "p2", "p4", "p5", "p6", "p7", "p8", "p9", "p3"],
        ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"],
        ["p7", "p1", "p2", "p3", "p4", "p5", "p6", "p0", "p8", "p9"],
    ]
    metrics = stage_metrics(rankings, golds, queries, passages)
    assert metrics["answer_top1"] == 0.0
    assert metrics["answer_top5"] == pytest.approx(1 / 3)
    assert metrics["answer_top10"] == pytest.approx(2 / 3)
    assert "answer_top20" not in metrics  # k only up to the ranking length (10)
    assert metrics["top1"] == pytest.approx(1 / 4)  # gold-id metrics count every question (q2's gold is first)
