"""Training throughput (examples/s) and peak memory of both encoders: this project vs sentence-transformers.

Same data, same model (all-MiniLM-L6-v2), same batch size and lengths, a slice of one epoch each:

- bi-encoder, batch of 16 (question, positive passage) pairs, in-batch negatives:
  project ``train.py --encoder bi --shared_encoder --pooling mean`` vs ``SentenceTransformerTrainer`` with
  ``MultipleNegativesRankingLoss`` (the same loss: softmax over the batch's passages, scale 20 vs the
  project's dot product);
- cross-encoder, batch of 8 questions x group of 4 (1 positive + 3 listed negatives):
  project ``train.py --encoder cross --negatives FILE --group_size 4`` vs ``CrossEncoderTrainer`` with its
  ``MultipleNegativesRankingLoss`` over (question, positive, negative x 3), its extra in-batch negatives
  turned off so that both score the same 32 pairs per step.

Questions are KorQuAD questions, cut to the same 64 tokens on both sides, positives their paragraphs (the
answer's window for the project, the paragraph truncated to the same length for sentence-transformers: both hit
the cap under the English vocabulary), negatives random other paragraphs. Every run is a fresh subprocess (so
peak memory is its own) that trains ``--steps`` steps; throughput is the Trainer's own ``train_runtime`` (model
loading and tokenizer set-up excluded, the same for all), repeats interleaved, medians reported.
sentence-transformers runs in fp32 (its default) and, on a CPU with native bf16, with ``bf16=True``; the project
with ``--precision auto``.

    .venv/bin/python bench/training_throughput.py [--steps 6] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import common

NAME = "training_throughput"
QUERY_LENGTH, PASSAGE_LENGTH = 64, 256
BATCH = {"bi": 16, "cross": 8}
GROUP = 4


def methods_here() -> tuple[str, ...]:
    """The methods worth timing on this machine: sentence-transformers in bf16 only where the CPU has native bf16
    (elsewhere it is emulated and many times slower, a setting no user would pick)."""
    from runtime import cpu_has_bf16

    extra = ("sentence-transformers bf16",) if cpu_has_bf16() else ()
    return ("project auto", "sentence-transformers fp32", *extra)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--worker", nargs=3, metavar=("ENCODER", "METHOD", "DIRECTORY"), help=argparse.SUPPRESS)
    return parser.parse_args()


def prepare(directory: Path, questions: int, seed: int = 0) -> None:
    """A SQuAD-style file of the first ``questions`` KorQuAD questions and a negatives file (3 random each)."""
    data = common.load_korquad()
    rng = random.Random(seed)
    chosen = [q for q in data.questions if q.gold_ids][:questions]
    paragraphs = {}
    for question in chosen:
        gold = data.corpus[question.gold_ids[0]]
        paragraphs.setdefault(gold.id, {"context": gold.text, "qas": []})["qas"].append(
            {"id": question.id, "question": question.text,
             "answers": [{"text": a, "answer_start": s} for a, s in zip(question.answers, question.answer_starts)]}
        )  # fmt: skip
    (directory / "train.json").write_text(
        json.dumps({"data": [{"title": "t", "paragraphs": list(paragraphs.values())}]}, ensure_ascii=False),
        encoding="utf-8",
    )
    ids = list(paragraphs)
    with (directory / "negatives.jsonl").open("w", encoding="utf-8") as handle:
        for question in chosen:
            others = [pid for pid in ids if pid != data.corpus[question.gold_ids[0]].id]
            handle.write(json.dumps({"id": question.id, "negatives": rng.sample(others, GROUP - 1)}) + "\n")


def project_worker(encoder: str, directory: Path, steps: int) -> float:
    """Train with train.py in-process; return the Trainer's train_runtime."""
    from train import main

    flags = ["--encoder", encoder, "--model", common.model_path(), "--train_data", str(directory / "train.json")]
    flags += ["--output_directory", str(directory / "project"), "--max_steps", str(steps), "--quiet"]
    flags += ["--max_query_length", str(QUERY_LENGTH), "--max_passage_length", str(PASSAGE_LENGTH)]
    flags += ["--train_batch_size", str(BATCH[encoder]), "--save_steps", str(steps * 10), "--device", "cpu"]
    if encoder == "bi":
        flags += ["--shared_encoder", "--pooling", "mean"]
    else:
        flags += ["--negatives", str(directory / "negatives.jsonl"), "--group_size", str(GROUP)]
    assert main(flags) == 0
    log = directory / "project" / f"{encoder}_encoder" / "log.jsonl"
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return next(entry["train_runtime"] for entry in entries if "train_runtime" in entry)


def st_rows(encoder: str, directory: Path) -> dict[str, list[str]]:
    """The same examples as sentence-transformers columns: (anchor, positive[, negative_1..3]), each question cut
    to ``QUERY_LENGTH`` tokens as train.py cuts it (sentence-transformers has one length for every text)."""
    from transformers import AutoTokenizer

    from data_utils import load_qa
    from encoders.windows import truncate_text

    data = load_qa(directory / "train.json")
    negatives = {}
    for line in (directory / "negatives.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        negatives[record["id"]] = record["negatives"]
    rows: dict[str, list[str]] = {"anchor": [], "positive": []}
    if encoder == "cross":
        rows.update({f"negative_{i}": [] for i in range(1, GROUP)})
    tokenizer = AutoTokenizer.from_pretrained(common.model_path())
    # train.py's bi-encoder question holds max_query_length tokens with [CLS] and [SEP]; the cross-encoder's pair
    # gives the question max_query_length tokens of its own (CrossEncoder.truncate_questions).
    limit = QUERY_LENGTH - tokenizer.num_special_tokens_to_add() if encoder == "bi" else QUERY_LENGTH
    anchors = truncate_text(tokenizer, [question.text for question in data.questions], limit)
    for question, anchor in zip(data.questions, anchors):
        rows["anchor"].append(anchor)
        rows["positive"].append(data.corpus[question.gold_ids[0]].text)
        if encoder == "cross":
            for i, pid in enumerate(negatives[question.id], start=1):
                rows[f"negative_{i}"].append(data.corpus[pid].text)
    return rows


def st_worker(encoder: str, directory: Path, steps: int, bf16: bool) -> float:
    """Train with sentence-transformers' trainer; return its train_runtime."""
    from datasets import Dataset

    dataset = Dataset.from_dict(st_rows(encoder, directory))
    output = str(directory / "st")
    common_args = dict(
        output_dir=output, per_device_train_batch_size=BATCH[encoder], max_steps=steps, bf16=bf16, use_cpu=True,
        report_to="none", save_strategy="no", logging_steps=steps, disable_tqdm=True, learning_rate=3e-5,
        warmup_ratio=0.1, dataloader_drop_last=True,
    )  # fmt: skip
    if encoder == "bi":
        from sentence_transformers import (
            SentenceTransformer,
            SentenceTransformerTrainer,
            SentenceTransformerTrainingArguments,
        )
        from sentence_transformers.losses import MultipleNegativesRankingLoss

        model = SentenceTransformer(common.model_path(), device="cpu")
        model.max_seq_length = PASSAGE_LENGTH
        trainer = SentenceTransformerTrainer(
            model=model,
            args=SentenceTransformerTrainingArguments(**common_args),
            train_dataset=dataset,
            loss=MultipleNegativesRankingLoss(model),
        )
    else:
        from sentence_transformers.cross_encoder import (
            CrossEncoder,
            CrossEncoderTrainer,
            CrossEncoderTrainingArguments,
        )
        from sentence_transformers.cross_encoder.losses import MultipleNegativesRankingLoss

        class ListedNegativesOnly(MultipleNegativesRankingLoss):
            """Its loss over (positive, the 3 listed negatives) per question: the project's group of 4."""

            def get_in_batch_negatives(self, anchors, candidates):
                return iter(())

        model = CrossEncoder(common.model_path(), num_labels=1, max_length=QUERY_LENGTH + PASSAGE_LENGTH, device="cpu")
        trainer = CrossEncoderTrainer(
            model=model,
            args=CrossEncoderTrainingArguments(**common_args),
            train_dataset=dataset,
            loss=ListedNegativesOnly(model),
        )
    return float(trainer.train().metrics["train_runtime"])


def worker(encoder: str, method: str, directory: Path, steps: int) -> None:
    import transformers

    transformers.logging.set_verbosity_error()
    common.setup_threads()
    if method == "project auto":
        runtime = project_worker(encoder, directory, steps)
    else:
        runtime = st_worker(encoder, directory, steps, bf16=method.endswith("bf16"))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps({"train_runtime": runtime, "peak_rss_mib": peak_mib}))


def run_worker(encoder: str, method: str, directory: Path, steps: int) -> common.Measured:
    command = [sys.executable, __file__, "--steps", str(steps), "--worker", encoder, method, str(directory)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        sys.exit(f"{encoder} / {method} failed:\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT ") :])
    return common.Measured(result["train_runtime"], result["peak_rss_mib"])


def main() -> None:
    args = parse_args()
    if args.worker:
        encoder, method, directory = args.worker
        worker(encoder, method, Path(directory), args.steps)
        return
    common.model_path()
    info = common.machine()
    rows, records = [], {}
    methods_timed = methods_here()
    with tempfile.TemporaryDirectory(prefix="bench-train-") as temp:
        directory = Path(temp)
        prepare(directory, max(BATCH.values()) * args.steps * 2)
        for encoder in ("bi", "cross"):
            print(f"{encoder}-encoder:")
            methods = {m: lambda m=m, e=encoder: run_worker(e, m, directory, args.steps) for m in methods_timed}
            results = common.run_interleaved(methods, args.repeats, warmup_rounds=0)
            examples = BATCH[encoder] * args.steps
            reference = examples / results["sentence-transformers fp32"]["median"]
            for method in methods_timed:
                entry = results[method]
                rate = examples / entry["median"]
                peak = entry["value"]  # the last run's; every run loads the same
                rows.append([f"{encoder}-encoder", method, BATCH[encoder], f"{entry['median']:.1f}", f"{rate:.2f}",
                             common.ratio(rate, reference), f"{peak:.0f}"])  # fmt: skip
                records[f"{encoder} / {method}"] = {
                    "times_s": entry["times"], "examples_per_s": rate, "speedup_vs_st_fp32": rate / reference,
                    "peak_rss_mib": peak,
                }  # fmt: skip
    headers = ["encoder", "method", "batch", "median s", "examples/s", "vs ST fp32", "peak RSS MiB"]
    print()
    print(common.machine_line(info))
    print(f"Sizes: {args.steps} steps per run; lengths {QUERY_LENGTH} + {PASSAGE_LENGTH}; cross groups of {GROUP}; "
          f"{args.repeats} interleaved repeats, each a fresh process")  # fmt: skip
    print()
    print(common.markdown_table(headers, rows, left=2))
    common.finish(NAME, {"benchmark": NAME, "machine": info, "steps": args.steps, "methods": records})


if __name__ == "__main__":
    main()
