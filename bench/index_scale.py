"""The dense indexes at a million passages and more: build time, bytes, search time and recall against exact.

    .venv/bin/python bench/index_scale.py [--sizes 1000000,5000000] [--dim 384] [--queries 1000]

Synthetic vectors that cluster as real embeddings do, so that IVF is tested honestly (uniform random vectors
have no lists worth probing): 4,096 centres, each vector a centre plus a point of a 64-dimensional subspace of
the same scale plus a little noise (``generate``), one window per passage, queries drawn the same way;
seeded, generated in chunks into memory-mapped ``.npy`` files in a temporary directory. Each index is the
project's own class, built and searched as ``rerank.py`` does:

- project exact: ``retrieval.dense.exact_search`` over the float32 vectors (chunked ``torch.topk``);
- faiss-flat: ``FaissIndex`` with ``IndexFlatIP`` (exact; the recall reference);
- ivfpq: ``FaissIndex`` with the default factory string for the size (``--nlist``/``--pq_m`` chosen from the
  data, trained on 100k vectors), searched at each of ``--nprobes``;
- ivf-flat (``--ivf_flat``, a diagnostic: ``rerank.py`` offers no such index): the same inverted lists over
  the float vectors, so that the recall IVF-PQ loses splits into what the lists miss and what the codes miss;
- hnsw: ``FaissIndex`` with ``HNSW32,Flat``, searched at each of ``--ef_searches`` (raised to the depth asked);
  skipped above ``--hnsw_max`` passages (its build is the slowest step on a 2-core machine);
- binary: ``BinaryIndex`` over the sign codes of the vectors (``--binary_k 1000``). These vectors were not
  trained for their signs as BPR's are, so its recall here measures the index's mechanics on untrained codes
  (random-hyperplane hashing), not BPR's quality: ``bench/binary_codes.py`` measures that on real data.

Per index: build seconds, bytes (the serialized index; the id map a real index adds on top is 8 bytes a
window, reported once), search seconds for all queries at k = 100 and k = 500 (one timed call each after a
warm-up), speed-up against the project's exact search, and recall@100 / recall@500 against faiss-flat's top
lists (the share of the exact top-k found). Results in ``bench/results/index_scale/``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import common
import numpy as np

NAME = "index_scale"
KS = (100, 500)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000000", help="passage counts, comma-separated")
    parser.add_argument("--dim", type=int, default=384, help="vector dimension (all-MiniLM-L6-v2's)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--hnsw_max", type=int, default=1_000_000, help="skip HNSW above this many passages")
    parser.add_argument("--nprobes", default="16,64,256", help="ivfpq: lists probed, one row each")
    parser.add_argument("--ef_searches", default="128,512", help="hnsw: search breadths, one row each")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--ivf_flat", action="store_true",
        help="also the ivfpq index's lists over uncompressed vectors: what the lists alone lose, without PQ's codes "
        "(a second float copy of the vectors: at 5M x 384 it ran out of 24 GB; use it at 1M or a smaller --dim)",
    )  # fmt: skip
    return parser.parse_args()


LATENT = 64  # the dimensions along which vectors vary within a cluster


def generate(
    path: Path, rows: int, centres: np.ndarray, basis: np.ndarray, rng: np.random.Generator, chunk: int = 65536
) -> np.ndarray:
    """``rows`` clustered float32 vectors in a memory-mapped ``.npy`` at ``path``: a centre, plus a point of a
    64-dimensional subspace as large as the centre, plus a little isotropic noise (real embeddings vary along
    few directions; isotropic noise as large as the centres made every neighbour list random)."""
    array = np.lib.format.open_memmap(path, "w+", np.float32, (rows, centres.shape[1]))
    for begin in range(0, rows, chunk):
        count = min(chunk, rows - begin)
        picked = centres[rng.integers(0, len(centres), count)]
        within = rng.standard_normal((count, LATENT), dtype=np.float32) @ basis
        noise = rng.standard_normal(picked.shape, dtype=np.float32) * 0.3
        array[begin : begin + count] = picked + within + noise
    array.flush()
    return np.load(path, mmap_mode="r")


def timed(call):
    start = time.perf_counter()
    value = call()
    return value, time.perf_counter() - start


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(a.tolist()) & set(b.tolist())) / len(b) for a, b in zip(found, exact)]))


def serialized_bytes(index) -> int:
    import faiss

    if isinstance(index.index, faiss.IndexBinary):
        return int(faiss.serialize_index_binary(index.index).nbytes)
    return int(faiss.serialize_index(index.index).nbytes)


def measure_size(size: int, args: argparse.Namespace, directory: Path) -> list[dict]:
    from retrieval.binary_index import BinaryIndex
    from retrieval.dense import exact_search
    from retrieval.faiss_index import FaissIndex, FaissOptions, factory_string

    rng = np.random.default_rng(args.seed)
    centres = rng.standard_normal((4096, args.dim), dtype=np.float32)
    basis = rng.standard_normal((LATENT, args.dim), dtype=np.float32) / np.sqrt(LATENT)
    vectors = generate(directory / f"passages_{size}.npy", size, centres, basis, rng)
    queries = np.array(generate(directory / "queries.npy", args.queries, centres, basis, rng))  # writable, in memory
    owners, ids = np.arange(size), [str(i) for i in range(size)]
    loaded, load_seconds = timed(lambda: np.ascontiguousarray(vectors))
    print(f"{size:,} x {args.dim} vectors generated and loaded ({load_seconds:.0f} s to read)", flush=True)
    entries: list[dict] = []

    def searched(name: str, search, build_seconds: float, stored: int, options: str = "") -> None:
        search(queries[:8], 10)  # warm-up: thread pools, pages
        entry = {"index": name, "options": options, "build_s": build_seconds, "bytes": stored}
        for k in KS:
            positions, seconds = timed(lambda k=k: search(queries, k))
            entry[f"search_s@{k}"], entry[f"positions@{k}"] = seconds, positions
        entries.append(entry)
        print(f"  {name} {options}: build {build_seconds:.1f} s, search@100 {entry['search_s@100']:.2f} s", flush=True)

    searched(
        "project exact", lambda q, k: exact_search(q, loaded, k, owners)[1], 0.0, loaded.nbytes, "float32, chunked"
    )
    flat, seconds = timed(lambda: FaissIndex.build(loaded, owners, ids, "f", "Flat"))
    searched("faiss-flat", lambda q, k: flat.search_positions(q, k)[1], seconds, serialized_bytes(flat), "Flat")
    flat = None  # freed before the next index is built

    def swept(name: str, factory: str, knob: str, values: str) -> None:
        """Build the index of ``factory`` once; search it at each value of its search-time ``knob``."""
        index, seconds = timed(lambda: FaissIndex.build(loaded, owners, ids, "f", factory, options))
        for value in (int(value) for value in values.split(",")):
            index.options = FaissOptions(**{knob: value})
            searched(name, lambda q, k: index.search_positions(q, k)[1], seconds, serialized_bytes(index),
                     f"{factory}, {knob} {value}")  # fmt: skip
            seconds = 0.0  # built once

    options = FaissOptions()
    ivfpq = factory_string("ivfpq", args.dim, size, options)
    swept("ivfpq", ivfpq, "nprobe", args.nprobes)
    if args.ivf_flat:
        swept("ivf-flat", ivfpq.split(",")[0] + ",Flat", "nprobe", args.nprobes)
    if size <= args.hnsw_max:
        swept("hnsw", f"HNSW{options.hnsw_m},Flat", "ef_search", args.ef_searches)
    binary, seconds = timed(lambda: BinaryIndex.build(loaded, owners, ids, "f", options.binary_k))
    searched("binary", lambda q, k: binary.search_positions(q, k)[1], seconds, serialized_bytes(binary),
             f"untrained sign codes, binary_k {options.binary_k}")  # fmt: skip
    binary = loaded = None
    exact = {k: entries[1][f"positions@{k}"] for k in KS}
    for entry in entries:
        entry["passages"] = size
        for k in KS:
            entry[f"recall@{k}"] = recall(entry.pop(f"positions@{k}"), exact[k])
    return entries


def main() -> None:
    args = parse_args()
    threads = common.setup_threads()
    import faiss

    faiss.omp_set_num_threads(threads)
    entries = []
    for size in (int(value) for value in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-index-scale-") as directory:
            entries += measure_size(size, args, Path(directory))
    rows = []
    for entry in entries:
        reference = next(e for e in entries if e["passages"] == entry["passages"] and e["index"] == "project exact")
        rows.append([
            f"{entry['passages']:,}",
            entry["index"],
            entry["options"],
            f"{entry['build_s']:.0f}",
            f"{entry['bytes'] / 2**20:,.0f}",
            f"{entry['search_s@100']:.2f}",
            common.ratio(reference["search_s@100"], entry["search_s@100"]),
            f"{entry['search_s@500']:.2f}",
            f"{entry['recall@100']:.3f}",
            f"{entry['recall@500']:.3f}",
        ])  # fmt: skip
    headers = ["passages", "index", "options", "build s", "MiB", "search@100 s", "speed-up vs exact",
               "search@500 s", "recall@100", "recall@500"]  # fmt: skip
    caption = (
        f"{args.queries:,} queries, {args.dim}-d clustered synthetic vectors (bench/index_scale.py); the id map a "
        "real index adds is 8 bytes a passage window on top"
    )
    table = common.markdown_table(headers, rows, left=3)
    common.save_report(NAME, caption, table, common.machine(), {"arguments": vars(args), "entries": entries})


if __name__ == "__main__":
    main()
