"""Dense search with FAISS (``rerank.py --index faiss-flat|ivfpq|hnsw``), each index named by a FAISS factory
string: ``Flat`` (exact ``IndexFlatIP``), ``IVF<nlist>,PQ<m>x<bits>`` (inverted lists of product-quantized
codes: an index a fraction of the float size, trained on a sample) and ``HNSW<M>,Flat`` (a graph).

FAISS ranks windows; a passage's score is its best window's, as in ``exact_search``. Asking FAISS for the
top ``k * W`` windows (W: the most windows any passage has) keeps that exact for the flat index: the
windows that score above the best window of a passage in the true top k belong to at most k - 1 other
passages, so at most ``(k - 1) * W`` of them come first and that best window is among those returned. The
compressed and graph indexes are approximate by design: they return what their ``--nprobe`` /
``--ef_search`` let them find.

Files in the index directory: ``index.faiss`` (``faiss.write_index``, memory-mapped on load),
``owners.npy``, ``passage_ids.json`` and ``meta.json`` with the fingerprint, written under a temporary
name and renamed when complete, like every index of this project.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import torch

from errors import UserError
from file_utils import atomic_directory, write_json
from retrieval.best_windows import rows_of
from retrieval.faiss_gpu import GPU_MAX_K, GpuCopy, gpu_copy
from retrieval.ranking import Ranking, best_window_passages, rankings_from

# Maps the file's vectors and codes in place (zero copy): faiss's older IO_FLAG_MMAP maps only inverted lists, and
# read a 51 MB IndexFlatIP file into 49 MB of fresh memory (faiss 1.15, measured); this flag added none.
MEMORY_MAPPED = faiss.IO_FLAG_MMAP_IFC


def most_windows(owners: np.ndarray) -> int:
    """The most windows any one passage has (1 for an empty index)."""
    return int(np.bincount(owners).max()) if len(owners) else 1


def save_index_files(directory: str | Path, write, index, owners, passage_ids: list[str], meta: dict) -> None:
    """``index.faiss`` (by ``write``: faiss.write_index or write_index_binary), ``owners.npy``,
    ``passage_ids.json`` and ``meta.json`` (``meta`` plus the counts), as one atomic directory."""
    with atomic_directory(directory) as staging:
        write(index, str(staging / "index.faiss"))
        np.save(staging / "owners.npy", owners)
        write_json(staging / "passage_ids.json", passage_ids)
        counts = {"index": type(index).__name__, "windows": int(index.ntotal), "passages": len(passage_ids)}
        write_json(staging / "meta.json", {**meta, **counts})


def load_index_files(directory: str | Path, fingerprint: str, read) -> tuple | None:
    """(index, owners, passage ids, meta) saved by ``save_index_files`` when the fingerprint matches and the files
    agree with each other; else None (missing, stale, damaged). ``read``: faiss.read_index or read_index_binary,
    called with ``MEMORY_MAPPED``."""
    directory = Path(directory)
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("fingerprint") != fingerprint:
            return None
        index = read(str(directory / "index.faiss"), MEMORY_MAPPED)
        owners = np.load(directory / "owners.npy", allow_pickle=False)
        passage_ids = json.loads((directory / "passage_ids.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, EOFError, RuntimeError):  # faiss raises RuntimeError for a damaged file
        return None
    if index.ntotal != meta.get("windows") or len(owners) != index.ntotal:
        return None
    if not isinstance(passage_ids, list) or len(passage_ids) != meta.get("passages"):
        return None
    return index, owners, passage_ids, meta


@dataclass(frozen=True)
class FaissOptions:
    """The knobs of the compressed, graph and binary indexes; 0: "chosen from the data" (see ``factory_string``)."""

    nlist: int = 0  # IVF: inverted lists; 0 -> about 4 * sqrt(windows), at least 39 training windows a list
    pq_m: int = 0  # PQ: sub-quantizers, a divisor of the dimension; 0 -> dimension / 4 (or the dimension)
    nprobe: int = 16  # IVF: lists searched per query
    hnsw_m: int = 32  # HNSW: neighbours per node
    ef_search: int = 128  # HNSW: search breadth (raised to the depth searched when that is larger)
    train_sample: int = 100_000  # windows the IVF-PQ quantizers are trained on
    seed: int = 0
    binary_k: int = 1000  # binary codes: windows the Hamming search keeps for rescoring (BPR's candidates)


def factory_string(kind: str, dimension: int, windows: int, options: FaissOptions) -> str:
    """The FAISS factory string of an index of ``kind`` for ``windows`` vectors of ``dimension``."""
    if kind == "faiss-flat":
        return "Flat"
    if kind == "hnsw":
        return f"HNSW{options.hnsw_m},Flat"
    trained = min(windows, options.train_sample)
    nlist = options.nlist or max(1, min(int(4 * math.sqrt(windows)), trained // 39))
    if nlist > trained:
        raise UserError(f"--nlist {nlist}: more inverted lists than the {trained} windows to train them on")
    m = options.pq_m or (dimension // 4 if dimension % 4 == 0 else dimension)
    if dimension % m:
        raise UserError(f"--pq_m {m}: must divide the vector dimension {dimension}")
    bits = min(8, max(1, int(math.log2(trained)) - 1))  # PQ training wants 2**bits centroids per sub-space
    return f"IVF{nlist},PQ{m}x{bits}"


class FaissIndex:
    """Window vectors in a FAISS index, the passage of each window, and the passages' ids."""

    def __init__(
        self,
        index: faiss.Index,
        owners: np.ndarray,
        passage_ids: list[str],
        fingerprint: str,
        options: FaissOptions = FaissOptions(),
        gpu: GpuCopy | None = None,
    ):
        self.index = index
        self.owners = np.asarray(owners, dtype=np.int64)
        self.passage_ids = passage_ids
        self.fingerprint = fingerprint
        self.options = options
        self.max_windows = most_windows(self.owners)
        self.gpu = gpu  # searches in its place where it can (retrieval.faiss_gpu)

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        owners: np.ndarray,
        passage_ids: list[str],
        fingerprint: str,
        factory: str = "Flat",
        options: FaissOptions = FaissOptions(),
    ) -> FaissIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
        if not index.is_trained:
            rng = np.random.default_rng(options.seed)
            sample = rng.choice(len(vectors), min(len(vectors), options.train_sample), replace=False)
            index.train(vectors[np.sort(sample)])
        index.add(vectors)
        return cls(index, owners, passage_ids, fingerprint, options)

    def save(self, directory: str | Path) -> None:
        meta = {"fingerprint": self.fingerprint, "dimension": int(self.index.d)}
        save_index_files(directory, faiss.write_index, self.index, self.owners, self.passage_ids, meta)

    @classmethod
    def load(
        cls,
        directory: str | Path,
        fingerprint: str,
        options: FaissOptions = FaissOptions(),
        device: torch.device | str = "cpu",
    ):
        """The saved index when its fingerprint matches, else None (missing, stale or unreadable); on a CUDA
        ``device``, with a GPU copy to search where faiss can make one."""
        saved = load_index_files(directory, fingerprint, faiss.read_index)
        if saved is None:
            return None
        return cls(*saved[:3], fingerprint, options, gpu_copy(saved[0], torch.device(device)))

    def searcher(self, depth: int) -> faiss.Index:
        """The index that searches ``depth`` windows deep, its knobs set: lists probed (IVF), search breadth
        (HNSW; at least the depth asked). The GPU copy unless the depth is past what a GPU search selects."""
        ivf = faiss.try_extract_index_ivf(self.index)
        nprobe = min(self.options.nprobe, ivf.nlist) if ivf is not None else 0
        if self.gpu is not None and depth <= GPU_MAX_K:
            if nprobe:
                self.gpu.set_nprobe(nprobe)
            return self.gpu.index
        if ivf is not None:
            ivf.nprobe = nprobe
        if hasattr(self.index, "hnsw"):
            self.index.hnsw.efSearch = max(self.options.ef_search, depth)
        return self.index

    def search_positions(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, passage positions) of the top-k passages per query vector, best first. An approximate index
        may find fewer than k: the rest of the row is score -inf, position -1."""
        k = min(k, len(self.passage_ids))
        depth = min(self.index.ntotal, k * self.max_windows)
        window_scores, windows = self.searcher(depth).search(np.ascontiguousarray(queries, dtype=np.float32), depth)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        positions = np.full((len(queries), k), -1, dtype=np.int64)
        for row, (row_scores, row_windows) in enumerate(zip(window_scores, windows)):
            found = row_windows >= 0  # FAISS pads with -1 when it finds fewer windows than asked
            best_scores, best = best_window_passages(row_scores[found], self.owners[row_windows[found]], k)
            scores[row, : len(best)], positions[row, : len(best)] = best_scores, best
        return scores, positions

    def window_vectors(self, position: int) -> np.ndarray | None:
        """The stored vectors of the passage's windows (approximate for ivfpq); None where the index keeps no
        way back from a row to its vector."""
        start, end = rows_of(self.owners, position)
        try:
            return self.index.reconstruct_n(start, end - start)
        except RuntimeError:
            return None

    def search(self, queries: np.ndarray, k: int) -> list[Ranking]:
        scores, positions = self.search_positions(queries, k)
        rankings = rankings_from(scores, np.maximum(positions, 0), self.passage_ids)
        for ranking, row in zip(rankings, positions):
            found = int((row >= 0).sum())
            ranking.ids, ranking.scores = ranking.ids[:found], ranking.scores[:found]
        return rankings
