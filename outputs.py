"""Writing the results of a rerank run: predictions, a reader-ready dataset, optional CSV, metrics.

``predictions.jsonl``: one line per question with its id, question, gold passage ids
(when known) and, for each stage, the ranked passage ids, titles and scores.
``reader_dataset/``: a ``datasets`` Dataset saved to disk with ``id``, ``question`` and
``context`` (the final top-k passages joined, as the seed handed them to its reader).
``trec_runs/<stage>.trec`` (``--output_format trec``): each stage as a TREC run file.
``metrics.json`` and ``topk.png`` (top-k accuracy against k, a line per stage) when the queries have gold passages.
"""

from __future__ import annotations

import json
from pathlib import Path

from data_utils import Corpus, QAData
from errors import UserError
from file_utils import atomic_directory, atomic_file, atomic_file_set, write_json
from retrieval.ranking import Ranking

CONTEXT_SEPARATOR = " "


def stage_record(ranking: Ranking, corpus: Corpus) -> dict:
    return {
        "ids": ranking.ids,
        "titles": [corpus[pid].title for pid in ranking.ids],
        "scores": [round(score, 6) for score in ranking.scores],
    }


def write_predictions(
    path: Path, queries: QAData, golds: list[set[str]] | None, stages: dict[str, list[Ranking]], corpus: Corpus
) -> None:
    with atomic_file(path) as handle:
        for i, question in enumerate(queries.questions):
            record = {"id": question.id, "question": question.text}
            if golds is not None:
                record["gold_ids"] = sorted(golds[i])
            for stage, rankings in stages.items():
                record[stage] = stage_record(rankings[i], corpus)
            handle.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")  # NaN is no JSON


def reader_rows(
    queries: QAData, final: list[Ranking], corpus: Corpus, top_k: int | None = None
) -> dict[str, list[str]]:
    """The reader's rows: each question with its first ``top_k`` passages of the final stage joined."""
    return {
        "id": [question.id for question in queries.questions],
        "question": [question.text for question in queries.questions],
        "context": [CONTEXT_SEPARATOR.join(corpus[pid].text for pid in ranking.ids[:top_k]) for ranking in final],
    }


def write_reader_dataset(directory: Path, rows: dict[str, list[str]]) -> None:
    import datasets

    datasets.disable_progress_bars()
    with atomic_directory(directory) as staging:
        datasets.Dataset.from_dict(rows).save_to_disk(str(staging))


def write_csv(path: Path, rows: dict[str, list[str]]) -> None:
    import csv

    with atomic_file(path, encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(rows))
        writer.writerows(zip(*rows.values()))


TREC_RUNS = "trec_runs"


def check_trec_ids(queries: QAData, stages: dict[str, list[Ranking]]) -> None:
    """A TREC run line is whitespace-separated: an id holding whitespace would shift its columns."""
    ids = [question.id for question in queries.questions]
    ids += [pid for rankings in stages.values() for ranking in rankings for pid in ranking.ids]
    spaced = next((value for value in ids if not value or any(char.isspace() for char in value)), None)
    if spaced is not None:
        raise UserError(
            f"--output_format trec: the id {spaced!r} is empty or holds whitespace, which a TREC run line cannot "
            "hold; use --output_format jsonl, or ids without spaces"
        )


def write_trec_runs(directory: Path, queries: QAData, stages: dict[str, list[Ranking]]) -> None:
    """One TREC run file per stage, ``<stage>.trec``: ``qid Q0 passage_id rank score tag`` per line (rank from 1,
    best first; the tag ``dpr-rerank.<stage>``), what trec_eval, pyserini and ir-measures read."""
    directory.mkdir()
    for stage, rankings in stages.items():
        with atomic_file(directory / f"{stage}.trec", encoding="utf-8") as handle:
            for question, ranking in zip(queries.questions, rankings, strict=True):
                for rank, (pid, score) in enumerate(zip(ranking.ids, ranking.scores), start=1):
                    handle.write(f"{question.id} Q0 {pid} {rank} {score:.6f} dpr-rerank.{stage}\n")


TOPK_PLOT = "topk.png"


def topk_figure(stage_metrics: dict[str, dict[str, float]]):
    """Top-k accuracy against k (a log scale: k runs from 1 to 500), one line per stage."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), layout="constrained")
    axes = figure.add_subplot()
    for stage, values in stage_metrics.items():
        ks = sorted(int(name[3:]) for name in values if name.startswith("top") and name[3:].isdigit())
        axes.plot(ks, [values[f"top{k}"] for k in ks], marker="o", label=stage)
    axes.set(xscale="log", xlabel="k", ylabel="top-k accuracy (gold passage among the first k)")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    return figure


def write_outputs(
    directory: Path,
    queries: QAData,
    golds: list[set[str]] | None,
    stages: dict[str, list[Ranking]],
    corpus: Corpus,
    metrics: dict,
    output_format: str,
    top_k: int | None = None,
) -> list[Path]:
    """Write every output file as one set (all of this run's, or on failure all of the previous run's); return
    their paths. The reader gets the final stage's first ``top_k`` passages (``--stages retrieve`` keeps
    ``--top_k_retrieval`` candidates, far more than a reader context should hold)."""
    final = list(stages.values())[-1]
    rows = reader_rows(queries, final, corpus, top_k)
    optional = {
        "predictions.csv": output_format == "csv",
        TREC_RUNS: output_format == "trec",
        "metrics.json": bool(metrics),
        TOPK_PLOT: bool(metrics.get("stages")),
    }
    unwanted = tuple(name for name, wanted in optional.items() if not wanted)  # an earlier run's must not stay
    if optional[TREC_RUNS]:
        check_trec_ids(queries, stages)
    with atomic_file_set(directory, remove=unwanted) as staging:
        write_predictions(staging / "predictions.jsonl", queries, golds, stages, corpus)
        write_reader_dataset(staging / "reader_dataset", rows)
        if optional["predictions.csv"]:
            write_csv(staging / "predictions.csv", rows)
        if optional[TREC_RUNS]:
            write_trec_runs(staging / TREC_RUNS, queries, stages)
        if optional["metrics.json"]:
            write_json(staging / "metrics.json", metrics)
        if optional[TOPK_PLOT]:
            topk_figure(metrics["stages"]).savefig(staging / TOPK_PLOT, dpi=120)
        names = [path.name for path in sorted(staging.iterdir())]
    order = ["predictions.jsonl", "reader_dataset", "predictions.csv", TREC_RUNS, "metrics.json", TOPK_PLOT]
    return [directory / name for name in order if name in names]
