"""The FAISS indexes: the flat one finds the same passages and scores as the exact chunked search (a passage
scored by its best window), IVF-PQ and HNSW nearly the same with their knobs; all are saved and loaded like every
index (fingerprint, atomic directory) and reachable from rerank.py."""

from __future__ import annotations

import contextlib
import io
import json

import faiss
import numpy as np
import pytest

import rerank
from errors import UserError
from retrieval.dense import exact_search
from retrieval.faiss_index import FaissIndex, FaissOptions, factory_string


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
    index = FaissIndex.build(vectors, owners, [f"p{i}" for i in range(60)], "f")
    scores, positions = index.search_positions(queries, k)
    expected_scores, expected_positions = exact_search(queries, vectors, k, owners)
    np.testing.assert_array_equal(positions, expected_positions)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-5, atol=1e-5)
    assert [ranking.ids for ranking in index.search(queries, k)] == [[f"p{p}" for p in row] for row in positions]


def test_saved_faiss_index_loads_only_while_fresh_and_whole(tmp_path):
    vectors, owners = windows_of_passages(2, 30)
    index = FaissIndex.build(vectors, owners, [f"p{i}" for i in range(30)], "fresh")
    index.save(tmp_path / "dense")
    queries = vectors[:5]
    loaded = FaissIndex.load(tmp_path / "dense", "fresh")
    # mapped in place: faiss's IO_FLAG_MMAP would have copied a flat index's vectors into memory
    assert not faiss.downcast_index(loaded.index).codes.is_owned
    np.testing.assert_array_equal(loaded.search_positions(queries, 4)[1], index.search_positions(queries, 4)[1])
    assert FaissIndex.load(tmp_path / "dense", "stale") is None
    (tmp_path / "dense" / "index.faiss").write_bytes((tmp_path / "dense" / "index.faiss").read_bytes()[:100])
    assert FaissIndex.load(tmp_path / "dense", "fresh") is None  # a truncated file is never trusted
    assert [path.name for path in tmp_path.iterdir()] == ["dense"]


def test_rerank_with_faiss_flat_retrieves_as_the_exact_index(saved, corpus_file, squad_files, tmp_path):
    args = ["--input_directory", saved, "--corpus", corpus_file, "--queries", squad_files["validation"]]
    args += ["--retriever", "dense", "--stages", "retrieve", "--top_k_retrieval", "6", "--index_dtype", "float32"]
    args += ["--device", "cpu", "--precision", "fp32", "--index_directory", tmp_path / "index"]
    lists = {}
    for kind in ("exact", "faiss-flat", "hnsw", "ivfpq"):
        output = tmp_path / kind
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert rerank.main([str(arg) for arg in [*args, "--index", kind, "--output_directory", output]]) == 0
        records = [json.loads(line) for line in (output / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
        lists[kind] = [(record["retrieve"]["ids"], record["retrieve"]["scores"]) for record in records]
    assert all((tmp_path / "index" / f"dense-{kind}" / "index.faiss").is_file() for kind in ("faiss-flat", "ivfpq"))
    assert all(len(ids) == 6 and len(set(ids)) == 6 for ids, _ in lists["ivfpq"])  # approximate, but whole lists
    for kind in ("faiss-flat", "hnsw"):  # HNSW finds every window of this tiny index: the exact lists too
        for (exact_ids, exact_scores), (ids, scores) in zip(lists["exact"], lists[kind], strict=True):
            assert ids == exact_ids
            np.testing.assert_allclose(scores, exact_scores, rtol=1e-4, atol=1e-4)


def clustered_windows(seed: int, passages: int, dimension: int = 32) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows around 40 topics (real embeddings cluster), 1 to 6 a passage, and queries near them."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((40, dimension)).astype(np.float32) * 3
    owners = np.repeat(np.arange(passages), rng.integers(1, 7, passages))
    vectors = topics[rng.integers(0, 40, len(owners))] + rng.standard_normal((len(owners), dimension), dtype=np.float32)
    queries = topics[rng.integers(0, 40, 50)] + rng.standard_normal((50, dimension), dtype=np.float32)
    return vectors, owners, queries


def recall_at_10(index: FaissIndex, vectors, owners, queries) -> float:
    _, exact = exact_search(queries, vectors, 10, owners)
    _, found = index.search_positions(queries, 10)
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, found)]))


def test_ivfpq_knobs_reach_faiss(tmp_path):
    """Recall@10 against the exact search moves with --nprobe and the code size as it should (the knobs reach
    FAISS); queries lie between two topics, where probing one inverted list misses most."""
    vectors, owners, queries = clustered_windows(3, 600)
    queries = (queries + queries[np.random.default_rng(9).permutation(len(queries))]) / 2
    ids = [f"p{i}" for i in range(600)]
    fine = FaissIndex.build(vectors, owners, ids, "f", "IVF64,PQ32x4")
    probes = {n: FaissIndex(fine.index, owners, ids, "f", FaissOptions(nprobe=n)) for n in (1, 8)}
    one, eight = (recall_at_10(probes[n], vectors, owners, queries) for n in (1, 8))
    assert eight > 0.7 and one < eight - 0.1, (one, eight)
    coarse = FaissIndex.build(vectors, owners, ids, "f", "IVF64,PQ4x6")  # 8 dimensions a code
    assert recall_at_10(coarse, vectors, owners, queries) < eight - 0.3
    probes[8].save(tmp_path / "ivfpq")
    loaded = FaissIndex.load(tmp_path / "ivfpq", "f", FaissOptions(nprobe=8))
    np.testing.assert_array_equal(loaded.search_positions(queries, 10)[1], probes[8].search_positions(queries, 10)[1])


def test_hnsw_finds_nearly_all_of_the_exact_top_10():
    vectors, owners, queries = clustered_windows(4, 600)
    options = FaissOptions(hnsw_m=16, ef_search=64)
    index = FaissIndex.build(
        vectors, owners, [f"p{i}" for i in range(600)], "f", factory_string("hnsw", 32, len(vectors), options), options
    )
    assert recall_at_10(index, vectors, owners, queries) > 0.95


def test_factory_strings_follow_the_data_and_refuse_impossible_knobs():
    assert factory_string("faiss-flat", 384, 10**6, FaissOptions()) == "Flat"
    assert factory_string("hnsw", 384, 10**6, FaissOptions(hnsw_m=48)) == "HNSW48,Flat"
    assert factory_string("ivfpq", 768, 10**6, FaissOptions()) == "IVF2564,PQ192x8"  # 100k trained / 39, d / 4
    assert factory_string("ivfpq", 768, 10**6, FaissOptions(train_sample=10**6)) == "IVF4000,PQ192x8"  # 4 sqrt(n)
    assert factory_string("ivfpq", 768, 2000, FaissOptions()) == "IVF51,PQ192x8"  # 39 training windows a list
    assert factory_string("ivfpq", 64, 200, FaissOptions(pq_m=8)) == "IVF5,PQ8x6"  # fewer bits for few windows
    with pytest.raises(UserError, match="--pq_m 7: must divide the vector dimension 64"):
        factory_string("ivfpq", 64, 5000, FaissOptions(pq_m=7))
    with pytest.raises(UserError, match="--nlist 900: more inverted lists than the 500 windows"):
        factory_string("ivfpq", 64, 500, FaissOptions(nlist=900))


def test_window_vectors_are_each_passage_s_windows_for_rerank_windows(tmp_path):
    """What ``rerank.py --rerank_windows`` reads: the vectors of one passage's windows, in window order, from the
    flat and graph indexes exactly (also memory-mapped after a save), and from the exact index."""
    from retrieval.dense import DenseIndex

    vectors, owners = windows_of_passages(3, 20)
    ids = [f"p{i}" for i in range(20)]
    flat = FaissIndex.build(vectors, owners, ids, "f")
    flat.save(tmp_path / "flat")
    indexes = [flat, FaissIndex.load(tmp_path / "flat", "f"), FaissIndex.build(vectors, owners, ids, "f", "HNSW8")]
    indexes.append(DenseIndex(vectors, owners, ids, "f"))
    for index in indexes:
        for position in (0, 7, 19):
            np.testing.assert_array_equal(index.window_vectors(position), vectors[owners == position])
