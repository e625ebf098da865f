"""Exact top-k dense search over random vectors: the project's ``exact_search`` vs faiss vs a full sort.

1,000 random 384-d float32 queries, top 500, over 100k and 1M random 384-d float32 passages
(standard normal, generated in chunks by a seeded ``numpy`` Generator and written once to ``.npy``
files in a temporary directory). Methods:

- project: ``retrieval.dense.exact_search(queries, passages, 500)`` (chunks of 65,536 passages, a
  running ``torch.topk``; the score matrix never exists);
- faiss: ``IndexFlatIP`` ``add`` + ``search`` (the time includes ``add``, which copies the passages);
- full sort: ``np.argsort(-(queries @ passages.T), axis=1)[:, :500]``; above 200k passages only
  on the first 50 queries, and its time per 1,000 queries is extrapolated (the table says so).

Every (repeat, method) runs in its own subprocess, which loads the arrays, warms the method up on a
small slice, then times one call. Peak additional memory is the process's peak resident set during
that call (``VmHWM`` of ``/proc/self/status``, reset just before the call by writing 5 to
``/proc/self/clear_refs``) minus its resident set just before it. (``ru_maxrss`` cannot be used: a
child started by fork/exec inherits the parent's peak.) Where the kernel refuses the reset, the number
is marked '<=' when the call stayed below the earlier peak (it is then an upper bound).

The project's and the full sort's top-500 lists are checked against faiss's, with exact (float64)
scores: the sets must be equal except for passages within 1e-3 of the 500th exact score (ties at
float32 precision), and every list must be in descending exact-score order within the same tolerance.

    .venv/bin/python bench/dense_search.py [--sizes 100000,1000000] [--queries 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
import numpy as np

NAME = "dense_search"
METHODS = ("project exact_search", "faiss IndexFlatIP", "full sort (np.argsort)")
REFERENCE = "faiss IndexFlatIP"
TIE_TOLERANCE = 1e-3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="passage counts, comma-separated")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sort_subset", type=int, default=50, help="queries the full sort runs on above 200k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--passages", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--timed_queries", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args()


# ---------------------------------------------------------------------------------------------
# Worker: one method, one timed call, in a fresh process


def search(method: str, queries: np.ndarray, passages: np.ndarray, k: int) -> tuple[np.ndarray, dict]:
    """Top-k passage ids per query (best first) and extra timings."""
    if method == "project exact_search":
        from retrieval.dense import exact_search

        return exact_search(queries, passages, k)[1], {}
    if method == "faiss IndexFlatIP":
        import faiss

        start = time.perf_counter()
        index = faiss.IndexFlatIP(passages.shape[1])
        index.add(passages)
        added = time.perf_counter()
        ids = index.search(queries, k)[1]
        return ids, {"add_s": added - start, "search_s": time.perf_counter() - added}
    scores = queries @ passages.T
    return np.argsort(-scores, axis=1)[:, :k], {}


def worker(args: argparse.Namespace) -> None:
    import gc

    import faiss
    import torch  # noqa: F401  (imported before the baseline is taken, like faiss)

    import retrieval.dense  # noqa: F401

    threads = common.setup_threads()
    faiss.omp_set_num_threads(threads)
    data = Path(args.data)
    queries = np.load(data / "queries.npy")[: args.timed_queries]
    passages = np.load(data / f"passages_{args.passages}.npy")
    search(args.worker, queries[:8], passages[:2000], min(args.k, 2000))  # warm-up: thread pools, BLAS, faiss
    gc.collect()
    peak_reset = common.reset_peak()
    before = common.memory_status()
    start = time.perf_counter()
    ids, extra = search(args.worker, queries, passages, args.k)
    seconds = time.perf_counter() - start
    after = common.memory_status()
    out = Path(args.out)
    np.save(out / "ids.npy", np.asarray(ids, dtype=np.int64))
    report = {
        "seconds": seconds,
        "rss_before": before["VmRSS"],
        "peak_before": before["VmHWM"],
        "peak_after": after["VmHWM"],
        "peak_reset": peak_reset,
        "threads": threads,
        **extra,
    }
    (out / "report.json").write_text(json.dumps(report), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Parent


def generate(directory: Path, sizes: list[int], queries: int, dim: int, seed: int, chunk: int = 65536) -> float:
    """Write queries.npy and passages_<n>.npy (the first n rows of one seeded stream); returns seconds."""
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    np.save(directory / "queries.npy", rng.standard_normal((queries, dim), dtype=np.float32))
    largest = max(sizes)
    files = {n: np.lib.format.open_memmap(directory / f"passages_{n}.npy", "w+", np.float32, (n, dim)) for n in sizes}
    for begin in range(0, largest, chunk):
        block = rng.standard_normal((min(chunk, largest - begin), dim), dtype=np.float32)
        for n, array in files.items():
            if begin < n:
                array[begin : min(begin + len(block), n)] = block[: n - begin]
    for array in files.values():
        array.flush()
    del files
    return time.perf_counter() - start


def run_worker(method: str, size: int, timed_queries: int, args: argparse.Namespace, data: Path) -> common.Measured:
    with tempfile.TemporaryDirectory(prefix="bench-dense-worker-") as out:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            method,
            "--data",
            str(data),
            "--passages",
            str(size),
            "--timed_queries",
            str(timed_queries),
            "--k",
            str(args.k),
            "--out",
            out,
        ]
        subprocess.run(command, check=True)
        report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
        report["ids"] = np.load(Path(out) / "ids.npy")
    return common.Measured(report["seconds"], report)


def compare(ids: np.ndarray, reference: np.ndarray, queries: np.ndarray, passages: np.ndarray, k: int) -> dict:
    """Same top-k as the reference up to ties: checked with exact (float64) scores, see the module docstring."""
    same_order = reordered = ties = mismatched = 0
    worst_set_gap = worst_order_gap = 0.0
    for row, (mine, theirs) in enumerate(zip(ids, reference)):
        if np.array_equal(mine, theirs):
            same_order += 1
            continue
        query = np.asarray(queries[row], dtype=np.float64)
        exact_mine = np.asarray(passages[np.asarray(mine)], dtype=np.float64) @ query
        order_gap = float(max(np.max(np.diff(exact_mine)), 0.0))  # a later passage scoring higher
        worst_order_gap = max(worst_order_gap, order_gap)
        a, b = set(mine.tolist()), set(theirs.tolist())
        set_gap = 0.0
        if a != b:
            union = np.fromiter(a | b, dtype=np.int64)
            exact = np.asarray(passages[union], dtype=np.float64) @ query
            boundary = np.sort(exact)[::-1][k - 1]
            differing = np.isin(union, np.fromiter(a ^ b, dtype=np.int64))
            set_gap = float(np.max(np.abs(exact[differing] - boundary)))
            worst_set_gap = max(worst_set_gap, set_gap)
        if order_gap > TIE_TOLERANCE or set_gap > TIE_TOLERANCE:
            mismatched += 1
        elif a == b:
            reordered += 1
        else:
            ties += 1
    return {
        "queries": len(ids),
        "same_order": same_order,
        "same_set_reordered_within_tolerance": reordered,
        "differ_by_ties": ties,
        "mismatched": mismatched,
        "worst_set_gap": worst_set_gap,
        "worst_order_gap": worst_order_gap,
    }


def agreement_text(check: dict) -> str:
    if check is None:
        return "(reference)"
    ok = check["queries"] - check["mismatched"]
    text = f"{ok}/{check['queries']} equal"
    notes = []
    if check["same_set_reordered_within_tolerance"]:
        notes.append(f"{check['same_set_reordered_within_tolerance']} reordered ties")
    if check["differ_by_ties"]:
        notes.append(f"{check['differ_by_ties']} by ties")
    return text + (f" ({', '.join(notes)})" if notes else "")


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args)
        return
    sizes = sorted(int(size) for size in args.sizes.split(","))
    threads = common.setup_threads()
    info = common.machine()
    data = Path(tempfile.mkdtemp(prefix="bench-dense-data-"))
    rows, records = [], {}
    try:
        generated = generate(data, sizes, args.queries, args.dim, args.seed)
        sort_queries = {n: args.queries if n <= 200_000 else min(args.sort_subset, args.queries) for n in sizes}
        sizes_text = (
            f"{args.queries} queries x {', '.join(f'{n:,}' for n in sizes)} passages, {args.dim}-d float32, "
            f"standard normal (seed {args.seed}, generated in {generated:.1f} s); top {args.k}; full sort on "
            + ", ".join(f"{sort_queries[n]} queries at {n:,}" for n in sizes)
            + f"; {args.repeats} interleaved repeats, one subprocess each; torch/faiss threads {threads}"
        )
        print(f"Sizes: {sizes_text}")
        queries = np.load(data / "queries.npy")
        for size in sizes:
            print(f"{size:,} passages:")
            timed = {method: args.queries for method in METHODS}
            timed["full sort (np.argsort)"] = sort_queries[size]
            results = common.run_interleaved(
                {m: (lambda m=m, n=size, q=timed[m]: run_worker(m, n, q, args, data)) for m in METHODS},
                args.repeats,
                warmup_rounds=0,  # each worker warms up on a small slice; every timed call is a fresh process
            )
            passages = np.load(data / f"passages_{size}.npy", mmap_mode="r")
            reference_ids = results[REFERENCE]["value"]["ids"]
            reference_per_1000 = results[REFERENCE]["median"] * 1000 / args.queries
            for method in METHODS:
                entry = results[method]
                report = entry["value"]
                count = timed[method]
                check = None
                if method != REFERENCE:
                    check = compare(report["ids"], reference_ids[:count], queries[:count], passages, args.k)
                per_1000 = entry["median"] * 1000 / count
                added = max(report["peak_after"] - report["rss_before"], 0) / 2**20
                bound = "<= " if not report["peak_reset"] and report["peak_after"] <= report["peak_before"] else ""
                extrapolated = count != args.queries
                rows.append(
                    [
                        f"{size:,}",
                        method,
                        f"{count}" + (" (extrapolated)" if extrapolated else ""),
                        f"{entry['median']:.3f}",
                        f"{per_1000:.2f}" + (" *" if extrapolated else ""),
                        common.ratio(per_1000, reference_per_1000),
                        f"{bound}{added:,.0f}",
                        agreement_text(check),
                    ]
                )
                records[f"{size}/{method}"] = {
                    "passages": size,
                    "method": method,
                    "timed_queries": count,
                    "times_s": entry["times"],
                    "median_s": entry["median"],
                    "s_per_1000_queries": per_1000,
                    "extrapolated": extrapolated,
                    "time_vs_faiss": per_1000 / reference_per_1000,
                    "peak_additional_mib": added,
                    "peak_is_upper_bound": bool(bound),
                    "rss_before_mib": report["rss_before"] / 2**20,
                    **{key: report[key] for key in ("add_s", "search_s") if key in report},
                    "agreement_with_faiss": check,
                }
            del passages
    finally:
        shutil.rmtree(data, ignore_errors=True)

    headers = [
        "passages",
        "method",
        "queries timed",
        "median s",
        "s / 1000 queries",
        "time vs faiss",
        "peak add. MiB",
        f"top-{args.k} ids = faiss",
    ]
    print()
    print(common.machine_line(info))
    print(f"Sizes: {sizes_text}")
    print()
    print(common.markdown_table(headers, rows, left=2))
    print(
        "\n* measured on the first queries only and scaled to 1,000 (time per query is constant for a full sort)."
        "\nfaiss's time and memory include IndexFlatIP.add, which copies the passages into the index."
        "\npeak add.: rise of the worker's peak resident set (VmHWM, reset before the call) over its resident set "
        "before the call; the loaded queries and passages are not counted."
        f"\n'reordered ties': same set, order differs only between passages whose exact scores are within "
        f"{TIE_TOLERANCE}; 'by ties': the sets differ only by passages within {TIE_TOLERANCE} of the "
        f"{args.k}th exact score."
    )
    common.finish(
        NAME,
        {
            "benchmark": NAME,
            "machine": info,
            "sizes": {
                "queries": args.queries,
                "passages": sizes,
                "dim": args.dim,
                "k": args.k,
                "repeats": args.repeats,
                "full_sort_queries": sort_queries,
                "seed": args.seed,
                "threads": threads,
            },
            "reference": REFERENCE,
            "tie_tolerance": TIE_TOLERANCE,
            "results": records,
        },
    )


if __name__ == "__main__":
    main()
