"""LoRA adapters against full fine-tuning on a real QA set, after the same number of steps: DPR's top-k and the
cross-encoder's reranking of DPR's candidates, with each run's training time.

    .venv/bin/python bench/lora_quality.py [--data ../shared/data/xquad/xquad.en.json] [--cross_steps 60]

The split is ``qa_benchmark.py``'s (by article, seed 13), so the test questions are the same. Each run trains
both encoders from all-MiniLM-L6-v2 with ``qa_benchmark.py``'s flags (bi-encoder one epoch, cross-encoder
``--cross_steps`` steps with BM25-mined negatives), no validation and no weight tuning, then ``rerank.py
--retriever dense`` reranks each question's top ``--rerank_depth`` with that run's cross-encoder. Runs: full
fine-tuning at the recipe's learning rates, LoRA (``--lora_r``, peft's default layers) at the same rates, and LoRA
at ``--lora_lr_scale`` times them (adapters start from zero and usually want larger steps). Results go to
``bench/results/lora_quality/``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import common
from qa_benchmark import BI_FLAGS, CROSS_FLAGS, run_step
from qa_split import write_layout

NAME = "lora_quality"
XQUAD = common.ROOT.parent / "shared" / "data" / "xquad" / "xquad.en.json"
STAGES = (("DPR", ("top1", "top5", "top20", "top100")), ("DPR+CE", ("top1", "top5")))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(XQUAD), help="a SQuAD-style JSON file")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--lora_r", type=int, default=16)
    parser.add_argument("--lora_lr_scale", type=float, default=10.0)
    parser.add_argument("--cross_steps", type=int, default=60)
    parser.add_argument("--rerank_depth", type=int, default=10)
    parser.add_argument("--bm25_tokenizer", default="whitespace")
    return parser.parse_args()


def with_lr(flags: str, scale: float) -> list[str]:
    """``flags`` with ``--lr`` multiplied by ``scale``."""
    tokens = shlex.split(flags)
    at = tokens.index("--lr") + 1
    tokens[at] = f"{float(tokens[at]) * scale:g}"
    return tokens


def main() -> None:
    args = parse_args()
    work = common.RESULTS / NAME
    data = work / "data"
    split = write_layout(Path(args.data), data, 0.2, args.seed, 400, 0.1, 100)
    runs = {
        "full": ([], 1.0),
        f"LoRA r={args.lora_r}, same lr": (["--lora_r", str(args.lora_r)], 1.0),
        f"LoRA r={args.lora_r}, lr x{args.lora_lr_scale:g}": (["--lora_r", str(args.lora_r)], args.lora_lr_scale),
    }
    cross_flags = CROSS_FLAGS.replace("--max_steps 200", f"--max_steps {args.cross_steps}")
    rows, results, started = [], {}, time.perf_counter()
    for index, (run, (lora, scale)) in enumerate(runs.items()):
        output, timings = work / f"run{index}", {}
        output.mkdir(parents=True, exist_ok=True)
        base = [sys.executable, "train.py", "--model", common.model_path(), "--train_data", str(data / "train.json")]
        base += ["--output_directory", str(output), "--seed", str(args.seed), "--quiet", "--no_weight_tuning"]
        base += ["--bm25_tokenizer", args.bm25_tokenizer, *lora]
        for encoder, flags in (("bi", BI_FLAGS), ("cross", cross_flags)):
            command = [*base, "--encoder", encoder, *with_lr(flags, scale)]
            run_step(f"train {encoder}", command, output / f"train_{encoder}.log", timings)
        rerank = [sys.executable, "rerank.py", "--input_directory", str(output), "--corpus", str(data / "corpus.jsonl")]
        rerank += ["--queries", str(data / "test.json"), "--retriever", "dense", "--top_k_retrieval", "100"]
        rerank += ["--rerank_depth", str(args.rerank_depth), "--rebuild_index"]
        run_step("rerank", rerank, output / "rerank.log", timings)
        stages = json.loads((output / "results" / "metrics.json").read_text(encoding="utf-8"))["stages"]
        configs = {e: json.loads((output / f"{e}_encoder" / "train_config.json").read_text()) for e in ("bi", "cross")}
        results[run] = {"stages": stages, "timings": timings, "lr": {e: c["lr"] for e, c in configs.items()}}
        cells = [f"{stages[stage][metric]:.3f}" for stage, metrics in STAGES for metric in metrics]
        lrs = f"{configs['bi']['lr']:g} / {configs['cross']['lr']:g}"
        rows.append([run, lrs, *cells, f"{timings['train bi']:.0f}", f"{timings['train cross']:.0f}"])
        print(rows[-1], flush=True)
    headers = ["run", "lr (bi / cross)", *(f"{stage} {metric}" for stage, metrics in STAGES for metric in metrics)]
    headers += ["bi train s", "cross train s"]
    caption = (
        f"{Path(args.data).name}: {split['questions_test']} test questions over {split['passages']} passages; "
        f"bi-encoder 1 epoch ({split['questions_train']} questions, batch 16), cross-encoder {args.cross_steps} "
        f"steps; DPR+CE reranks DPR's top {args.rerank_depth} (bench/lora_quality.py)"
    )
    table = common.markdown_table(headers, rows, left=2)
    payload = {"arguments": vars(args), "split": split, "runs": results}
    payload["total_wall_s"] = round(time.perf_counter() - started)
    common.save_report(NAME, caption, table, common.machine(), payload)


if __name__ == "__main__":
    main()
