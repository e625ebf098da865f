"""nDCG@10, Recall@100 and MAP from ir-measures (trec_eval's code through pytrec_eval), checked by hand; the
hand-written top-k accuracy and MRR@10 checked against the library's Success@k and RR@10."""

from __future__ import annotations

import random

import ir_measures
import pytest

from metrics import graded_metrics, mrr_at_k, top_k_accuracy


def test_graded_measures_by_hand():
    """Judged b (grade 2), c (1) and z (1, never retrieved); the ranking a, b, c. trec_eval's nDCG gains are the
    grades: DCG = 2/log2(3) + 1/log2(4), ideal 2 + 1/log2(3) + 1/log2(4); AP = (1/2 + 2/3) / 3."""
    values = graded_metrics([["a", "b", "c"]], [{"b": 2, "c": 1, "z": 1, "y": 0}])
    assert values["ndcg@10"] == pytest.approx((2 / 1.5849625 + 0.5) / (2 + 1 / 1.5849625 + 0.5), abs=1e-6)
    assert values["recall@100"] == pytest.approx(2 / 3)
    assert values["map"] == pytest.approx((1 / 2 + 2 / 3) / 3)


def test_a_question_with_no_ranking_counts_as_zero_and_one_with_no_gold_not_at_all():
    rankings = [["a"], [], ["c"]]
    judgements = [{"a": 1}, {"b": 1}, {"c": 0}]  # the third has nothing graded 1 or more: left out
    assert graded_metrics(rankings, judgements)["recall@100"] == pytest.approx(0.5)


def test_hand_written_top_k_and_mrr_equal_the_library():
    rng = random.Random(0)
    rankings, golds = [], []
    for q in range(300):
        ranking = [f"d{q}-{i}" for i in rng.sample(range(60), 40)]
        gold = {f"d{q}-{i}" for i in rng.sample(range(60), rng.randint(1, 3))}
        rankings.append(ranking)
        golds.append(gold)
    judged = {str(q): dict.fromkeys(gold, 1) for q, gold in enumerate(golds)}
    run = {str(q): {pid: float(len(r) - rank) for rank, pid in enumerate(r)} for q, r in enumerate(rankings)}
    library = ir_measures.calc_aggregate(
        [ir_measures.RR @ 10, *(ir_measures.Success @ k for k in (1, 5, 20))], judged, run
    )
    assert mrr_at_k(rankings, golds, 10) == pytest.approx(library[ir_measures.RR @ 10])
    for k in (1, 5, 20):
        assert top_k_accuracy(rankings, golds, k) == pytest.approx(library[ir_measures.Success @ k])
    assert graded_metrics(rankings, [dict.fromkeys(gold, 1) for gold in golds], {"rr": "RR@10"})["rr"] == pytest.approx(
        library[ir_measures.RR @ 10]
    )
