"""The GPU check (``make gpu-check``; meant to take under 8 minutes on one GPU, not yet timed on one).

1. The tests marked ``cuda`` (``tests/test_cuda.py``: device choice, fp16/bf16 inference and training, DDP over
   nccl on every GPU present).
2. The demo flow (``make demo``'s data, all-MiniLM-L6-v2) in each configuration: the bi-encoder and the
   cross-encoder trained for ``--steps`` steps, then ``rerank.py`` on the demo's held-out questions. The
   configurations: the CPU in fp32 (the reference), the GPU in fp32, fp16 and, where native, bf16.
3. A table: per configuration, the last logged losses of both encoders, the final top-5 accuracy, how much of
   each question's final top 5 the CPU run also has, and the wall time; JSON in ``bench/results/gpu_check.json``.

Exit status 1 when a test fails, a loss is not finite, or a configuration's top 5 agrees with the CPU's on less
than ``--min_overlap`` of the passages (half precision trains a little differently, so the bar is not 1.0).
``--configurations cpu-fp32`` alone runs the flow without a GPU (a check of this script)."""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
CONFIGURATIONS = ("cpu-fp32", "cuda-fp32", "cuda-fp16", "cuda-bf16")
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1"}


def run(argv: list[str], timeout: int) -> subprocess.CompletedProcess:
    completed = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0:
        print(completed.stdout[-2000:], completed.stderr[-4000:], sep="\n", file=sys.stderr)
    return completed


def cuda_tests() -> dict:
    started = time.perf_counter()
    completed = run([sys.executable, "-m", "pytest", "-m", "cuda", "-p", "no:cacheprovider", "-rs"], 420)
    summary = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else "no output"
    return {"passed": completed.returncode == 0, "summary": summary, "wall_s": time.perf_counter() - started}


def last_losses(directory: Path, count: int = 5) -> float:
    """The mean of the last ``count`` logged training losses (one step's loss is noisy)."""
    lines = [json.loads(line) for line in (directory / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    losses = [line["loss"] for line in lines if "loss" in line][-count:]
    return sum(losses) / len(losses) if losses else float("nan")


def final_rankings(predictions: Path) -> dict[str, tuple[list[str], list[str]]]:
    """question id -> (gold ids, the final stage's ranked ids)."""
    rankings = {}
    for line in predictions.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        final = [value for value in record.values() if isinstance(value, dict) and "ids" in value][-1]
        rankings[record["id"]] = (record.get("gold_ids", []), final["ids"])
    return rankings


def demo_flow(configuration: str, output: Path, model: str, steps: int, data: Path) -> dict:
    """Train both encoders and rerank the held-out questions in one configuration; the numbers to compare."""
    device, precision = configuration.split("-")
    common_flags = ["--model", model, "--output_directory", str(output), "--device", device, "--precision", precision]
    common_flags += ["--train_data", str(data / "train.json"), "--max_steps", str(steps), "--logging_steps", "1"]
    common_flags += ["--quiet", "--no_weight_tuning", "--bm25_tokenizer", "whitespace", "--save_steps", "100000"]
    started = time.perf_counter()
    bi = [sys.executable, "train.py", "--encoder", "bi", *common_flags, "--shared_encoder", "--pooling", "mean"]
    bi += ["--max_passage_length", "256", "--stride", "64"]
    cross = [sys.executable, "train.py", "--encoder", "cross", *common_flags, "--lr", "3e-4", "--group_size", "4"]
    cross += ["--max_query_length", "32", "--max_passage_length", "192", "--stride", "64", "--negatives", "dense"]
    rerank = [sys.executable, "rerank.py", "--input_directory", str(output), "--corpus", str(DEMO / "corpus.jsonl")]
    rerank += ["--queries", str(DEMO / "validation.json"), "--top_k_retrieval", "20", "--top_k", "5"]
    rerank += ["--bm25_tokenizer", "whitespace", "--device", device, "--precision", precision]
    rerank += ["--output_directory", str(output / "rerank")]
    for argv in (bi, cross, rerank):
        if run(argv, 600).returncode != 0:
            return {"failed": Path(argv[1]).name, "wall_s": time.perf_counter() - started}
    rankings = final_rankings(output / "rerank" / "predictions.jsonl")
    hits = [bool(set(gold) & set(ids[:5])) for gold, ids in rankings.values()]
    return {
        "bi_loss": last_losses(output / "bi_encoder"),
        "cross_loss": last_losses(output / "cross_encoder"),
        "top5": sum(hits) / len(hits),
        "rankings": {qid: ids[:5] for qid, (_, ids) in rankings.items()},
        "wall_s": time.perf_counter() - started,
    }


def overlap(rankings: dict[str, list[str]], reference: dict[str, list[str]]) -> float:
    shared = [len(set(ids) & set(reference[qid])) / max(len(reference[qid]), 1) for qid, ids in rankings.items()]
    return sum(shared) / len(shared)


def wanted_configurations(names: str) -> list[str]:
    import torch

    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in CONFIGURATIONS]
    if unknown:
        raise SystemExit(f"--configurations: unknown {', '.join(unknown)} (expected some of {CONFIGURATIONS})")
    if any(name.startswith("cuda") for name in chosen) and not torch.cuda.is_available():
        print("gpu-check: no CUDA device on this machine (--configurations cpu-fp32 checks the script alone)")
        raise SystemExit(2)
    if "cuda-bf16" in chosen and torch.cuda.get_device_capability(0) < (8, 0):
        chosen.remove("cuda-bf16")  # the GPU has no native bf16: --precision bf16 would run fp16
    return chosen


def gpu_names() -> list[str]:
    import torch

    return [torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS))
    parser.add_argument("--steps", type=int, default=40, help="training steps of each encoder")
    parser.add_argument("--min_overlap", type=float, default=0.6)
    parser.add_argument("--skip_tests", action="store_true", help="only the demo flow")
    parser.add_argument("--work", type=Path, default=common.RESULTS / "gpu_check")
    args = parser.parse_args()
    configurations = wanted_configurations(args.configurations)
    info = {**common.machine(), "gpus": gpu_names()}
    tests = None if args.skip_tests else cuda_tests()
    data = args.work / "data"
    run([sys.executable, str(DEMO / "hold_out.py"), str(data)], 120)
    model = common.model_path()
    for name in configurations:
        shutil.rmtree(args.work / name, ignore_errors=True)  # an earlier check's models and indexes
    results = {name: demo_flow(name, args.work / name, model, args.steps, data) for name in configurations}
    reference = results.get("cpu-fp32", {}).get("rankings")
    problems = [] if tests is None or tests["passed"] else [f"cuda tests: {tests['summary']}"]
    rows = []
    for name, result in results.items():
        if "failed" in result:
            problems.append(f"{name}: {result['failed']} failed (its output is above)")
            rows.append([name, "-", "-", "-", "-", f"{result['wall_s']:.0f}"])
            continue
        agreement = overlap(result["rankings"], reference) if reference else float("nan")
        result["top5_overlap_with_cpu"] = agreement
        if not (math.isfinite(result["bi_loss"]) and math.isfinite(result["cross_loss"])):
            problems.append(f"{name}: a loss is not finite")
        if reference and agreement < args.min_overlap:
            problems.append(f"{name}: its top 5 shares only {agreement:.2f} of the CPU run's passages")
        cells = [f"{result['bi_loss']:.4f}", f"{result['cross_loss']:.4f}", f"{result['top5']:.3f}"]
        rows.append([name, *cells, f"{agreement:.2f}", f"{result['wall_s']:.0f}"])
    print()
    print(common.machine_line(info))
    print(f"GPUs: {', '.join(info['gpus']) or 'none'}; demo flow: {args.steps} training steps per encoder")
    if tests is not None:
        print(f"cuda tests: {tests['summary']} ({tests['wall_s']:.0f} s)")
    print()
    headers = ["configuration", "bi loss (last 5)", "cross loss (last 5)", "top-5", "top-5 overlap with CPU", "s"]
    print(common.markdown_table(headers, rows))
    for problem in problems:
        print(f"problem: {problem}")
    common.finish("gpu_check", {"benchmark": "gpu_check", "machine": info, "tests": tests, "results": results})
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
