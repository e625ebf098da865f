"""BM25 alone on the shared QA sets with each ``--bm25_tokenizer``: the README's tokenizer table.

    .venv/bin/python bench/bm25_tokenizers.py            # KorQuAD 1.0 dev and XQuAD English
    .venv/bin/python bench/bm25_tokenizers.py --only xquad

Every paragraph of a SQuAD-style file is the corpus and every question a query; each setting runs
``rerank.py --retriever bm25 --stages retrieve --top_k_retrieval 100`` in its own process, so the numbers are
exactly what a user gets from that command. Quality only (BM25 is deterministic); speed: ``bm25_speed.py``.
The kiwi rows need ``kiwipiepy`` (in the dev requirements) and are left out with a note without it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import sys

from common import KORQUAD, RESULTS, XQUAD, finish, machine, machine_line, markdown_table
from qa_benchmark import run_step

NAME = "bm25_tokenizers"
METRICS = ("top1", "top5", "top20", "top100", "mrr@10")
ENGLISH = (("whitespace", None), ("char-ngram", None), ("char-ngram", 3))  # (--bm25_tokenizer, --bm25_ngram)
SETTINGS = {"korquad": (KORQUAD, (*ENGLISH, ("kiwi", None))), "xquad": (XQUAD, ENGLISH)}


def label(tokenizer: str, ngram: int | None) -> str:
    """The README's name of a setting."""
    if tokenizer == "char-ngram":
        return "char-ngram (n=2)" if ngram is None else f"char-ngram, `--bm25_ngram {ngram}`"
    if tokenizer == "kiwi":
        return f"kiwi (kiwipiepy {importlib.metadata.version('kiwipiepy')})"
    return tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(SETTINGS), help="one data set")
    args = parser.parse_args()
    work = RESULTS / NAME
    has_kiwi = importlib.util.find_spec("kiwipiepy") is not None
    rows, records, timings = [], {}, {}
    for data_name in [args.only] if args.only else list(SETTINGS):
        path, settings = SETTINGS[data_name]
        for tokenizer, ngram in settings:
            if tokenizer == "kiwi" and not has_kiwi:
                print("note: kiwipiepy is not installed; the kiwi row is left out")
                continue
            name, extra = label(tokenizer, ngram), [] if ngram is None else ["--bm25_ngram", str(ngram)]
            run = work / data_name / f"{tokenizer}{'' if ngram is None else ngram}"
            command = [sys.executable, "rerank.py", "--retriever", "bm25", "--stages", "retrieve"]
            command += ["--corpus", str(path), "--queries", str(path), "--input_directory", str(run)]
            command += ["--output_directory", str(run / "results"), "--top_k_retrieval", "100"]
            command += ["--bm25_tokenizer", tokenizer, "--rebuild_index", *extra]
            run.mkdir(parents=True, exist_ok=True)
            run_step(f"{data_name} {name}", command, run / "rerank.log", timings)
            metrics = json.loads((run / "results" / "metrics.json").read_text(encoding="utf-8"))
            stage = metrics["stages"]["BM25"]
            records[f"{data_name} {name}"] = {"data": path.name, "flags": command[2:], "metrics": stage}
            rows.append([data_name, name, *(f"{stage[key]:.3f}" for key in METRICS)])
    info = machine()
    table = markdown_table(["data", "`--bm25_tokenizer`", *METRICS], rows, left=2)
    print("\n" + table + "\n\n" + machine_line(info))
    finish(NAME, {"benchmark": NAME, "machine": info, "runs": records, "timings": timings})


if __name__ == "__main__":
    main()
