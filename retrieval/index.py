"""The seam for first-stage indexes: what every index offers, and the fingerprinted cache they share.

An index is built from a corpus (BM25 from its texts, a dense index from window vectors), saved as
one directory written atomically with a ``meta.json`` that holds the fingerprint of everything it
was made from, loaded only while that fingerprint still matches, and searched for the top-k
passages of each query. A new index (FAISS, binary codes) is one module that offers these methods
and uses ``load_or_build`` for its cache.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from errors import UserError
from file_utils import ensure_writable_directory
from retrieval.ranking import Ranking


class PassageIndex(Protocol):
    """A saved, fingerprinted index over a corpus; ``queries`` are what the index compares (texts or vectors)."""

    passage_ids: list[str]
    fingerprint: str

    def save(self, directory: str | Path) -> None: ...

    def search(self, queries: Any, k: int) -> list[Ranking]: ...


class Retriever(Protocol):
    """A first stage: question texts -> the top-k passages of each, best first."""

    def search(self, queries: Sequence[str], k: int) -> list[Ranking]: ...


Index = TypeVar("Index", bound=PassageIndex)


def check_writable(directory: Path) -> None:
    try:
        ensure_writable_directory(directory)
    except UserError as error:
        reason = str(error).rsplit("(", 1)[-1].rstrip(")")
        raise UserError(
            f"cannot save an index in {directory} ({reason}); make it writable or put the indexes elsewhere "
            "(rerank.py --index_directory)"
        ) from error


def load_or_build(
    directory: Path,
    load: Callable[[], Index | None],
    build: Callable[[], Index],
    rebuild: bool,
    label: str,
    depends_on: str,
) -> tuple[Index, bool]:
    """The saved index in ``directory`` if ``load`` accepts it (its fingerprint matches), else ``build()``,
    saved there and loaded back. Returns (index, reused)."""
    if not rebuild:
        index = load()
        if index is not None:
            return index, True
        if (directory / "meta.json").exists():
            print(f"{label}: the saved index is stale ({depends_on} changed); rebuilding", file=sys.stderr)
    check_writable(directory.parent)  # before the build, which may take hours, not after it
    index = build()
    index.save(directory)
    return load() or index, False
