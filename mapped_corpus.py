"""A corpus that does not have to fit in memory: streamed once into an Arrow file, memory-mapped on every later run.

``open_corpus`` reads the corpus formats that stream (MS MARCO and DPR TSV, JSONL, a BEIR directory) record by
record into an Arrow IPC stream file, the format of ``datasets``' own caches, and opens it with
``datasets.Dataset.from_file``, which maps it: the passages stay in the file (and the page cache), not in the
process's memory. What the in-memory ``data_utils.Corpus`` keeps in dicts is kept in numpy arrays here: a 64-bit
hash of every id and of every text, sorted, for lookups by id (``corpus[id]``, ``kept_id``) and by text
(``id_of_text``); a hash match is confirmed against the stored string.

It behaves as ``Corpus`` does: passages with identical text are kept once (the first; every id still resolves to
it), an id used for two different texts is an error, and ``fingerprint()`` is the same hash of the kept passages
in order, so an index built over one is valid for the other. The fingerprint is computed while the file is written
and stored with it.

The cache lives under ``$DPR_RERANK_CACHE`` (default ``~/.cache/dpr-rerank``) in ``corpora/<key>/``, the key a
hash of the file's path, size, modification time and first and last MiB; it is written to a temporary directory
and renamed, so a killed build is never mapped, and processes that open the same corpus at once (torchrun's
ranks) wait for the one that builds it. ``--corpus_storage`` chooses: ``mapped``, ``memory`` (the whole
corpus as Python strings, as before) or ``auto`` (mapped from ``MAP_FROM_BYTES`` on).
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from data_utils import (
    Corpus,
    Passage,
    add_to_fingerprint,
    check_exists,
    corpus_from_records,
    load_corpus,
    require_string,
    streamed_corpus,
    warn,
)
from errors import UserError
from file_utils import atomic_directory, write_json

MAP_FROM_BYTES = 512 * 2**20  # --corpus_storage auto: files this large or larger are mapped
BATCH_ROWS = 1_000  # passages per Arrow record batch and per step of every pass (larger batches: more memory held)
FORMAT = 1  # of the cache directory; part of its key
ARROW, META, KEPT = "passages.arrow", "corpus.json", "kept_rows.npy"
STORAGES = ("auto", "mapped", "memory")


def hash64(texts: Iterable[str]) -> np.ndarray:
    """A 64-bit BLAKE2b hash of each string (stable across processes, unlike ``hash``)."""
    digests = (hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest() for text in texts)
    return np.fromiter((int.from_bytes(digest, "little") for digest in digests), dtype=np.uint64)


class SortedHashes:
    """Row numbers by the hash of a column's strings: ``rows(h)`` are the rows whose string hashes to ``h``."""

    def __init__(self, order: np.ndarray, hashes: np.ndarray):
        self.order = order  # row numbers, by hash
        self.hashes = hashes  # the hashes, sorted

    @classmethod
    def of(cls, hashes: np.ndarray) -> SortedHashes:
        order = np.argsort(hashes, kind="stable")  # rows of one hash stay in file order
        return cls(order, hashes[order])

    def rows(self, value: np.uint64) -> np.ndarray:
        start, end = (np.searchsorted(self.hashes, value, side=side) for side in ("left", "right"))
        return self.order[start:end]

    def runs(self) -> Iterator[np.ndarray]:
        """The rows of every hash shared by two or more rows, in file order."""
        boundaries = np.flatnonzero(self.hashes[1:] != self.hashes[:-1]) + 1
        starts, ends = np.r_[0, boundaries], np.r_[boundaries, len(self.hashes)]
        for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            yield np.sort(self.order[start:end])

    def save(self, directory: Path, name: str) -> None:
        np.save(directory / f"{name}_order.npy", self.order)
        np.save(directory / f"{name}_hashes.npy", self.hashes)

    @classmethod
    def load(cls, directory: Path, name: str) -> SortedHashes:
        load = lambda part: np.load(directory / f"{name}_{part}.npy", mmap_mode="r")  # noqa: E731
        return cls(load("order"), load("hashes"))


class Column(Sequence[str]):
    """One string column of the kept passages, read from the mapped file on demand (slices in one take)."""

    def __init__(self, array, kept_rows: np.ndarray | None):
        self.array = array  # a pyarrow ChunkedArray over every row of the file
        self.kept_rows = kept_rows  # the rows kept (None: every row)

    def __len__(self) -> int:
        return len(self.array) if self.kept_rows is None else len(self.kept_rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if self.kept_rows is None and step == 1:
                return self.array.slice(start, max(0, stop - start)).to_pylist()
            rows = np.arange(start, stop, step) if self.kept_rows is None else self.kept_rows[start:stop:step]
            if not len(rows):
                return []
            # A take over the whole chunked column would concatenate its chunks first: take within the span only.
            first = int(rows.min())
            return self.array.slice(first, int(rows.max()) + 1 - first).take(np.asarray(rows) - first).to_pylist()
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        row = index if self.kept_rows is None else int(self.kept_rows[index])
        return self.array[row].as_py()

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), BATCH_ROWS):
            yield from self[start : start + BATCH_ROWS]


class MappedCorpus:
    """The ``Corpus`` interface over a cache directory written by ``build_cache``."""

    def __init__(self, directory: Path):
        import datasets

        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        self.directory = directory
        self.dataset = datasets.Dataset.from_file(str(directory / ARROW))  # memory-mapped, not read
        self.kept_rows = np.load(directory / KEPT, mmap_mode="r") if (directory / KEPT).is_file() else None
        self.duplicates = {int(row): kept for row, kept in meta["duplicates"].items()}  # row -> the kept row
        self.by_id = SortedHashes.load(directory, "id")
        self.by_text = SortedHashes.load(directory, "text")
        self.digest = meta["fingerprint"]
        table = self.dataset.data
        self.row_ids, self.row_titles, self.row_texts = (table.column(name) for name in ("id", "title", "text"))

    def __len__(self) -> int:
        return len(self.row_ids) if self.kept_rows is None else len(self.kept_rows)

    def row_of(self, passage_id: str) -> int | None:
        """The file row of the passage given under ``passage_id`` (a duplicate's own row), or None."""
        for row in self.by_id.rows(hash64([passage_id])[0]):
            if self.row_ids[int(row)].as_py() == passage_id:
                return int(row)
        return None

    def kept_row(self, passage_id: str) -> int | None:
        row = self.row_of(passage_id)
        return None if row is None else self.duplicates.get(row, row)

    def passage_at_row(self, row: int) -> Passage:
        return Passage(self.row_ids[row].as_py(), self.row_titles[row].as_py(), self.row_texts[row].as_py())

    def __getitem__(self, passage_id: str) -> Passage:
        row = self.kept_row(passage_id)
        if row is None:
            raise KeyError(passage_id)
        return self.passage_at_row(row)

    def __contains__(self, passage_id: object) -> bool:
        return isinstance(passage_id, str) and self.row_of(passage_id) is not None

    def kept_id(self, passage_id: str) -> str | None:
        row = self.kept_row(passage_id)
        return None if row is None else self.row_ids[row].as_py()

    def position(self, passage_id: str) -> int:
        """The passage's position among the kept passages (its row in ``ids``, ``texts`` and the indexes)."""
        row = self.kept_row(passage_id)
        if row is None:
            raise KeyError(passage_id)
        return row if self.kept_rows is None else int(np.searchsorted(self.kept_rows, row))

    def id_of_text(self, text: str) -> str | None:
        """The id the corpus keeps a passage of exactly this text under, or None."""
        for row in self.by_text.rows(hash64([text])[0]):
            if self.row_texts[int(row)].as_py() == text:
                return self.row_ids[self.duplicates.get(int(row), int(row))].as_py()
        return None

    @property
    def ids(self) -> Column:
        return Column(self.row_ids, self.kept_rows)

    @property
    def texts(self) -> Column:
        return Column(self.row_texts, self.kept_rows)

    @property
    def passages(self) -> Iterator[Passage]:
        columns = [Column(array, self.kept_rows) for array in (self.row_ids, self.row_titles, self.row_texts)]
        for start in range(0, len(self), BATCH_ROWS):
            batches = [column[start : start + BATCH_ROWS] for column in columns]
            yield from itertools.starmap(Passage, zip(*batches))

    def fingerprint(self) -> str:
        return self.digest


def cache_root() -> Path:
    return Path(os.environ.get("DPR_RERANK_CACHE") or Path.home() / ".cache" / "dpr-rerank") / "corpora"


def cache_key(source: Path) -> str:
    """What a cached corpus depends on: the file's path, size, modification time and first and last MiB."""
    status = source.stat()
    digest = hashlib.sha256(json.dumps([str(source.resolve()), status.st_size, status.st_mtime_ns, FORMAT]).encode())
    with source.open("rb") as handle:
        digest.update(handle.read(2**20))
        handle.seek(max(0, status.st_size - 2**20))
        digest.update(handle.read(2**20))
    return digest.hexdigest()[:24]


def open_corpus(path: str | Path, storage: str = "auto") -> Corpus | MappedCorpus:
    """The corpus at ``path`` (``--corpus``): mapped from its cache (built first if missing) or in memory, as
    ``storage`` says (``STORAGES``)."""
    path = check_exists(path, "--corpus")
    if storage == "memory":
        return load_corpus(path)
    streamed = streamed_corpus(path)
    if streamed is None:
        if storage == "mapped":
            raise UserError(
                f"--corpus_storage mapped: {path} is not a corpus format that streams (MS MARCO or DPR TSV, JSONL, "
                "a BEIR directory); convert it or use --corpus_storage memory"
            )
        return load_corpus(path)
    source, records = streamed
    if storage == "auto" and source.stat().st_size < MAP_FROM_BYTES:
        return corpus_from_records(records, source)  # what load_corpus does with them, without finding them again
    directory = cache_root() / cache_key(source)
    if not (directory / META).is_file():
        directory.parent.mkdir(parents=True, exist_ok=True)
        with (directory.parent / f".{directory.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process building this cache (a torchrun rank): wait for it
            if not (directory / META).is_file():
                print(f"note: reading {source} into a memory-mapped cache in {directory} (once; later runs map it)")
                build_cache(source, records, directory)
    return MappedCorpus(directory)


def build_cache(source: Path, records: Iterator[tuple[str, Any, Any]], directory: Path) -> None:
    """Stream ``records`` (id, title, text) of ``source`` into ``directory``: the Arrow file, the sorted hashes of
    ids and texts, the duplicates and the fingerprint."""
    import pyarrow as pa

    schema = pa.schema([("id", pa.string()), ("title", pa.string()), ("text", pa.string())])
    digest, rows = hashlib.sha256(), 0
    with atomic_directory(directory) as staging:
        # The hashes go to files as they come (page cache, not this process's memory), sorted one column at a time.
        hash_paths = {name: staging / f"{name}.hashes" for name in ("id", "text")}
        with (
            hash_paths["id"].open("wb") as id_file,
            hash_paths["text"].open("wb") as text_file,
            pa.OSFile(str(staging / ARROW), "wb") as sink,
            pa.ipc.new_stream(sink, schema) as writer,
        ):
            for batch in batched(records, BATCH_ROWS):
                ids, titles, texts = [], [], []
                for passage_id, title, text in batch:
                    texts.append(require_string(text, source, f"passage '{passage_id}'", "text"))
                    ids.append(passage_id)
                    titles.append(title if isinstance(title, str) else "")
                    add_to_fingerprint(digest, ids[-1], titles[-1], texts[-1])
                writer.write_batch(pa.record_batch([ids, titles, texts], schema=schema))
                id_file.write(hash64(ids).tobytes())
                text_file.write(hash64(texts).tobytes())
                rows += len(ids)
        for name, path in hash_paths.items():
            if rows:
                SortedHashes.of(np.memmap(path, dtype=np.uint64, mode="r")).save(staging, name)
            path.unlink()
        if not rows:
            raise UserError(f"{source}: the corpus is empty")
        by_id, by_text = SortedHashes.load(staging, "id"), SortedHashes.load(staging, "text")
        table = pa.ipc.open_stream(pa.memory_map(str(staging / ARROW))).read_all()
        duplicates = duplicate_rows(by_text, table.column("text"))
        check_ids(by_id, table.column("id"), table.column("text"), source)
        fingerprint = digest.hexdigest()
        if duplicates:
            keep = np.ones(rows, dtype=bool)
            keep[np.fromiter(duplicates, dtype=np.int64)] = False
            np.save(staging / KEPT, np.flatnonzero(keep))
            fingerprint = kept_fingerprint(table, duplicates)
        del table, by_id, by_text
        meta = {"source": str(source), "rows": rows, "passages": rows - len(duplicates), "fingerprint": fingerprint}
        write_json(staging / META, {**meta, "duplicates": {str(row): kept for row, kept in duplicates.items()}})
    if duplicates:
        warn(f"{source}: {len(duplicates)} passages repeat an earlier passage's text; each is kept once")


def batched(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def duplicate_rows(by_text: SortedHashes, texts) -> dict[int, int]:
    """Every row whose text an earlier row has -> that earlier row (the one kept)."""
    duplicates = {}
    for rows in by_text.runs():
        first_of = {}
        for row in map(int, rows):
            kept = first_of.setdefault(texts[row].as_py(), row)
            if kept != row:
                duplicates[row] = kept
    return duplicates


def check_ids(by_id: SortedHashes, ids, texts, source: Path) -> None:
    """An id given to two different texts is an error, as in ``data_utils.corpus_from_records``."""
    for rows in by_id.runs():
        text_of = {}
        for row in map(int, rows):
            passage_id, text = ids[row].as_py(), texts[row].as_py()
            if text_of.setdefault(passage_id, text) != text:
                raise UserError(f"{source}: id '{passage_id}' is used for two different passage texts")


def kept_fingerprint(table, duplicates: dict[int, int]) -> str:
    """``Corpus.fingerprint`` of the rows that are not ``duplicates``, read back one record batch at a time."""
    digest, row = hashlib.sha256(), 0
    for batch in table.to_batches():
        for parts in zip(*(batch.column(name).to_pylist() for name in ("id", "title", "text"))):
            if row not in duplicates:
                add_to_fingerprint(digest, *parts)
            row += 1
    return digest.hexdigest()
