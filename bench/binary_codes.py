"""BPR's binary codes against the float bi-encoder on a real QA set: one recipe trained twice, every index.

    .venv/bin/python bench/binary_codes.py --name xquad      # English, with the trained cross-encoder after
    .venv/bin/python bench/binary_codes.py --name korquad --no_cross

The article split of ``qa_benchmark.py`` (its defaults: the same test questions), the bi-encoder of its recipe
(``BI_FLAGS``, from all-MiniLM-L6-v2) trained once as it is (float) and once with ``--binary``, each searched by
``rerank.py --retriever dense`` on the test questions: the float one with ``--index exact`` (float32),
``ivfpq`` and ``hnsw``, the binary one with ``--index binary`` and, for comparison, its float vectors
(``--index exact``). With the cross-encoder that ``qa_benchmark.py`` trains (``common.trained_encoders``; trained
first when missing), each list's top ``--rerank_depth`` is reranked too. Reports top-1/5/20/100 and MRR@10 with
the top-k standard errors, and the bytes of each index: the vectors or codes, and the id map (``owners.npy`` +
``passage_ids.json``) on top. Writes ``bench/results/<name>-binary/table.md`` and ``results.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import subprocess
import sys
import time
from pathlib import Path

from common import QA_SETS, RESULTS, ROOT, machine, markdown_table, model_path, save_report
from qa_benchmark import BI_FLAGS
from qa_benchmark import build_parser as qa_parser
from qa_split import write_layout

COLUMNS = ("top1", "top5", "top20", "top100", "mrr@10")
# (row, which bi-encoder, --index): the float recipe on every float index, the binary one on its codes and floats
SEARCHES = (
    ("DPR exact", "float", "exact"),
    ("DPR ivfpq", "float", "ivfpq"),
    ("DPR hnsw", "float", "hnsw"),
    ("BPR binary", "binary", "binary"),
    ("BPR float vectors", "binary", "exact"),
)
ID_MAP = ("owners.npy", "passage_ids.json")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", choices=sorted(QA_SETS), default="xquad", help="the QA set")
    parser.add_argument("--top_k_retrieval", type=int, default=100, help="passages each search returns")
    parser.add_argument("--rerank_depth", type=int, default=20, help="the cross-encoder reranks this many of each")
    parser.add_argument("--no_cross", action="store_true", help="first stages only (no cross-encoder rows)")
    parser.add_argument("--bi_flags", default=BI_FLAGS, help="train.py flags of both bi-encoders")
    return parser


def run(command: list[str], log: Path) -> float:
    """Run one project command, its output to ``log``; return its wall time; stop the benchmark if it fails."""
    print(f"$ {shlex.join(command)}", flush=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        code = subprocess.call(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    if code != 0:
        sys.exit(f"failed with exit status {code}; see {log}")
    return round(time.perf_counter() - start, 1)


def train(work: Path, data: Path, kind: str, flags: str, seed: int) -> float | None:
    """Train the ``kind`` ("float" or "binary") bi-encoder into ``work/kind/`` unless it is there already."""
    output = work / kind
    if (output / "bi_encoder" / "train_config.json").is_file():
        print(f"reusing {output / 'bi_encoder'}")
        return None
    command = [sys.executable, "train.py", "--encoder", "bi", "--model", model_path(), *shlex.split(flags)]
    command += ["--train_data", str(data / "train.json"), "--output_directory", str(output), "--seed", str(seed)]
    command += ["--quiet", "--no_weight_tuning", *(["--binary"] if kind == "binary" else [])]
    return run(command, work / f"train_{kind}.log")


def index_bytes(directory: Path) -> tuple[int, int]:
    """(bytes of the vectors or codes, bytes of the id map) of the index in ``directory``."""
    files = [path for path in directory.iterdir() if path.is_file() and path.name != "meta.json"]
    id_map = sum(path.stat().st_size for path in files if path.name in ID_MAP)
    return sum(path.stat().st_size for path in files) - id_map, id_map


def standard_error(accuracy: float, questions: int) -> float:
    return math.sqrt(accuracy * (1 - accuracy) / max(questions, 1))


def main() -> None:
    args = build_parser().parse_args()
    defaults = qa_parser().parse_args([])
    source, bm25 = QA_SETS[args.name]
    work = RESULTS / f"{args.name}-binary"
    data = work / "data"
    split = write_layout(
        source,
        data,
        defaults.test_fraction,
        defaults.seed,
        defaults.max_test_questions,
        defaults.validation_fraction,
        defaults.max_validation_questions,
    )
    timings = {f"train {kind}": train(work, data, kind, args.bi_flags, defaults.seed) for kind in ("float", "binary")}
    cross = None
    if not args.no_cross:
        from common import trained_encoders

        cross = trained_encoders(args.name) / "cross_encoder"
    rows, results = [], {}
    for row, kind, index in SEARCHES:
        directory = work / kind
        if cross is not None and not (directory / "cross_encoder").exists():
            (directory / "cross_encoder").symlink_to(cross, target_is_directory=True)
        output, index_root = work / "runs" / row.replace(" ", "-"), work / "index" / kind
        command = [sys.executable, "rerank.py", "--input_directory", str(directory), "--retriever", "dense"]
        command += ["--corpus", str(data / "corpus.jsonl"), "--queries", str(data / "test.json")]
        command += ["--index", index, "--index_dtype", "float32", "--top_k_retrieval", str(args.top_k_retrieval)]
        command += ["--index_directory", str(index_root), "--output_directory", str(output), "--rebuild_index"]
        command += ["--stages", "retrieve"] if cross is None else ["--rerank_depth", str(args.rerank_depth)]
        timings[row] = run(command, work / f"rerank_{row.replace(' ', '-')}.log")
        metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
        stored, id_map = index_bytes(index_root / ("dense" if index == "exact" else f"dense-{index}"))
        questions = split["questions_test"]
        for stage, values in metrics["stages"].items():
            name = row if stage == "DPR" else f"{row} + CE"
            results[name] = {**values, "index_bytes": stored, "id_map_bytes": id_map}
            cells = [f"{values[c]:.3f}" if c in values else "-" for c in COLUMNS]
            errors = f"{standard_error(values['top5'], questions):.3f}"
            rows.append([name, *cells, errors, f"{stored:,}" if stage == "DPR" else "", f"{id_map:,}"])
    table = markdown_table(["search", *COLUMNS, "top5 s.e.", "index bytes", "id map bytes"], rows)
    caption = (
        f"{args.name}: {split['questions_test']} test questions, {split['passages']} passages; the same bi-encoder "
        f"recipe trained float and --binary (bench/binary_codes.py; bi-encoder flags: {args.bi_flags})"
        + ("" if cross is None else f"; the cross-encoder reranks the top {args.rerank_depth}")
    )
    payload = {"split": split, "arguments": vars(args), "results": results, "timings": timings}
    save_report(f"{args.name}-binary", caption, table, machine(), payload)


if __name__ == "__main__":
    main()
