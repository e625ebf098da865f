"""Loading a large corpus: peak memory and time, in memory (``--corpus_storage memory``) against the memory-mapped
Arrow cache (``--corpus_storage mapped``: its first run, which builds the cache, and a later run, which maps it).

    .venv/bin/python bench/corpus_memory.py [--sizes 100000,1000000,5000000] [--before f170d4d]

Each size is a synthetic DPR-format TSV (``id<TAB>text<TAB>title``, about 100 words a passage, 1 in 1,000
passages a copy of an earlier one's text so that deduplication has work), written once under
``bench/results/corpus_memory/``. Each (size, storage) runs in its own process: it loads the corpus and asks for
its fingerprint, as ``rerank.py`` does before anything else, while a thread samples ``/proc/self/status`` every
10 ms; ``datasets`` and ``pyarrow`` are imported before the baseline (their import is a fixed ~100 MB, whatever
the corpus). "anonymous peak" is the peak of RssAnon (memory the process owns: Python objects, numpy arrays) above its
value before loading; "resident peak" is VmHWM above VmRSS before loading, which also counts the pages of mapped
files the process touched (those belong to the page cache: the kernel drops them under pressure). The in-memory
load is skipped where it would need more than half the machine's memory (estimated at 3x the file, 7x with the
``--before`` code, which read the whole file into one string and a list of row dicts first).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import common

NAME = "corpus_memory"
WORDS = [f"w{number}" for number in range(20_000)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument(
        "--before",
        default=None,
        help="also load in memory with the data_utils of this commit (a git worktree), e.g. f170d4d, the last "
        "before the streamed readers",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)  # corpus file, storage[, source tree]
    return parser.parse_args()


def synthetic_tsv(passages: int, path: Path) -> Path:
    if path.is_file():
        return path
    rng = random.Random(passages)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write("id\ttext\ttitle\n")
        earlier = []
        for number in range(passages):
            if number % 1000 == 999:
                text = rng.choice(earlier)
            else:
                text = " ".join(rng.choices(WORDS, k=100))
                earlier = earlier[-100:] + [text]
            handle.write(f"{number}\t{text}\tTitle {number // 10}\n")
    partial.rename(path)
    return path


def status() -> dict[str, int]:
    values = {}
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def worker(path: str, storage: str, tree: str = str(common.ROOT)) -> dict:
    import datasets  # noqa: F401  (imported before the baseline: a fixed cost, not the corpus's)
    import pyarrow  # noqa: F401

    sys.path.insert(0, tree)  # this checkout, or an earlier commit's (--before)
    if tree != str(common.ROOT):
        from data_utils import load_corpus

        def open_corpus(path, storage):
            return load_corpus(Path(path))
    else:
        from mapped_corpus import open_corpus

    common.reset_peak()
    before = status()
    peak_anon, done = [before["RssAnon"]], threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak_anon[0] = max(peak_anon[0], status()["RssAnon"])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    corpus = open_corpus(path, storage)
    corpus.fingerprint()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    after = status()
    peak_anon[0] = max(peak_anon[0], after["RssAnon"])
    return {
        "seconds": seconds,
        "anonymous_peak": peak_anon[0] - before["RssAnon"],
        "resident_peak": after["VmHWM"] - before["VmRSS"],
        "passages": len(corpus),
    }


def main() -> None:
    args = parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    work = common.RESULTS / NAME
    work.mkdir(parents=True, exist_ok=True)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    rows, entries, started = [], [], time.perf_counter()
    before = None
    if args.before:
        before = work / f"tree_{args.before}"
        if not before.is_dir():
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(before), args.before], check=True, cwd=common.ROOT
            )
    for size in (int(value) for value in args.sizes.split(",")):
        path = synthetic_tsv(size, work / f"passages_{size}.tsv")
        file_bytes = path.stat().st_size
        cache = work / f"cache_{size}"
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        runs = [("memory", "in memory", str(common.ROOT))]
        if before is not None:
            runs.insert(0, ("memory", f"in memory, before ({args.before})", str(before)))
        runs.append(("mapped", "mapped, first run (builds the cache)", str(common.ROOT)))
        runs.append(("mapped", "mapped, later run", str(common.ROOT)))
        for storage, label, tree in runs:
            if storage == "memory" and (7 if tree != str(common.ROOT) else 3) * file_bytes > memory / 2:
                rows.append([f"{size:,}", label, f"{file_bytes / 2**20:,.0f}", "skipped", "-", "-", "-"])
                continue
            environment = {**os.environ, "DPR_RERANK_CACHE": str(cache)}
            command = [sys.executable, __file__, "--worker", str(path), storage, tree]
            output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
            measured = json.loads(output.strip().splitlines()[-1])
            entries.append({"passages": size, "storage": label, "file_bytes": file_bytes, **measured})
            rows.append([
                f"{size:,}", label, f"{file_bytes / 2**20:,.0f}", f"{measured['seconds']:.1f}",
                f"{measured['anonymous_peak'] / 2**20:,.0f}",
                f"{measured['anonymous_peak'] / file_bytes:.1%}",
                f"{measured['resident_peak'] / 2**20:,.0f}",
            ])  # fmt: skip
            print(rows[-1], flush=True)
        subprocess.run(["rm", "-rf", str(cache)], check=True)
    if before is not None:
        subprocess.run(["git", "worktree", "remove", "--force", str(before)], check=True, cwd=common.ROOT)
    headers = ["passages", "storage", "file MiB", "load s", "anonymous peak MiB", "of the file", "resident peak MiB"]
    caption = (
        "Loading a DPR TSV corpus and its fingerprint (bench/corpus_memory.py): synthetic passages of 100 words, "
        "1 in 1,000 a duplicate; peaks above the process before loading"
    )
    payload = {"arguments": vars(args), "entries": entries, "total_wall_s": round(time.perf_counter() - started)}
    common.save_report(NAME, caption, common.markdown_table(headers, rows, left=2), common.machine(), payload)


if __name__ == "__main__":
    main()
