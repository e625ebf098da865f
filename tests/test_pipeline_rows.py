"""pipeline.py ``Pipeline.rerank_stages``: the "BM25 & DPR+CE" row (stage "ensemble") is BM25's list fused with the
cross-encoder's order of the dense list ("retrieve+rerank"), by the run's --fusion at the seed's 1:1 weight
(``pipeline.ENSEMBLE_WEIGHT``, whatever --fusion_weight says: that one weighs the "hybrid" row); recomputed
from predictions.jsonl of rerank.py --retriever hybrid on the untrained ``saved`` models (the cross-encoder's head
scaled up, so that its scores survive the 6 decimal places of predictions.jsonl)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
from sharpened_cross_encoder import sharpen_cross_encoder

import rerank
from pipeline import ENSEMBLE_WEIGHT
from retrieval.fusion import fuse
from retrieval.ranking import Ranking

pytestmark = pytest.mark.usefixtures("single_thread")

CPU = ["--precision", "fp32", "--device", "cpu"]
DEPTH = 5  # --top_k = --top_k_retrieval = --rerank_depth: every reranked list is whole in predictions.jsonl


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def ranking(record: dict, stage: str) -> Ranking:
    return Ranking(record[stage]["ids"], record[stage]["scores"])


@pytest.fixture(scope="module")
def hybrid_runs(saved, corpus_file, squad_files, tmp_path_factory) -> dict[tuple[str, float], list[dict]]:
    """(fusion, weight) -> the predictions of a hybrid run with those flags (both runs share the indexes)."""
    directory = tmp_path_factory.mktemp("pipeline-rows")
    shutil.copytree(saved, directory / "input")
    sharpen_cross_encoder(directory / "input" / "cross_encoder")
    runs = {}
    for fusion, weight in (("minmax", 0.5), ("zscore", 0.3)):
        output = directory / f"out-{fusion}"
        args = [
            "--input_directory", directory / "input", "--corpus", corpus_file, "--queries", squad_files["validation"],
            "--retriever", "hybrid", "--top_k_retrieval", DEPTH, "--top_k", DEPTH, "--rerank_depth", DEPTH,
            "--fusion", fusion, "--fusion_weight", weight, "--output_directory", output, *CPU,
        ]  # fmt: skip
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert rerank.main([str(arg) for arg in args]) == 0
        runs[fusion, weight] = read_jsonl(output / "predictions.jsonl")
    return runs


@pytest.mark.parametrize(("fusion", "weight"), [("minmax", 0.5), ("zscore", 0.3)])
def test_ensemble_fuses_bm25_with_the_reranked_dense_list(hybrid_runs, fusion, weight):
    """Catches in Pipeline.rerank_stages: `fuse_all(firsts[SPARSE], dense_reranked, ...)` ->
    `fuse_all(firsts[SPARSE], firsts[DENSE], ...)` (the ensemble fused with the un-reranked dense list)."""
    records = hybrid_runs[fusion, weight]
    assert records
    differs_from_unreranked = 0
    for record in records:
        bm25, dense_ce, dense = (ranking(record, stage) for stage in ("bm25", "retrieve+rerank", "retrieve"))
        assert len(bm25.ids) == len(dense_ce.ids) == len(dense.ids) == DEPTH
        assert sorted(dense_ce.ids) == sorted(dense.ids)  # retrieve+rerank is the whole dense head, reordered
        expected = fuse(bm25, dense_ce, fusion, ENSEMBLE_WEIGHT)
        expected_scores = dict(zip(expected.ids, expected.scores))
        ensemble = ranking(record, "ensemble")
        # predictions.jsonl keeps --top_k of the fused union (rounded to 6 places): the best DEPTH of the expected.
        assert len(ensemble.ids) == DEPTH and set(ensemble.ids) <= set(expected.ids)
        for pid, score in zip(ensemble.ids, ensemble.scores):
            assert score == pytest.approx(expected_scores[pid], abs=1e-4), (record["id"], pid)
        assert ensemble.scores == pytest.approx(sorted(expected.scores, reverse=True)[:DEPTH], abs=1e-4)
        wrong = fuse(bm25, dense, fusion, ENSEMBLE_WEIGHT)
        wrong_scores = dict(zip(wrong.ids, wrong.scores))
        if any(abs(wrong_scores[pid] - score) > 1e-4 for pid, score in zip(ensemble.ids, ensemble.scores)):
            differs_from_unreranked += 1
    # The check has teeth: for most questions the un-reranked dense list fuses to other scores.
    assert differs_from_unreranked >= len(records) // 2
