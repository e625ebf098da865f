"""Does the cross-encoder learn on this data, and with which recipe? Each recipe trained by ``train.py``, then judged.

    .venv/bin/python bench/cross_encoder_recipes.py                  # KorQuAD 1.0 dev, every recipe
    .venv/bin/python bench/cross_encoder_recipes.py --only in-batch-then-bm25  # one recipe (and what it starts from)

Made for the Korean case, where all-MiniLM-L6-v2's English vocabulary cuts Hangul into jamo and a
cross-encoder trained with BM25-mined negatives at lr 3e-5 kept its loss at ln 4 and reranked at chance.
The SQuAD-style file is split by article as in ``qa_benchmark.py``; every recipe trains from the same data
with short windows (64 question + 128 passage tokens, groups of 4, batches of 8) so that a recipe takes
minutes on a 2-core CPU, and is judged twice:

- ``train.py``'s own validation: the positive window among 4 candidates (3 random passages of the held-out
  articles), top-1 against guessing (0.25);
- ``rerank.py --retriever bm25``: BM25's top 5 on held-out questions reordered by the cross-encoder (the
  hard case: all five usually come from the gold passage's article), top-1 against BM25's own.

Writes ``bench/results/cross_encoder_recipes/<recipe>/`` (models, logs) and ``table.md``, and prints the table.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from common import KORQUAD, ROOT, finish, machine, machine_line, markdown_table, model_path
from qa_benchmark import run_step
from qa_split import write_layout

NAME = "cross_encoder_recipes"
COMMON_FLAGS = (
    "--max_query_length 64 --max_passage_length 128 --stride 32 --group_size 4 --train_batch_size 8 "
    "--bm25_tokenizer char-ngram --logging_steps 10 --save_steps 100000 --quiet"
)
# name (also its directory) -> (train.py flags, the recipe whose model it starts from; None: the pretrained one)
RECIPES = {
    "in-batch": ("--negatives in-batch --lr 1e-4 --max_steps 200 --warmup_ratio 0.1", None),
    "bm25": ("--negatives bm25 --lr 1e-4 --max_steps 200 --warmup_ratio 0.1", None),
    "bm25-lr3e-5": ("--negatives bm25 --lr 3e-5 --max_steps 200 --warmup_ratio 0.1", None),
    "in-batch-then-bm25": ("--negatives bm25 --lr 5e-5 --max_steps 120 --warmup_ratio 0.1", "in-batch"),
    "in-batch-then-bm25-more": ("--negatives bm25 --lr 5e-5 --max_steps 200 --warmup_ratio 0.1", "in-batch-then-bm25"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=KORQUAD, help="a SQuAD-style JSON file")
    parser.add_argument("--seed", type=int, default=13, help="seed of the article split")
    parser.add_argument("--validation_questions", type=int, default=200, help="held-out questions for train.py")
    parser.add_argument("--rerank_questions", type=int, default=100, help="held-out questions for rerank.py")
    parser.add_argument("--only", choices=sorted(RECIPES), help="run this recipe (and the one it starts from)")
    parser.add_argument(
        "--train_flags",
        default="",
        help="train.py flags added to every recipe, last, so they win (a quick check: '--max_steps 2')",
    )
    return parser


def needed(only: str | None) -> list[str]:
    """The recipes to run, each after the one it starts from."""
    if only is None:
        return list(RECIPES)
    chain = [only]
    while RECIPES[chain[0]][1] is not None:
        chain.insert(0, RECIPES[chain[0]][1])
    return chain


def last_logged(log: Path) -> tuple[float | None, dict]:
    """(the last logged training loss, the last validation metrics) from a run's ``log.jsonl``."""
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    losses = [record["loss"] for record in records if "loss" in record]
    evals = [record for record in records if "eval_top1" in record]
    return (losses[-1] if losses else None), (evals[-1] if evals else {})


def main() -> None:
    args = build_parser().parse_args()
    work = ROOT / "bench" / "results" / NAME
    train_data = write_layout(args.data, work / "data", 0.2, args.seed, args.validation_questions)
    write_layout(args.data, work / "rerank_data", 0.2, args.seed, args.rerank_questions)
    python, model = sys.executable, model_path()
    timings: dict[str, float] = {}
    rows, records = [], {}
    for recipe in needed(args.only):
        flags, start_from = RECIPES[recipe]
        output = work / recipe
        base = model if start_from is None else str(work / start_from / "cross_encoder")
        command = [python, "train.py", "--encoder", "cross", "--model", base, "--output_directory", str(output)]
        command += ["--train_data", str(work / "data" / "train.json")]
        command += ["--validation_data", str(work / "data" / "test.json")]
        command += shlex.split(COMMON_FLAGS) + shlex.split(flags) + shlex.split(args.train_flags)
        command += ["--no_weight_tuning"]  # the recipes are judged by the cross-encoder's order alone
        run_step(f"train {recipe}", command, work / f"{recipe}.train.log", timings)
        rerank = [python, "rerank.py", "--retriever", "bm25", "--input_directory", str(output)]
        rerank += ["--corpus", str(work / "rerank_data" / "corpus.jsonl")]
        rerank += ["--queries", str(work / "rerank_data" / "test.json"), "--bm25_tokenizer", "char-ngram"]
        rerank += ["--top_k_retrieval", "5", "--top_k", "5", "--output_directory", str(output / "results")]
        rerank += ["--rerank_weight", "1"]
        run_step(f"rerank {recipe}", rerank, work / f"{recipe}.rerank.log", timings)

        loss, validation = last_logged(output / "cross_encoder" / "log.jsonl")
        stages = json.loads((output / "results" / "metrics.json").read_text(encoding="utf-8"))["stages"]
        records[recipe] = {"flags": flags, "starts_from": start_from, "loss": loss, "validation": validation,
                           "stages": stages}  # fmt: skip
        rows.append([recipe, start_from or "pretrained", flags, f"{loss:.3f}", f"{validation.get('eval_top1', 0):.3f}",
                     f"{stages['BM25']['top1']:.3f}", f"{stages['BM25+CE']['top1']:.3f}",
                     f"{stages['BM25+CE']['mrr@10']:.3f}", f"{timings[f'train {recipe}']:.0f}"])  # fmt: skip
    headers = ["recipe", "starts from", "train.py flags", "last loss", "val top-1 of 4", "BM25 top-1",
               "BM25+CE top-1", "BM25+CE mrr@10", "train s"]  # fmt: skip
    info = machine()
    lines = [
        f"{train_data['questions_train']} training questions; validation: {args.validation_questions} held-out "
        f"questions, guessing scores 0.250; reranking: BM25's top 5 for {args.rerank_questions} held-out questions",
        f"every recipe also: {COMMON_FLAGS} {args.train_flags}".rstrip(),
        "",
        markdown_table(headers, rows, left=3),
        "",
        machine_line(info),
    ]
    print("\n" + "\n".join(lines))
    (work / "table.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    finish(NAME, {"benchmark": NAME, "machine": info, "split": train_data, "recipes": records, "timings": timings})


if __name__ == "__main__":
    main()
