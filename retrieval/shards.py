"""A corpus's passage vectors encoded in shards, then merged into one dense index (``rerank.py --num_shards N``).

Encoding is the step of a large corpus that needs many devices (21M passages: days on one). Shard ``I`` of
``N`` holds the windows of the passages at positions ``[I * P // N, (I + 1) * P // N)``, encoded by one
process: ``rerank.py --num_shards N --shard_index I`` run anywhere (several machines, a job array), or the
ranks of ``torchrun --nproc_per_node N rerank.py`` (rank ``I`` encodes shard ``I``; rank 0 then builds the
index and goes on). Each shard is one directory ``shards/shard-0000I-of-0000N/`` under the index directory
(``vectors.npy``, ``owners.npy``, ``meta.json``), written under a temporary name and renamed when complete: a
killed process leaves no shard that a later run trusts, and a finished shard whose fingerprint matches is
never encoded again, so rerunning finishes only what is missing.

Merging reads the shards in order and builds any ``--index`` kind from their vectors, as one process would
have from its own; a missing shard, or one encoded from another bi-encoder, corpus or ``--index_dtype``, is
one line naming it and what differs.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from encoders.backends import check_finite
from errors import UserError
from file_utils import atomic_directory, write_json
from retrieval.index import check_writable

if TYPE_CHECKING:
    from data_utils import Corpus
    from encoders.backends import PassageEncoder

SHARDS = "shards"  # the shards' directory under the index directory
# What a shard's vectors depend on, and how a mismatch is named to the user.
SOURCES = {
    "encoder": "bi-encoder (weights, tokenizer, pooling or lengths)",
    "corpus": "corpus",
    "dtype": "--index_dtype",
}


@dataclass(frozen=True)
class ShardPlan:
    """How many shards the corpus is encoded in, and which one this process encodes (None: merge only)."""

    count: int
    index: int | None = None


def shard_plan(num_shards: int | None, shard_index: int | None, environ: Mapping[str, str] = os.environ):
    """The plan that ``--num_shards`` / ``--shard_index`` ask for; None for one process encoding everything.

    Under ``torchrun`` the shards are the ranks: ``--num_shards`` defaults to the world size and must equal it,
    ``--shard_index`` to the rank."""
    world = int(environ["WORLD_SIZE"]) if "WORLD_SIZE" in environ else None
    if world is not None:
        if num_shards is not None and num_shards != world:
            raise UserError(
                f"--num_shards {num_shards}: under torchrun each of the {world} processes encodes the shard of its "
                f"rank; use --num_shards {world} or leave it out"
            )
        if shard_index is not None:
            raise UserError("--shard_index: under torchrun each process encodes the shard of its rank; leave it out")
        num_shards, shard_index = world, int(environ.get("RANK", "0"))
    if num_shards is None and shard_index is not None:
        raise UserError(f"--shard_index {shard_index}: say how many shards there are too (--num_shards N)")
    if num_shards is None:
        num_shards = 1
    if num_shards < 1:
        raise UserError(f"--num_shards {num_shards}: expected 1 or more")
    if shard_index is not None and not 0 <= shard_index < num_shards:
        raise UserError(
            f"--shard_index {shard_index}: expected a shard from 0 to {num_shards - 1} (--num_shards {num_shards})"
        )
    if num_shards == 1 and world is None:
        return None
    return ShardPlan(num_shards, shard_index)


def passage_range(passages: int, index: int, count: int) -> tuple[int, int]:
    """The passage positions ``[start, end)`` of shard ``index`` of ``count`` (sizes differ by at most one)."""
    return passages * index // count, passages * (index + 1) // count


def shard_directory(root: Path, index: int, count: int) -> Path:
    return Path(root) / f"shard-{index:05d}-of-{count:05d}"


def shard_sources(encoder: PassageEncoder, corpus: Corpus, dtype: str) -> dict[str, str]:
    return {"encoder": encoder.passage_fingerprint(), "corpus": corpus.fingerprint(), "dtype": dtype}


def read_meta(directory: Path) -> dict | None:
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def load_shard(directory: Path, meta: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """(vectors, owners) of a complete shard, memory-mapped; None when its files are missing or disagree."""
    try:
        vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
        owners = np.load(directory / "owners.npy", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if len(vectors) != len(owners) or len(vectors) != meta.get("windows"):
        return None
    return vectors, owners


def encode_shard(
    encoder: PassageEncoder, corpus: Corpus, root: Path, plan: ShardPlan, dtype: str, rebuild: bool = False
) -> bool:
    """Encode this process's shard into ``root`` unless it is there already, complete and fresh. Returns reused."""
    index, count = plan.index, plan.count
    directory = shard_directory(root, index, count)
    label = f"shard {index} of {count}"
    expected = {**shard_sources(encoder, corpus, dtype), "shard": index, "shards": count}
    meta = read_meta(directory)
    if not rebuild and meta is not None and all(meta.get(key) == value for key, value in expected.items()):
        if load_shard(directory, meta) is not None:
            print(f"{label}: already encoded ({directory}); reused")
            return True
    if meta is not None:
        print(f"{label}: the saved shard is stale or damaged; encoding it again", file=sys.stderr)
    check_writable(Path(root))
    start, end = passage_range(len(corpus), index, count)
    texts, owners = encoder.windows(corpus).windows_in(start, end)
    print(f"{label}: encoding passages {start} to {end - 1} ({len(texts)} windows)", flush=True)
    vectors = encoder.encode(texts, "passage", description=label) if texts else np.zeros((0, encoder.dimension))
    vectors = check_finite(vectors, "the bi-encoder's passage vectors")
    with atomic_directory(directory) as staging:
        np.save(staging / "vectors.npy", vectors.astype(dtype))
        np.save(staging / "owners.npy", np.asarray(owners, dtype=np.int64))
        write_json(staging / "meta.json", {**expected, "passages": [start, end], "windows": len(texts)})
    print(f"{label}: wrote {directory}")
    return False


def merged_shards(root: Path, count: int, expected: dict[str, str], passages: int) -> tuple[np.ndarray, np.ndarray]:
    """Every shard's (vectors, owners), concatenated in passage order: what one process would have encoded.
    ``expected``: this run's ``shard_sources``; ``passages``: the corpus size."""
    vectors, owners = [], []
    for index in range(count):
        directory = shard_directory(root, index, count)
        label = f"shard {index} of {count} ({directory})"
        encode_it = f"rerank.py ... --num_shards {count} --shard_index {index}"
        meta = read_meta(directory)
        if meta is None:
            raise UserError(f"{label} is missing: encode it with {encode_it} (or run every shard under torchrun)")
        differs = [what for key, what in SOURCES.items() if meta.get(key) != expected[key]]
        if differs:
            raise UserError(
                f"{label} was encoded with another {' and another '.join(differs)} than this run's; encode it "
                f"again with {encode_it} --rebuild_index"
            )
        shard = load_shard(directory, meta)
        if shard is None or tuple(meta.get("passages", ())) != passage_range(passages, index, count):
            raise UserError(f"{label} is damaged: encode it again with {encode_it} --rebuild_index")
        vectors.append(shard[0])
        owners.append(shard[1])
    return np.concatenate(vectors), np.concatenate(owners)
