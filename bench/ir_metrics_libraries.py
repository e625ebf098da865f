"""Which IR metrics library computes ``rerank.py``'s nDCG@10 / Recall@100 / MRR@10 / MAP: ranx or ir-measures.

    .venv/bin/python bench/ir_metrics_libraries.py [--queries 10000] [--candidates 1000]

Synthetic rankings (``--queries`` x ``--candidates`` passages, best first) and graded qrels (1 to 3 judged
passages per query, grades 1-2, a third of them placed in the ranking at random depths). Each library is timed
from the project's own lists (rankings as id lists, judgements as dicts) to the aggregated metrics, including its
conversion of the inputs: ir-measures through the project's ``metrics.graded_metrics``, ranx twice (numba
compiles on its first call in a process). The libraries' numbers are compared with each other and with the
project's hand-written MRR@10. ranx is not a requirement of the project: ``pip install ranx`` into ``.venv`` for
its rows.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import time

import common

MEASURES = ("nDCG@10", "R@100", "RR@10", "AP")
RANX_NAMES = {"nDCG@10": "ndcg@10", "R@100": "recall@100", "RR@10": "mrr@10", "AP": "map"}


def synthetic(queries: int, candidates: int, seed: int = 0) -> tuple[dict, dict]:
    rng = random.Random(seed)
    rankings, qrels = {}, {}
    for q in range(queries):
        ranked = [f"d{q}-{i}" for i in range(candidates)]
        judged = {}
        for _ in range(rng.randint(1, 3)):
            pid = ranked[rng.randrange(candidates)] if rng.random() < 1 / 3 else f"unranked-{q}-{rng.random()}"
            judged[pid] = rng.randint(1, 2)
        rankings[f"q{q}"], qrels[f"q{q}"] = ranked, judged
    return rankings, qrels


def as_scores(ranked: list[str]) -> dict[str, float]:
    """A ranking as descending scores for ranx (it sorts by score; ties never occur)."""
    return {pid: float(len(ranked) - rank) for rank, pid in enumerate(ranked)}


def with_ir_measures(rankings: dict, qrels: dict) -> dict[str, float]:
    """The project's own path: ``metrics.graded_metrics`` (ir-measures through pytrec_eval)."""
    from metrics import graded_metrics

    return graded_metrics(list(rankings.values()), [qrels[qid] for qid in rankings], dict(zip(MEASURES, MEASURES)))


def with_ranx(rankings: dict, qrels: dict) -> dict[str, float]:
    from ranx import Qrels, Run, evaluate

    run = Run({qid: as_scores(ranked) for qid, ranked in rankings.items()})
    result = evaluate(Qrels(qrels), run, [RANX_NAMES[name] for name in MEASURES], make_comparable=True)
    return {name: float(result[RANX_NAMES[name]]) for name in MEASURES}


def with_project(rankings: dict, qrels: dict) -> dict[str, float]:
    from metrics import ranking_metrics

    golds = [{pid for pid, grade in qrels[qid].items() if grade >= 1} for qid in rankings]
    result = ranking_metrics(list(rankings.values()), golds, (10,))
    return {"RR@10": result["mrr@10"]}


def timed(function, *arguments) -> tuple[float, dict]:
    started = time.perf_counter()
    result = function(*arguments)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=10000)
    parser.add_argument("--candidates", type=int, default=1000)
    args = parser.parse_args()
    info = common.machine()
    rankings, qrels = synthetic(args.queries, args.candidates)
    runs = {"ir-measures (pytrec_eval)": timed(with_ir_measures, rankings, qrels)}
    if importlib.util.find_spec("ranx") is not None:
        runs["ranx, first call"] = timed(with_ranx, rankings, qrels)
        runs["ranx, again"] = timed(with_ranx, rankings, qrels)
    else:
        print("ranx is not installed (pip install ranx; it is no requirement of the project): its rows are left out")
    runs["project (MRR@10 only)"] = timed(with_project, rankings, qrels)
    reference = runs["ir-measures (pytrec_eval)"][0]
    rows = []
    for name, (seconds, result) in runs.items():
        cells = [f"{result[measure]:.6f}" if measure in result else "-" for measure in MEASURES]
        rows.append([name, f"{seconds:.2f}", common.ratio(reference, seconds), *cells])
    sizes = f"{args.queries} queries x {args.candidates} ranked passages, 1-3 graded judgements each"
    headers = ["library", "s", "speed vs ir-measures", *MEASURES]
    payload = {"sizes": sizes, "results": {name: {"seconds": s, "metrics": r} for name, (s, r) in runs.items()}}
    common.report("ir_metrics_libraries", info, sizes, headers, rows, payload)


if __name__ == "__main__":
    main()
