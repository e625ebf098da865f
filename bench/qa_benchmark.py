"""End to end on a real QA set: split by article, train both encoders from all-MiniLM-L6-v2, run every retriever.

    .venv/bin/python bench/qa_benchmark.py                                   # KorQuAD 1.0 dev
    .venv/bin/python bench/qa_benchmark.py --data ../shared/data/xquad/xquad.en.json --bm25_tokenizer whitespace

The SQuAD-style file becomes the competition layout (``qa_split.py``): train and test questions split by
article (about 80/20, seeded), the corpus = every paragraph. Then, each as the user would run it:
``train.py --encoder bi``, ``train.py --encoder cross`` (BM25-mined negatives) and ``rerank.py`` with the
hybrid retriever, which reports BM25, DPR, hybrid, DPR+CE, BM25+CE, BM25 & DPR+CE (the seed's ensemble) and
hybrid+CE on the test questions. Writes ``bench/results/<name>/table.md``, ``results.json`` and
``top_k.png`` (top-k accuracy against k per retriever), and prints the table with every step's wall time.

A tenth of the training articles (at most ``--max_validation_questions`` of their questions) is held out as
validation questions, on which train.py tunes the fusion and rerank weights at the depths rerank.py runs
with; ``weights.md`` then sets each row with its tuned weight (``auto``) beside the same row
without it (hybrid 1:1, the cross-encoder's order alone), both from the one rerank.py run.
Extra flags for a step go in ``--bi_flags`` / ``--cross_flags`` / ``--rerank_flags`` (one quoted string).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

from common import KORQUAD, ROOT, finish, machine, machine_line, markdown_table, model_path, print_and_save
from qa_split import write_layout

COLUMNS = ("top1", "top5", "top10", "top20", "top100", "mrr@10")
# Defaults sized for a 2-core CPU within about an hour. Korean under the English vocabulary is about 1.4
# tokens per character (Hangul splits into jamo): questions need 96 tokens, a 256-token window holds
# about 180 characters.
BI_FLAGS = (
    "--shared_encoder --pooling mean --epochs 1 --lr 5e-5 --train_batch_size 16 "
    "--max_query_length 96 --max_passage_length 256 --stride 64"
)
CROSS_FLAGS = (
    "--negatives bm25 --group_size 4 --train_batch_size 8 --max_steps 200 --lr 1e-4 "
    "--max_query_length 96 --max_passage_length 256 --stride 64"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=KORQUAD, help="a SQuAD-style JSON file")
    parser.add_argument("--name", default=None, help="results go to bench/results/NAME/ (default: the file's stem)")
    parser.add_argument("--test_fraction", type=float, default=0.2, help="share of articles held out for testing")
    parser.add_argument("--seed", type=int, default=13, help="seed of the article split and of training")
    parser.add_argument(
        "--max_test_questions", type=int, default=400, help="evaluate a seeded sample of the test questions"
    )
    parser.add_argument(
        "--validation_fraction", type=float, default=0.1, help="share of training articles held out for validation"
    )
    parser.add_argument(
        "--max_validation_questions", type=int, default=100, help="validation questions the weights are tuned on"
    )
    parser.add_argument("--bm25_tokenizer", default="char-ngram", help="for mining and for the BM25 retriever")
    parser.add_argument("--top_k_retrieval", type=int, default=100, help="candidates of each first stage")
    parser.add_argument("--rerank_depth", type=int, default=10, help="the cross-encoder scores this many of each")
    parser.add_argument("--bi_flags", default=BI_FLAGS, help="train.py flags of the bi-encoder")
    parser.add_argument("--cross_flags", default=CROSS_FLAGS, help="train.py flags of the cross-encoder")
    parser.add_argument("--rerank_flags", default="", help="extra rerank.py flags")
    parser.add_argument(
        "--cross_init",
        choices=["pretrained", "bi"],
        default="bi",
        help="start the cross-encoder from the pretrained model or from the trained bi-encoder's weights",
    )
    parser.add_argument(
        "--train_only", action="store_true", help="stop once both encoders are trained (bench/questions_per_minute.py)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="skip training an encoder already saved by this script (its recorded training time is kept)",
    )
    return parser


def run_step(name: str, command: list[str], log: Path, timings: dict[str, float]) -> None:
    """Run one project command, its output to ``log``; record its wall time; stop the benchmark if it fails."""
    print(f"[{name}] {shlex.join(command)}", flush=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        code = subprocess.call(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    timings[name] = round(time.perf_counter() - start, 1)
    print(f"[{name}] {timings[name]:.0f} s (log: {log})", flush=True)
    if code != 0:
        sys.exit(f"{name} failed with exit status {code}; see {log}")


def bi_weights(work: Path) -> Path:
    """The trained bi-encoder's passage-side weights (a plain Hugging Face model directory)."""
    shared = work / "bi_encoder" / "encoder"
    return shared if shared.is_dir() else work / "bi_encoder" / "passage_encoder"


def plot(stages: dict[str, dict[str, float]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for stage, metrics in stages.items():
        points = sorted((int(key[3:]), value) for key, value in metrics.items() if key[3:].isdigit())
        axes.plot(*zip(*points), marker="o", label=stage, linestyle="--" if "CE" not in stage else "-")
    axes.set_xscale("log")
    axes.set_xlabel("k")
    axes.set_ylabel("top-k accuracy (gold passage in the first k)")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def saved_weights(work: Path) -> tuple[float | None, dict[str, float]]:
    """(BM25's tuned minmax weight in the hybrid list, the cross-encoder's tuned weight per first stage)."""
    configs = {}
    for encoder in ("bi", "cross"):
        path = work / f"{encoder}_encoder" / "train_config.json"
        configs[encoder] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return configs["bi"].get("fusion_weights", {}).get("minmax"), configs["cross"].get("rerank_weights", {})


def weights_table(metrics: dict, work: Path) -> str:
    """Each row the weights change, without them (hybrid 1:1, the cross-encoder alone) and with them (auto)."""
    fusion, rerank_weights = saved_weights(work)
    stages, untuned, n = metrics["stages"], metrics.get("untuned", {}), metrics["questions"]
    rows = []

    def add(row: str, setting: str, values: dict | None, weight: float | None) -> None:
        if values is None:
            return
        error = (values["top1"] * (1 - values["top1"]) / n) ** 0.5
        cells = [f"{values[c]:.3f}" for c in ("top1", "top5", "mrr@10")]
        rows.append([row, setting, *cells, f"{error:.3f}", "-" if weight is None else f"{weight:g}"])

    for row in ("BM25", "DPR"):
        add(row, "first stage", stages.get(row), None)
    add("hybrid", "1:1", untuned.get("hybrid", stages.get("hybrid")), 0.5)
    add("hybrid", "auto", stages.get("hybrid"), fusion)
    for row, first in (("DPR+CE", "retrieve"), ("BM25+CE", "bm25"), ("hybrid+CE", "hybrid")):
        add(row, "w = 1", untuned.get(row, stages.get(row)), 1.0)
        add(row, "auto", stages.get(row), rerank_weights.get(first))
    add("BM25 & DPR+CE", "w = 1", untuned.get("BM25 & DPR+CE", stages.get("BM25 & DPR+CE")), 1.0)
    add("BM25 & DPR+CE", "auto", stages.get("BM25 & DPR+CE"), rerank_weights.get("retrieve"))
    header = ["row", "weights", "top1", "top5", "mrr@10", "top1 s.e.", "weight"]
    return markdown_table(header, rows)


def main() -> None:
    args = build_parser().parse_args()
    name = args.name or args.data.stem
    work = ROOT / "bench" / "results" / name
    data = work / "data"
    split = write_layout(
        args.data,
        data,
        args.test_fraction,
        args.seed,
        args.max_test_questions,
        args.validation_fraction,
        args.max_validation_questions,
    )
    print(f"{name}: {json.dumps(split)}")
    python, model = sys.executable, model_path()
    common = ["--model", model, "--train_data", str(data / "train.json"), "--output_directory", str(work)]
    common += ["--seed", str(args.seed), "--quiet", "--tuning_top_k_retrieval", str(args.top_k_retrieval)]
    common += ["--tuning_rerank_depth", str(args.rerank_depth)]
    if (data / "validation.json").is_file():
        common += ["--validation_data", str(data / "validation.json")]
    saved_timings = work / "timings.json"  # training times survive into a --reuse run's table
    timings: dict[str, float] = {}
    if args.reuse and saved_timings.is_file():
        timings = {k: v for k, v in json.loads(saved_timings.read_text(encoding="utf-8")).items() if k != "rerank"}
    for encoder, flags in (("bi", args.bi_flags), ("cross", args.cross_flags)):
        if args.reuse and (work / f"{encoder}_encoder" / "train_config.json").is_file():
            print(f"[train {encoder}] reusing {work / f'{encoder}_encoder'}")
            continue
        mining = ["--bm25_tokenizer", args.bm25_tokenizer]  # mined negatives and the tuned weights
        start = ["--model", str(bi_weights(work))] if encoder == "cross" and args.cross_init == "bi" else []
        command = [python, "train.py", "--encoder", encoder, *common, *shlex.split(flags), *mining, *start]
        run_step(f"train {encoder}", command, work / f"train_{encoder}.log", timings)
        saved_timings.write_text(json.dumps(timings), encoding="utf-8")
    if args.train_only:
        return
    rerank = [python, "rerank.py", "--input_directory", str(work), "--corpus", str(data / "corpus.jsonl")]
    rerank += ["--queries", str(data / "test.json"), "--retriever", "hybrid", "--bm25_tokenizer", args.bm25_tokenizer]
    rerank += ["--top_k_retrieval", str(args.top_k_retrieval), "--rerank_depth", str(args.rerank_depth)]
    rerank += ["--rebuild_index", *shlex.split(args.rerank_flags)]
    run_step("rerank", rerank, work / "rerank.log", timings)

    metrics = json.loads((work / "results" / "metrics.json").read_text(encoding="utf-8"))
    rows = [[stage, *(f"{values[c]:.3f}" if c in values else "-" for c in COLUMNS)]
            for stage, values in metrics["stages"].items()]  # fmt: skip
    table = markdown_table(["retriever", *COLUMNS], rows)
    steps = {**{k: v for k, v in timings.items() if k.startswith("train")}, **metrics["seconds"]}
    step_table = markdown_table(["step", "wall time (s)"], [[step, f"{s:.0f}"] for step, s in steps.items()])
    info = machine()
    lines = [
        f"{name}: {split['questions_test']} test questions ({split['articles_test']} articles), "
        f"{split['questions_train']} training questions, {split['passages']} passages; CE reranks the top "
        f"{args.rerank_depth} of each first stage",
        "",
        table,
        "",
        step_table,
        "",
        machine_line(info),
    ]
    print_and_save(lines, work / "table.md")
    plot(metrics["stages"], work / "top_k.png", f"{name}: {split['questions_test']} held-out questions")
    weights = weights_table(metrics, work)
    print("\n" + weights)
    (work / "weights.md").write_text(weights + "\n", encoding="utf-8")
    print(f"wrote {work / 'table.md'}, {work / 'weights.md'} and {work / 'top_k.png'}")
    payload = {"split": split, "arguments": {k: str(v) for k, v in vars(args).items()}, "machine": info}
    finish(f"{name}/results", {**payload, "metrics": metrics, "timings": timings})


if __name__ == "__main__":
    main()
