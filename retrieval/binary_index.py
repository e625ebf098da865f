"""BPR's binary passage index (``rerank.py --index binary``): one bit per dimension of each window vector, packed
eight a byte (``encoders/hashing.py``), 32 times smaller than float32 vectors.

Search in BPR's two steps: the top ``binary_k`` windows by Hamming distance between the question's code and the
windows' codes (FAISS ``IndexBinaryFlat``, an exact scan of the packed bits), then those windows rescored by the
continuous question vector · the ±1 window code, which is what the bi-encoder was trained to rank with. A passage
scores as its best window. ``binary_k`` is raised to ``k`` times the most windows a passage has, so that k passages
can always be found (the flat index's rule, ``retrieval/faiss_index.py``).

Files in the index directory: ``index.faiss`` (``faiss.write_index_binary``, memory-mapped on load; the
rescoring reads the codes from that same mapping), ``owners.npy``, ``passage_ids.json`` and ``meta.json`` with
the fingerprint, written under a temporary name and renamed when complete, like every index of this project.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from encoders.hashing import pack_codes, unpack_codes
from retrieval.best_windows import rows_of
from retrieval.faiss_index import FaissOptions, load_index_files, most_windows, save_index_files
from retrieval.ranking import Ranking, best_window_passages, rankings_from

DEFAULT_BINARY_K = FaissOptions().binary_k


def packed_view(index: faiss.IndexBinaryFlat) -> np.ndarray:
    """[windows, bytes] uint8 codes of ``index``, a view of its own memory (no copy of a mapped file)."""
    flat = faiss.rev_swig_ptr(index.xb.data(), index.ntotal * index.code_size)
    return np.asarray(flat).reshape(index.ntotal, index.code_size)


class BinaryIndex:
    """Packed window codes in a FAISS binary index, the passage of each window, and the passages' ids."""

    def __init__(
        self,
        index: faiss.IndexBinaryFlat,
        owners: np.ndarray,
        passage_ids: list[str],
        fingerprint: str,
        dimension: int,
        binary_k: int = DEFAULT_BINARY_K,
    ):
        self.index = index
        self.codes = packed_view(index)
        self.owners = np.asarray(owners, dtype=np.int64)
        self.passage_ids = passage_ids
        self.fingerprint = fingerprint
        self.dimension = dimension
        self.binary_k = binary_k
        self.max_windows = most_windows(self.owners)

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        owners: np.ndarray,
        passage_ids: list[str],
        fingerprint: str,
        binary_k: int = DEFAULT_BINARY_K,
    ) -> BinaryIndex:
        packed = pack_codes(vectors)
        index = faiss.IndexBinaryFlat(packed.shape[1] * 8)
        index.add(packed)
        return cls(index, owners, passage_ids, fingerprint, vectors.shape[1], binary_k)

    @property
    def code_bytes(self) -> int:
        """Bytes of the codes alone (the owners and ids come on top)."""
        return int(self.index.ntotal * self.index.code_size)

    def save(self, directory: str | Path) -> None:
        meta = {"fingerprint": self.fingerprint, "dimension": self.dimension, "code_bytes": self.code_bytes}
        save_index_files(directory, faiss.write_index_binary, self.index, self.owners, self.passage_ids, meta)

    @classmethod
    def load(cls, directory: str | Path, fingerprint: str, binary_k: int = DEFAULT_BINARY_K) -> BinaryIndex | None:
        """The saved index when its fingerprint matches, else None (missing, stale or unreadable)."""
        saved = load_index_files(directory, fingerprint, faiss.read_index_binary)
        if saved is None:
            return None
        index, owners, passage_ids, meta = saved
        dimension = meta.get("dimension")
        if not isinstance(dimension, int) or not isinstance(index, faiss.IndexBinaryFlat):
            return None
        if index.code_size != -(-dimension // 8):
            return None
        return cls(index, owners, passage_ids, fingerprint, dimension, binary_k)

    def search_positions(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, passage positions) of the top-k passages per continuous query vector, best first. The depth
        rule always finds k passages: ``depth`` windows cover at least ``depth / max_windows`` passages."""
        queries = np.asarray(queries, dtype=np.float32)
        k = min(k, len(self.passage_ids))
        depth = min(self.index.ntotal, max(self.binary_k, k * self.max_windows))
        scores = np.empty((len(queries), k), dtype=np.float32)
        positions = np.empty((len(queries), k), dtype=np.int64)
        _, candidates = self.index.search(pack_codes(queries), depth)
        for row, (query, windows) in enumerate(zip(queries, candidates)):
            window_scores = unpack_codes(self.codes[windows], self.dimension) @ query
            order = np.argsort(-window_scores, kind="stable")
            scores[row], positions[row] = best_window_passages(window_scores[order], self.owners[windows[order]], k)
        return scores, positions

    def window_vectors(self, position: int) -> np.ndarray:
        """The ±1 codes of the passage's windows, in window order: what the rescoring compares a question with."""
        start, end = rows_of(self.owners, position)
        return unpack_codes(self.codes[start:end], self.dimension)

    def search(self, queries: np.ndarray, k: int) -> list[Ranking]:
        return rankings_from(*self.search_positions(queries, k), self.passage_ids)
