"""Dense search with FAISS (``rerank.py --index faiss-flat``): an exact ``IndexFlatIP`` over the window vectors.

FAISS ranks windows; a passage's score is its best window's, as in ``exact_search``. Asking FAISS for the
top ``k * W`` windows (W: the most windows any passage has) keeps that exact: the windows that score above
the best window of a passage in the true top k belong to at most k - 1 other passages, so at most
``(k - 1) * W`` of them come first and that best window is among the ``k * W`` returned.

Files in the index directory: ``index.faiss`` (``faiss.write_index``, memory-mapped on load),
``owners.npy``, ``passage_ids.json`` and ``meta.json`` with the fingerprint, written under a temporary
name and renamed when complete, like every index of this project.
"""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np

from file_utils import atomic_directory, write_json
from retrieval.ranking import Ranking, rankings_from


class FaissFlatIndex:
    """Window vectors in a FAISS ``IndexFlatIP``, the passage of each window, and the passages' ids."""

    def __init__(self, index: faiss.Index, owners: np.ndarray, passage_ids: list[str], fingerprint: str):
        self.index = index
        self.owners = np.asarray(owners, dtype=np.int64)
        self.passage_ids = passage_ids
        self.fingerprint = fingerprint
        self.max_windows = int(np.bincount(self.owners).max()) if len(self.owners) else 1

    @classmethod
    def build(cls, vectors: np.ndarray, owners: np.ndarray, passage_ids: list[str], fingerprint: str):
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, owners, passage_ids, fingerprint)

    def save(self, directory: str | Path) -> None:
        with atomic_directory(directory) as staging:
            faiss.write_index(self.index, str(staging / "index.faiss"))
            np.save(staging / "owners.npy", self.owners)
            write_json(staging / "passage_ids.json", self.passage_ids)
            meta = {
                "fingerprint": self.fingerprint,
                "kind": "faiss-flat",
                "windows": int(self.index.ntotal),
                "passages": len(self.passage_ids),
                "dimension": int(self.index.d),
            }
            write_json(staging / "meta.json", meta)

    @classmethod
    def load(cls, directory: str | Path, fingerprint: str) -> FaissFlatIndex | None:
        """The saved index when its fingerprint matches, else None (missing, stale or unreadable)."""
        directory = Path(directory)
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or meta.get("fingerprint") != fingerprint:
                return None
            index = faiss.read_index(str(directory / "index.faiss"), faiss.IO_FLAG_MMAP)
            owners = np.load(directory / "owners.npy", allow_pickle=False)
            passage_ids = json.loads((directory / "passage_ids.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, EOFError, RuntimeError):  # faiss raises RuntimeError for a damaged file
            return None
        if index.ntotal != meta.get("windows") or len(owners) != index.ntotal:
            return None
        if not isinstance(passage_ids, list) or len(passage_ids) != meta.get("passages"):
            return None
        return cls(index, owners, passage_ids, fingerprint)

    def search_positions(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, passage positions) of the top-k passages per query vector, best first."""
        k = min(k, len(self.passage_ids))
        depth = min(self.index.ntotal, k * self.max_windows)
        window_scores, windows = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), depth)
        scores = np.empty((len(queries), k), dtype=np.float32)
        positions = np.empty((len(queries), k), dtype=np.int64)
        for row, (row_scores, row_windows) in enumerate(zip(window_scores, windows)):
            owners = self.owners[row_windows]
            _, first = np.unique(owners, return_index=True)  # each passage's best window: its first in score order
            best = np.sort(first)[:k]
            scores[row], positions[row] = row_scores[best], owners[best]
        return scores, positions

    def search(self, queries: np.ndarray, k: int) -> list[Ranking]:
        return rankings_from(*self.search_positions(queries, k), self.passage_ids)
