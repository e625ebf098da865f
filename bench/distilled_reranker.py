"""A smaller reranker distilled from a trained one (``train.py --teacher --num_layers``): how much of the teacher's
top 5 it keeps, and how much faster it reranks.

    .venv/bin/python bench/distilled_reranker.py [--run bench/results/lora_quality/run0] [--layers 3] [--steps 60]
        [--teacher_steps 150]

``--run`` is a directory with a trained ``bi_encoder/`` and ``cross_encoder/`` (the teacher) and ``--data`` the
split they were trained on (``lora_quality.py`` writes both; ``qa_benchmark.py``'s results work too). With
``--teacher_steps`` N the teacher is trained first instead: N steps of ``train.py --encoder cross`` from the run's
bi-encoder weights, into ``bench/results/distilled_reranker/teacher_run/``. For each
``--layers`` N three students start from the teacher's own weights cut to N evenly spaced layers: as cut (no
training), trained ``--steps`` steps on the labels (LCE, the teacher's recipe), and trained as many steps on the
teacher's scores (``--teacher``). ``rerank.py --retriever dense`` then reranks DPR's top ``--rerank_depth`` of
every test question with the teacher and with each student, one after the other on the same machine; the table
gives top-1/top-5, the share of the teacher's final top 5 each keeps, and the reranking time against the teacher's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import common
from qa_benchmark import bi_weights, run_step

NAME = "distilled_reranker"
DEFAULT_RUN = common.RESULTS / "lora_quality" / "run0"
TRAIN_FLAGS = [
    "--negatives", "bm25", "--group_size", "4", "--train_batch_size", "8", "--max_query_length", "96",
    "--max_passage_length", "256", "--stride", "64", "--quiet", "--no_weight_tuning",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, default=DEFAULT_RUN, help="holds bi_encoder/ and cross_encoder/")
    parser.add_argument("--data", type=Path, default=None, help="the split's directory (default: RUN/../data)")
    parser.add_argument("--layers", default="3", help="comma-separated student depths")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument(
        "--teacher_steps", type=int, default=0, help="train the teacher first, this many steps (0: RUN's own)"
    )
    parser.add_argument("--teacher_lr", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=13, help="seed of the teacher's training")
    parser.add_argument("--rerank_depth", type=int, default=10)
    parser.add_argument("--bm25_tokenizer", default="whitespace")
    return parser.parse_args()


def link(path: Path, target: Path) -> None:
    """``path`` a link to ``target``, replacing an earlier run's link (which may point at another run)."""
    if path.is_symlink():
        path.unlink()
    path.symlink_to(target.resolve())


def prepared(directory: Path, run: Path) -> Path:
    """``directory`` holding the run's bi-encoder (linked), for a cross-encoder to be trained or linked beside."""
    directory.mkdir(parents=True, exist_ok=True)
    link(directory / "bi_encoder", run / "bi_encoder")
    return directory


def train_command(args: argparse.Namespace, model: Path, data: Path, output: Path, steps: int, lr: float) -> list[str]:
    """``train.py --encoder cross`` from ``model`` on the split's training questions, with the bench's recipe."""
    command = [sys.executable, "train.py", "--encoder", "cross", "--model", str(model)]
    command += ["--train_data", str(data / "train.json"), "--output_directory", str(output), *TRAIN_FLAGS]
    return command + ["--max_steps", str(steps), "--lr", str(lr), "--bm25_tokenizer", args.bm25_tokenizer]


def trained_teacher(args: argparse.Namespace, data: Path, work: Path, timings: dict[str, float]) -> Path:
    """A run directory beside ``--run``'s bi-encoder whose cross-encoder is trained from that bi-encoder's weights."""
    run = prepared(work / "teacher_run", args.run)
    command = train_command(args, bi_weights(args.run), data, run, args.teacher_steps, args.teacher_lr)
    run_step("train teacher", [*command, "--seed", str(args.seed)], run / "train_teacher.log", timings)
    return run


def cut_teacher(teacher: Path, layers: int, output: Path) -> None:
    """The teacher cut to ``layers`` layers, untrained, saved as train.py saves a cross-encoder."""
    from encoders.cross_encoder import CrossEncoder
    from training.distillation import keep_layers

    encoder = CrossEncoder.load(teacher)
    keep_layers(encoder.model, layers, teacher)
    config = json.loads((teacher / "train_config.json").read_text(encoding="utf-8"))
    encoder.save(output, {**config, "num_layers": layers})


def final_lists(results: Path) -> dict[str, list[str]]:
    lines = (results / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["id"]: record["rerank"]["ids"][:5] for record in map(json.loads, lines)}


def main() -> None:
    args = parse_args()
    data, work = args.data or args.run.parent / "data", common.RESULTS / NAME
    python, timings, started = sys.executable, {}, time.perf_counter()
    run = trained_teacher(args, data, work, timings) if args.teacher_steps else args.run
    teacher = run / "cross_encoder"
    rerank = ["--corpus", str(data / "corpus.jsonl"), "--queries", str(data / "test.json"), "--retriever", "dense"]
    rerank += ["--top_k_retrieval", "100", "--rerank_depth", str(args.rerank_depth)]
    students = {"teacher": prepared(work / "teacher", run)}
    link(students["teacher"] / "cross_encoder", teacher)
    for layers in (int(value) for value in args.layers.split(",")):
        cut = prepared(work / f"cut{layers}", run)
        cut_teacher(teacher, layers, cut / "cross_encoder")
        students[f"{layers} layers, as cut"] = cut
        for variant, extra in (("labels", []), ("teacher's scores", ["--teacher", str(teacher)])):
            output = prepared(work / f"{'distilled' if extra else 'labels'}{layers}", run)
            command = [*train_command(args, teacher, data, output, args.steps, args.lr), "--num_layers", str(layers)]
            run_step(f"train {layers} {variant}", [*command, *extra], output / "train.log", timings)
            students[f"{layers} layers, {args.steps} steps on the {variant}"] = output
    measured = {}
    for name, directory in students.items():
        command = [python, "rerank.py", "--input_directory", str(directory), *rerank]
        command += ["--output_directory", str(directory / "results"), "--index_directory", str(work / "index")]
        run_step(f"rerank {name}", command, directory / "rerank.log", timings)
        metrics = json.loads((directory / "results" / "metrics.json").read_text(encoding="utf-8"))
        measured[name] = {"metrics": metrics, "final": final_lists(directory / "results")}
    reference = measured["teacher"]
    rows, payload = [], {"arguments": {k: str(v) for k, v in vars(args).items()}, "timings": timings, "students": {}}
    for name, result in measured.items():
        stage = result["metrics"]["stages"]["DPR+CE"]
        kept = [len(set(ids) & set(reference["final"][qid])) / 5 for qid, ids in result["final"].items()]
        seconds = result["metrics"]["seconds"]["rerank"]
        speed = reference["metrics"]["seconds"]["rerank"] / seconds
        rows.append([name, f"{stage['top1']:.3f}", f"{stage['top5']:.3f}", f"{stage['mrr@10']:.3f}",
                     f"{sum(kept) / len(kept):.3f}", f"{seconds:.1f}", f"{speed:.2f}x"])  # fmt: skip
        payload["students"][name] = {"DPR+CE": stage, "teacher_top5_kept": sum(kept) / len(kept), "seconds": seconds}
    questions = reference["metrics"]["questions"]
    caption = (
        f"{questions} test questions; DPR's top {args.rerank_depth} reranked by the teacher ({teacher}) and by "
        f"students cut from it; DPR's own top-1 {reference['metrics']['stages']['DPR']['top1']:.3f} "
        "(bench/distilled_reranker.py)"
    )
    headers = ["reranker", "top1", "top5", "mrr@10", "teacher's top 5 kept", "rerank s", "speed vs teacher"]
    payload["total_wall_s"] = round(time.perf_counter() - started)
    common.save_report(NAME, caption, common.markdown_table(headers, rows), common.machine(), payload)


if __name__ == "__main__":
    main()
