"""FAISS indexes searched on the GPU where the installed faiss can (``retrieval.faiss_gpu``), checked on the CPU
with faiss's GPU functions faked: the fake "GPU" index is a CPU clone that records each search, so these tests
see which index searched, with which knobs, and that the answers match the CPU index's. ``tests/test_cuda.py``
runs the real thing on a CUDA machine."""

from __future__ import annotations

import faiss
import numpy as np
import pytest
import torch

from retrieval.dense import DENSE_INDEXES
from retrieval.faiss_gpu import GPU_MAX_K
from retrieval.faiss_index import FaissIndex, FaissOptions


class FakeGpuIndex:
    def __init__(self, index, device, options, log):
        self.inner, self.device, self.use_float16, self.log = faiss.clone_index(index), device, options.useFloat16, log

    def search(self, queries, k):
        self.log.append(("search", k))
        return self.inner.search(queries, k)


class FakeParameterSpace:
    def __init__(self, log):
        self.log = log

    def set_index_parameter(self, index, name, value):
        self.log.append((name, value))
        faiss.extract_index_ivf(index.inner).nprobe = value


@pytest.fixture
def gpu_faiss(monkeypatch):
    """faiss as a GPU build on a machine with one GPU: returns the log of what the GPU copies did."""
    log = []
    monkeypatch.setattr(faiss, "StandardGpuResources", lambda: "resources", raising=False)
    monkeypatch.setattr(faiss, "get_num_gpus", lambda: 1)
    monkeypatch.setattr(faiss, "GpuClonerOptions", lambda: type("Options", (), {"useFloat16": None})(), raising=False)
    monkeypatch.setattr(faiss, "GpuParameterSpace", lambda: FakeParameterSpace(log), raising=False)

    def index_cpu_to_gpu(resources, device, index, options):
        assert resources == "resources"
        copy = FakeGpuIndex(index, device, options, log)
        log.append(("copied", type(index).__name__, device, copy.use_float16))
        return copy

    monkeypatch.setattr(faiss, "index_cpu_to_gpu", index_cpu_to_gpu, raising=False)
    return log


def saved_index(directory, factory, passages=700):
    rng = np.random.default_rng(5)
    owners = np.repeat(np.arange(passages), rng.integers(1, 5, passages))
    vectors = rng.standard_normal((len(owners), 32), dtype=np.float32)
    FaissIndex.build(vectors, owners, [f"p{i}" for i in range(passages)], "f", factory).save(directory)
    return rng.standard_normal((12, 32), dtype=np.float32)


def test_a_cuda_run_searches_the_flat_index_on_its_gpu_with_the_cpu_s_answers(gpu_faiss, tmp_path, capsys):
    """Through ``rerank.py``'s loader (``DENSE_INDEXES``): loading without the run's device keeps the index on
    the CPU (no copy is logged); a copy that stored float16 vectors would not be exact (useFloat16 False)."""
    queries = saved_index(tmp_path / "flat", "Flat")
    on_cpu = FaissIndex.load(tmp_path / "flat", "f")
    on_gpu = DENSE_INDEXES["faiss-flat"].load(tmp_path / "flat", "f", torch.device("cuda", 1), FaissOptions())
    assert gpu_faiss == [("copied", "IndexFlatIP", 1, False)]
    for k in (5, 50):
        found, expected = on_gpu.search_positions(queries, k), on_cpu.search_positions(queries, k)
        np.testing.assert_array_equal(found[1], expected[1])
        np.testing.assert_allclose(found[0], expected[0], rtol=1e-6)
    assert [entry for entry in gpu_faiss if entry[0] == "search"] == [("search", 5 * 4), ("search", 50 * 4)]
    assert capsys.readouterr().err == ""


def test_a_search_deeper_than_the_gpu_selects_uses_the_cpu_index(gpu_faiss, tmp_path):
    """faiss's GPU search stops at k = 2048; deeper asks (k x the most windows of a passage) go to the CPU."""
    queries = saved_index(tmp_path / "flat", "Flat", passages=1500)  # about 3,750 windows
    index = FaissIndex.load(tmp_path / "flat", "f", device="cuda")
    index.search_positions(queries, GPU_MAX_K // 4)
    index.search_positions(queries, GPU_MAX_K // 4 + 1)
    assert [entry for entry in gpu_faiss if entry[0] == "search"] == [("search", GPU_MAX_K)]


def test_ivfpq_on_the_gpu_probes_as_many_lists_as_asked(gpu_faiss, tmp_path):
    """--nprobe reaches the GPU copy (through GpuParameterSpace), not only the CPU index: without it the copy
    probes the saved default (1 list) and finds other passages than the CPU index with 8."""
    queries = saved_index(tmp_path / "ivfpq", "IVF32,PQ8x4")
    options = FaissOptions(nprobe=8)
    on_cpu = FaissIndex.load(tmp_path / "ivfpq", "f", options)
    on_gpu = DENSE_INDEXES["ivfpq"].load(tmp_path / "ivfpq", "f", torch.device("cuda"), options)
    np.testing.assert_array_equal(on_gpu.search_positions(queries, 10)[1], on_cpu.search_positions(queries, 10)[1])
    assert gpu_faiss[0] == ("copied", "IndexIVFPQ", 0, True)  # float16 lookup tables: long PQ codes need them
    assert ("nprobe", 8) in gpu_faiss and ("search", 40) in gpu_faiss


def test_what_cannot_search_on_the_gpu_stays_on_the_cpu_with_one_line(gpu_faiss, tmp_path, monkeypatch, capsys):
    queries = saved_index(tmp_path / "hnsw", "HNSW8,Flat", passages=60)
    expected = FaissIndex.load(tmp_path / "hnsw", "f").search_positions(queries, 5)[1]
    assert capsys.readouterr().err == ""  # a CPU run is not told about GPUs
    hnsw = FaissIndex.load(tmp_path / "hnsw", "f", device="cuda")
    assert hnsw.gpu is None and "no GPU HNSW index" in capsys.readouterr().err
    np.testing.assert_array_equal(hnsw.search_positions(queries, 5)[1], expected)

    saved_index(tmp_path / "flat", "Flat", passages=60)

    def refuse(*_):
        raise RuntimeError("Error in index_cpu_to_gpu: not implemented for this index")

    monkeypatch.setattr(faiss, "index_cpu_to_gpu", refuse)
    assert FaissIndex.load(tmp_path / "flat", "f", device="cuda").gpu is None
    assert (
        "copy this IndexFlatIP to the GPU (Error in index_cpu_to_gpu: not implemented for this index)"
        in capsys.readouterr().err
    )

    def refuse_silently(*_):
        raise RuntimeError()

    monkeypatch.setattr(faiss, "index_cpu_to_gpu", refuse_silently)
    assert FaissIndex.load(tmp_path / "flat", "f", device="cuda").gpu is None
    assert "to the GPU (RuntimeError); it is searched on the CPU" in capsys.readouterr().err

    monkeypatch.setattr(faiss, "get_num_gpus", lambda: 0)  # faiss-cpu, or a GPU faiss that sees no GPU
    assert FaissIndex.load(tmp_path / "flat", "f", device="cuda").gpu is None
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "this faiss has no GPU support" in lines[0]
    assert [entry for entry in gpu_faiss if entry[0] != "search"] == []
