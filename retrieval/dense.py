"""Exact maximum-inner-product search, chunked so memory stays bounded for any corpus size.

Keys are window vectors; ``owners[i]`` is the passage that window ``i`` belongs to
(non-decreasing, as windows are made passage by passage). A passage's score is the
best of its windows. Keys are read chunk by chunk (they may be a memory-mapped
array far larger than RAM), each chunk ends on a passage boundary, and a running
top-k is kept with ``torch.topk``: the full score matrix never exists and is never sorted.

``DenseRetriever`` puts a bi-encoder in front of the index (question texts in, rankings out);
``open_dense_retriever`` reuses the saved index while its fingerprint (encoder files, settings,
corpus, dtype) matches and builds it otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from encoders.backends import check_finite
from errors import UserError
from file_utils import atomic_directory, write_json
from fingerprints import combine
from retrieval.best_windows import rows_of
from retrieval.binary_index import BinaryIndex
from retrieval.faiss_index import FaissIndex, FaissOptions, factory_string
from retrieval.index import load_or_build
from retrieval.ranking import Ranking, rankings_from
from retrieval.shards import merged_shards, shard_sources

if TYPE_CHECKING:
    from data_utils import Corpus
    from encoders.backends import PassageEncoder


def chunk_bounds(owners: np.ndarray, chunk_size: int) -> list[tuple[int, int]]:
    """Row ranges of about ``chunk_size`` keys that never split one passage's windows."""
    bounds, start, total = [], 0, len(owners)
    while start < total:
        end = min(start + chunk_size, total)
        if end < total:
            end = int(np.searchsorted(owners, owners[end - 1], side="right"))
        bounds.append((start, end))
        start = end
    return bounds


def chunk_array(keys: np.ndarray, start: int, end: int, buffer: np.ndarray | None) -> np.ndarray:
    """Rows ``start:end`` of ``keys`` without a copy when they already have the search dtype (``buffer`` None),
    else converted into ``buffer``, one array reused for every chunk: a fresh array per chunk cost a quarter
    of the search time in page faults alone."""
    if buffer is None:
        return np.ascontiguousarray(keys[start:end])
    rows = buffer[: end - start]
    np.copyto(rows, keys[start:end])
    return rows


# Scores are float32 on every device: in float16 two scores between 128 and 256 differ by at least 0.125, so
# near-ties become ties, and the GPU ranking differed from the CPU's. The index may still be stored in float16.
SCORE_DTYPE = torch.float32
PASSAGES_PER_BLOCK = 20_000  # passages cut into windows and encoded together while an index is built


def best_first(scores: torch.Tensor, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row ordered by score, best first, equal scores by passage position: the same order on every device."""
    by_position = torch.argsort(ids, dim=1)
    scores, ids = torch.gather(scores, 1, by_position), torch.gather(ids, 1, by_position)
    order = torch.argsort(scores, dim=1, descending=True, stable=True)
    return torch.gather(scores, 1, order), torch.gather(ids, 1, order)


def exact_search(
    queries: np.ndarray,
    keys: np.ndarray,
    k: int,
    owners: np.ndarray | None = None,
    device: torch.device | str = "cpu",
    chunk_size: int = 65536,
    query_batch_size: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` passages per query by dot product: (scores [Q, k'], passage indices [Q, k']), best first.

    ``k' = min(k, number of passages)``. Without ``owners`` each key is its own passage.
    """
    device = torch.device(device)
    owners = np.arange(len(keys)) if owners is None else np.asarray(owners)
    passages = int(owners[-1]) + 1 if len(owners) else 0
    k = min(k, passages)
    all_scores = np.empty((len(queries), k), dtype=np.float32)
    all_ids = np.empty((len(queries), k), dtype=np.int64)
    bounds = chunk_bounds(owners, chunk_size)
    largest = max((end - start for start, end in bounds), default=0)
    # On the CPU keys are converted while read (one reused buffer); a GPU gets them as stored and converts there.
    convert_on_host = device.type == "cpu" and keys.dtype != np.float32
    buffer = np.empty((largest, keys.shape[1]), dtype=np.float32) if convert_on_host else None
    for q_start in range(0, len(queries), query_batch_size):
        query = torch.as_tensor(np.asarray(queries[q_start : q_start + query_batch_size]), dtype=SCORE_DTYPE)
        query = query.to(device)
        best_scores = torch.full((len(query), 0), float("-inf"), device=device)
        best_ids = torch.empty((len(query), 0), dtype=torch.long, device=device)
        for start, end in bounds:
            chunk = torch.from_numpy(chunk_array(keys, start, end, buffer)).to(device).to(SCORE_DTYPE)
            window_scores = query @ chunk.T
            chunk_owners = torch.as_tensor(owners[start:end], device=device)
            first = int(owners[start])
            span = int(owners[end - 1]) - first + 1
            if span == end - start:
                passage_scores = window_scores
            else:
                index = (chunk_owners - first).expand(len(query), -1)
                passage_scores = torch.full((len(query), span), float("-inf"), device=device)
                passage_scores.scatter_reduce_(1, index, window_scores, reduce="amax")
            top = torch.topk(passage_scores, min(k, span), dim=1)
            best_scores = torch.cat([best_scores, top.values], dim=1)
            best_ids = torch.cat([best_ids, top.indices + first], dim=1)
            if best_scores.shape[1] > k:
                keep = torch.topk(best_scores, k, dim=1)
                best_scores, best_ids = keep.values, torch.gather(best_ids, 1, keep.indices)
        best_scores, best_ids = best_first(best_scores, best_ids)
        rows = slice(q_start, q_start + len(query))
        all_scores[rows] = best_scores.cpu().numpy()
        all_ids[rows] = best_ids.cpu().numpy()
    return all_scores, all_ids


class DenseIndex:
    """Window vectors of a corpus, with the passage each window belongs to, saved as ``.npy`` files.

    Files in the index directory: ``embeddings.npy`` (float16 or float32, memory-mapped on
    load), ``owners.npy`` (passage position of each window), ``passage_ids.json`` and
    ``meta.json`` with the fingerprint. The directory is written under a temporary name
    and renamed when complete, so an interrupted build leaves nothing a later run trusts.
    """

    def __init__(
        self,
        embeddings: np.ndarray,
        owners: np.ndarray,
        passage_ids: list[str],
        fingerprint: str,
        device: torch.device | str = "cpu",
    ):
        self.embeddings = embeddings
        self.owners = owners
        self.passage_ids = passage_ids
        self.fingerprint = fingerprint
        self.device = torch.device(device)

    def save(self, directory: str | Path) -> None:
        with atomic_directory(directory) as staging:
            np.save(staging / "embeddings.npy", self.embeddings)
            np.save(staging / "owners.npy", self.owners)
            write_json(staging / "passage_ids.json", self.passage_ids)
            meta = {
                "fingerprint": self.fingerprint,
                "windows": int(len(self.embeddings)),
                "passages": len(self.passage_ids),
                "dimension": int(self.embeddings.shape[1]),
                "dtype": str(self.embeddings.dtype),
            }
            write_json(staging / "meta.json", meta)

    @classmethod
    def load(cls, directory: str | Path, fingerprint: str, device: torch.device | str = "cpu") -> DenseIndex | None:
        """The saved index when its fingerprint matches, else None (missing, stale or unreadable)."""
        directory = Path(directory)
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or meta.get("fingerprint") != fingerprint:
                return None
            # Copy-on-write: searched without a copy, never written back to the file.
            embeddings = np.load(directory / "embeddings.npy", mmap_mode="c", allow_pickle=False)
            owners = np.load(directory / "owners.npy", allow_pickle=False)
            passage_ids = json.loads((directory / "passage_ids.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, EOFError):  # np.load raises EOFError for an empty file
            return None
        if embeddings.shape[0] != meta.get("windows") or len(owners) != len(embeddings):
            return None
        if not isinstance(passage_ids, list) or len(passage_ids) != meta.get("passages"):
            return None
        return cls(embeddings, owners, passage_ids, fingerprint, device)

    def search_positions(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, passage positions) of the top-k passages per query vector."""
        return exact_search(queries, self.embeddings, k, self.owners, self.device)

    def window_vectors(self, position: int) -> np.ndarray:
        """The vectors of the windows of the passage at ``position``, in window order."""
        start, end = rows_of(self.owners, position)
        return np.asarray(self.embeddings[start:end])

    def search(self, queries: np.ndarray, k: int) -> list[Ranking]:
        """The top-k passages per query vector, best first."""
        return rankings_from(*self.search_positions(queries, k), self.passage_ids)


class DenseRetriever:
    """Question texts -> vectors by the bi-encoder -> the top-k passages of the dense index."""

    def __init__(self, encoder: PassageEncoder, index: DenseIndex):
        self.encoder = encoder
        self.index = index

    def encode(self, questions: Sequence[str]) -> np.ndarray:
        return check_finite(self.encoder.encode(questions, "question"), "the bi-encoder's question vectors")

    def search(self, questions: Sequence[str], k: int) -> list[Ranking]:
        return self.index.search(self.encode(questions), k)


@dataclass(frozen=True)
class DenseIndexKind:
    """How one kind of dense index is built from window vectors and loaded back (None when stale)."""

    build: Callable[[np.ndarray, np.ndarray, list[str], str, torch.device, FaissOptions], Any]
    load: Callable[[Path, str, torch.device, FaissOptions], Any]
    dtype: str | None = None  # the storage type it always uses; None: --index_dtype's
    build_options: tuple[str, ...] = ()  # the FaissOptions fields its files depend on (in the fingerprint)
    binary: bool = False  # holds binary codes: only for a bi-encoder trained for them (train.py --binary)


def faiss_kind(kind: str, build_options: tuple[str, ...]) -> DenseIndexKind:
    def build(vectors, owners, ids, fingerprint, device, options):
        factory = factory_string(kind, vectors.shape[1], len(vectors), options)
        return FaissIndex.build(vectors, owners, ids, fingerprint, factory, options)

    def load(directory, fingerprint, device, options):
        return FaissIndex.load(directory, fingerprint, options, device)

    return DenseIndexKind(build, load, "float32", build_options)


# ``rerank.py --index`` choices: a new dense index is one module and one line here.
DENSE_INDEXES = {
    "exact": DenseIndexKind(
        lambda vectors, owners, ids, fingerprint, device, _: DenseIndex(vectors, owners, ids, fingerprint, device),
        lambda directory, fingerprint, device, _: DenseIndex.load(directory, fingerprint, device),
    ),
    "faiss-flat": faiss_kind("faiss-flat", ()),
    "ivfpq": faiss_kind("ivfpq", ("nlist", "pq_m", "train_sample", "seed")),
    "hnsw": faiss_kind("hnsw", ("hnsw_m",)),
    "binary": DenseIndexKind(
        lambda vectors, owners, ids, fingerprint, device, options: BinaryIndex.build(
            vectors, owners, ids, fingerprint, options.binary_k
        ),
        lambda directory, fingerprint, device, options: BinaryIndex.load(directory, fingerprint, options.binary_k),
        "float32",
        binary=True,
    ),
}


def index_kind(requested: str, encoder: PassageEncoder) -> str:
    """The key of ``DENSE_INDEXES`` that ``rerank.py --index`` means for this bi-encoder: ``auto`` is binary codes
    for a binary (BPR) bi-encoder and the exact index otherwise; binary codes of a float-trained one are refused
    (its signs were never trained to rank)."""
    binary = getattr(encoder.settings, "binary", False)
    if requested == "auto":
        return "binary" if binary else "exact"
    if DENSE_INDEXES[requested].binary and not binary:
        raise UserError(
            f"--index {requested}: the bi-encoder was trained without --binary, so its vectors have no trained "
            "binary codes; use --index exact (or auto), or train one with python train.py --encoder bi --binary"
        )
    return requested


def window_vectors(encoder: PassageEncoder, corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """Every window of every passage embedded by the passage encoder, in this process: (vectors, owners).

    Passages are read, cut into windows and encoded ``PASSAGES_PER_BLOCK`` at a time, so only one block's window
    texts and spans are in memory (the passages of a mapped corpus stay on disk)."""
    from tqdm.auto import tqdm

    blocks, owners = [], []
    with tqdm(total=len(corpus), desc="index", unit=" passages", leave=False, disable=len(corpus) == 0) as bar:
        for start in range(0, len(corpus), PASSAGES_PER_BLOCK):
            end = min(len(corpus), start + PASSAGES_PER_BLOCK)
            texts, block_owners = encoder.windows(corpus).windows_in(start, end)
            vectors = check_finite(encoder.encode(texts, "passage"), "the bi-encoder's passage vectors")
            blocks.append(vectors.reshape(len(texts), -1))
            owners += block_owners
            bar.update(end - start)
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, encoder.dimension), dtype=np.float32)
    return vectors, np.asarray(owners, dtype=np.int64)


def vector_dtype(kind: str, index_dtype: str) -> str:
    """What the vectors of a ``kind`` index are stored as: its own type, or ``--index_dtype``'s."""
    return DENSE_INDEXES[kind].dtype or index_dtype


def open_dense_retriever(
    encoder: PassageEncoder,
    corpus: Corpus,
    directory: Path,
    dtype: str = "float16",
    rebuild: bool = False,
    kind: str = "auto",
    options: FaissOptions | None = None,
    shards: tuple[Path, int] | None = None,
) -> tuple[DenseRetriever, bool]:
    """A retriever over the saved index in ``directory`` if it is fresh, else over a new one (saved there),
    built from vectors encoded here or, with ``shards`` (their directory and count), merged from the shards that
    ``retrieval.shards.encode_shard`` wrote. The exact index is searched on the encoder's device, FAISS ones on
    it too where the installed faiss can (``retrieval.faiss_gpu``), else on the CPU. Returns (retriever, reused)."""
    kind = index_kind(kind, encoder)
    spec, options = DENSE_INDEXES[kind], options or FaissOptions()
    dtype = vector_dtype(kind, dtype)
    built_with = {name: getattr(options, name) for name in spec.build_options}
    sources = shard_sources(encoder, corpus, dtype)  # the encoder's, the corpus's and the dtype's fingerprints
    fingerprint = combine(**sources, kind=kind, **built_with)
    device = encoder.runtime.device

    def build():
        if shards is None:
            vectors, owners = window_vectors(encoder, corpus)
        else:
            vectors, owners = merged_shards(*shards, sources, len(corpus))
        return spec.build(vectors.astype(dtype, copy=False), owners, list(corpus.ids), fingerprint, device, options)

    index, reused = load_or_build(
        directory,
        lambda: spec.load(directory, fingerprint, device, options),
        build,
        rebuild,
        "index",
        "encoder, tokenizer, pooling, corpus or lengths",
    )
    return DenseRetriever(encoder, index), reused
