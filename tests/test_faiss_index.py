"""The FAISS flat index: the same passages and scores as the exact chunked search (a passage scored by its best
window), saved and loaded like every index (fingerprint, atomic directory), and reachable from rerank.py."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import rerank
from retrieval.dense import exact_search
from retrieval.faiss_index import FaissFlatIndex


def windows_of_passages(seed: int, passages: int, dimension: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Random window vectors, 1 to 6 windows a passage (owners non-decreasing, as the index builds them)."""
    rng = np.random.default_rng(seed)
    owners = np.repeat(np.arange(passages), rng.integers(1, 7, passages))
    return rng.standard_normal((len(owners), dimension), dtype=np.float32), owners


@pytest.mark.parametrize("k", [1, 7, 60])
def test_faiss_flat_finds_the_exact_search_s_passages_and_scores(k):
    """Asking FAISS for only k windows (not k x the most windows of a passage) loses passages: this test fails."""
    vectors, owners = windows_of_passages(0, 60)
    queries = np.random.default_rng(1).standard_normal((25, 16), dtype=np.float32)
    index = FaissFlatIndex.build(vectors, owners, [f"p{i}" for i in range(60)], "f")
    scores, positions = index.search_positions(queries, k)
    expected_scores, expected_positions = exact_search(queries, vectors, k, owners)
    np.testing.assert_array_equal(positions, expected_positions)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-5, atol=1e-5)
    assert [ranking.ids for ranking in index.search(queries, k)] == [[f"p{p}" for p in row] for row in positions]


def test_saved_faiss_index_loads_only_while_fresh_and_whole(tmp_path):
    vectors, owners = windows_of_passages(2, 30)
    index = FaissFlatIndex.build(vectors, owners, [f"p{i}" for i in range(30)], "fresh")
    index.save(tmp_path / "dense")
    queries = vectors[:5]
    loaded = FaissFlatIndex.load(tmp_path / "dense", "fresh")
    np.testing.assert_array_equal(loaded.search_positions(queries, 4)[1], index.search_positions(queries, 4)[1])
    assert FaissFlatIndex.load(tmp_path / "dense", "stale") is None
    (tmp_path / "dense" / "index.faiss").write_bytes((tmp_path / "dense" / "index.faiss").read_bytes()[:100])
    assert FaissFlatIndex.load(tmp_path / "dense", "fresh") is None  # a truncated file is never trusted
    assert [path.name for path in tmp_path.iterdir()] == ["dense"]


def test_rerank_with_faiss_flat_retrieves_as_the_exact_index(saved, corpus_file, squad_files, tmp_path):
    args = ["--input_directory", saved, "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--retriever", "dense", "--stages", "retrieve", "--top_k_retrieval", "6", "--index_dtype", "float32"]
    args += ["--device", "cpu", "--precision", "fp32", "--index_directory", tmp_path / "index"]
    lists = {}
    for kind in ("exact", "faiss-flat"):
        output = tmp_path / kind
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert rerank.main([str(arg) for arg in [*args, "--index", kind, "--output_directory", output]]) == 0
        records = [json.loads(line) for line in (output / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
        lists[kind] = [(record["retrieve"]["ids"], record["retrieve"]["scores"]) for record in records]
    assert (tmp_path / "index" / "dense-faiss-flat" / "index.faiss").is_file()
    for (exact_ids, exact_scores), (faiss_ids, faiss_scores) in zip(lists["exact"], lists["faiss-flat"], strict=True):
        assert faiss_ids == exact_ids
        np.testing.assert_allclose(faiss_scores, exact_scores, rtol=1e-4, atol=1e-4)
