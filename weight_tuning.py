"""Choosing rerank.py's interpolation weights on held-out questions, at the end of train.py.

``--fusion_weight auto`` (BM25's share in the hybrid list) is chosen when the bi-encoder is trained,
``--rerank_weight auto`` (the cross-encoder's share in each reranked row, per first stage) when the
cross-encoder is; ``stage_weights.py`` saves and reads them.

How the first stage here stays the one rerank.py will use: the validation questions go through rerank.py's
own ``Pipeline`` (the same stage code), with the saved encoders loaded by rerank.py's loaders on the same
kind of runtime, BM25 with the tokenizer of train.py's ``--bm25_tokenizer``/``--bm25_ngram`` (rerank.py's
flags of the same names and defaults), and for the cross-encoder the hybrid list fused by the bi-encoder's
tuned weight. What cannot be the same is the corpus, which train.py does not know: the questions are searched
over every passage of the training run (training and validation passages, so that the first stage has
distractors). The tuning record keeps what the first stage was, and rerank.py notes when its own differs.

Each weight of the grid 0, 0.05, ..., 1 is scored by top-1, then MRR@10, of the row it makes; ties go to the
weight closest to the one reranking used before tuning existed (0.5 for fusion, 1 for reranking), so that a
weight moves only where the validation questions say it helps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from data_utils import Corpus, QAData
from encoders.backends import BACKENDS
from evaluation import gold_in_corpus
from file_utils import write_json
from metrics import ranking_metrics
from pipeline import DENSE, SPARSE, Pipeline, PipelineSettings, auto_rerank_depth, auto_rerank_windows
from retrieval.fusion import FUSION_METHODS, fuse_all
from retrieval.ranking import Ranking
from runtime import Runtime
from stage_weights import CONFIG_NAME, FALLBACK, FUSION_KEY, RERANK_KEY, read_saved, tuning_key

GRID = tuple(step / 20 for step in range(21))
TOP_K_RETRIEVAL = PipelineSettings().top_k_retrieval  # train.py's --tuning_top_k_retrieval default: rerank.py's
OBJECTIVE = "top1, then mrr@10"


def tuning_depths(depth: int | str | None, device_type: str, top_k_retrieval: int) -> tuple[int, int | None]:
    """(the depth, the windows a candidate) tuning reranks at: train.py's ``--tuning_rerank_depth`` (auto, all or a
    number) and rerank.py's ``--rerank_windows auto``, both as rerank.py resolves them on the training device
    (reranking usually runs where training ran)."""
    if depth == "auto":
        depth = auto_rerank_depth(device_type, 5, top_k_retrieval)
    return (top_k_retrieval if depth is None else int(depth)), auto_rerank_windows(device_type)


def tuning_questions(train: QAData, validation: QAData) -> tuple[Corpus, list[str], list[set[str]]]:
    """(the training and validation passages as one corpus, the validation questions, their gold ids in it)."""
    corpus = Corpus()
    for data in (train, validation):
        for passage in data.corpus.passages:
            corpus.add(passage.text, passage.title, passage.id)
    return corpus, [question.text for question in validation.questions], gold_in_corpus(validation, corpus)


def scores(rankings: list[Ranking], golds: list[set[str]]) -> dict[str, float]:
    return ranking_metrics([ranking.ids for ranking in rankings], golds, (1,))


def best_weight(score: Callable[[float], dict[str, float]], before: float) -> tuple[float, dict[float, dict]]:
    """(the grid weight with the best top-1, then MRR@10, nearest ``before`` among equals; every weight's scores)."""
    table = {weight: score(weight) for weight in GRID}
    best = max(GRID, key=lambda w: (table[w]["top1"], table[w]["mrr@10"], -abs(w - before)))
    return best, table


def tuning_record(table: dict[float, dict], chosen: float, before: float) -> dict:
    return {"chosen": table[chosen], "before": table[before], "by_weight": {str(w): table[w] for w in GRID}}


class WeightTuner:
    """The first stages of rerank.py over the validation questions of one training run."""

    def __init__(
        self,
        output_root: Path,
        train: QAData,
        validation: QAData,
        bm25_tokenizer,
        runtime: Runtime,
        top_k_retrieval: int,
        rerank_depth: int,
        trust_remote_code: bool = False,
        rerank_windows: int | None = None,
    ):
        self.corpus, self.questions, self.golds = tuning_questions(train, validation)
        self.output_root = Path(output_root)
        self.bm25_tokenizer = bm25_tokenizer
        self.runtime = runtime
        # rerank.py's --top_k_retrieval, --rerank_depth and --rerank_windows, within this (smaller) corpus
        self.requested = {"top_k_retrieval": top_k_retrieval, "rerank_depth": rerank_depth}
        self.requested["rerank_windows"] = rerank_windows or "all"
        self.rerank_windows = rerank_windows
        self.top_k_retrieval = min(top_k_retrieval, len(self.corpus))
        self.rerank_depth = min(rerank_depth, self.top_k_retrieval)
        self.trust_remote_code = trust_remote_code

    def about(self, first_stage: dict) -> dict:
        return {
            "questions": len(self.questions),
            "passages": len(self.corpus),
            "depth": self.rerank_depth,
            "objective": OBJECTIVE,
            "first_stage": {**first_stage, **self.requested},
        }

    def settings(self, retriever: str, **fields) -> PipelineSettings:
        depths = {"top_k_retrieval": self.top_k_retrieval, "rerank_depth": self.rerank_depth}
        depths["rerank_windows"] = self.rerank_windows
        return PipelineSettings(retriever=retriever, top_k=min(5, self.rerank_depth), **depths, **fields)

    def pipeline(self, settings: PipelineSettings, bi_encoder=None, cross_encoder=None) -> Pipeline:
        index_root = self.output_root / "index" / "tuning"
        return Pipeline(settings, self.corpus, index_root, bi_encoder, cross_encoder, self.bm25_tokenizer)

    def load(self, kind: str, directory: Path):
        loader = BACKENDS["torch"].load_bi_encoder if kind == "bi" else BACKENDS["torch"].load_cross_encoder
        return loader(directory, self.runtime, "--output_directory", self.trust_remote_code)

    def tune_fusion(self, bi_directory: Path) -> tuple[dict[str, float], dict]:
        """BM25's weight in the hybrid list for each fusion method, and how it was chosen."""
        bi_encoder = self.load("bi", bi_directory)
        settings = self.settings("hybrid", rerank=False)
        stages = self.pipeline(settings, bi_encoder).run(self.questions)
        weights, rows = {}, {}
        before = FALLBACK[FUSION_KEY]
        for method in FUSION_METHODS:
            weight, table = best_weight(
                lambda w, method=method: scores(fuse_all(stages[SPARSE], stages[DENSE], method, w), self.golds),
                before,
            )
            weights[method], rows[method] = weight, tuning_record(table, weight, before)
        first_stage = {"bm25_tokenizer": self.bm25_tokenizer.describe()}
        return weights, {**self.about(first_stage), "rows": rows}

    def tune_rerank(self, cross_directory: Path, bi_directory: Path | None) -> tuple[dict[str, float], dict]:
        """The cross-encoder's weight for each first stage there is (BM25; with a bi-encoder, dense and hybrid)."""
        cross_encoder = self.load("cross", cross_directory)
        first_stage: dict = {"bm25_tokenizer": self.bm25_tokenizer.describe()}
        bi_encoder, fusion_weight = None, FALLBACK[FUSION_KEY]
        if bi_directory is not None:
            bi_encoder = self.load("bi", bi_directory)
            saved, _ = read_saved(bi_directory, FUSION_KEY)
            fusion_weight = (saved or {}).get("minmax", fusion_weight)
            first_stage.update(bi_encoder=bi_encoder.passage_fingerprint(), fusion="minmax")
            first_stage["fusion_weight"] = fusion_weight
        settings = self.settings("hybrid" if bi_encoder is not None else "bm25", fusion_weight=fusion_weight)
        pipeline = self.pipeline(settings, bi_encoder, cross_encoder)
        stages = pipeline.run_first_stages(self.questions)
        firsts, scored = pipeline.cross_encoder_scores(self.questions, stages)
        rows_of = {first: row for row, first in settings.reranked_lists().items()}
        weights, rows = {}, {}
        before = FALLBACK[RERANK_KEY]
        for first in firsts:

            def score(weight: float, first: str = first) -> dict[str, float]:
                return scores(pipeline.reranked(firsts, scored, lambda _: weight)[rows_of[first]], self.golds)

            weight, table = best_weight(score, before)
            weights[first], rows[first] = weight, tuning_record(table, weight, before)
            rows[first]["first_stage"] = scores(firsts[first], self.golds)
        return weights, {**self.about(first_stage), "rows": rows}


def save_weights(encoder_directory: Path, key: str, weights: dict[str, float], tuning: dict) -> None:
    """Add the weights and their tuning record to the saved encoder's train_config.json (an atomic rewrite)."""
    path = Path(encoder_directory) / CONFIG_NAME
    config = json.loads(path.read_text(encoding="utf-8"))
    write_json(path, {**config, key: weights, tuning_key(key): tuning})


def tune_after_training(encoder: str, output_root: Path, tuner: WeightTuner) -> list[str]:
    """Tune and save the weights of the encoder just saved under ``output_root``; return the lines to print."""
    output_root = Path(output_root)
    if encoder == "bi":
        weights, tuning = tuner.tune_fusion(output_root / "bi_encoder")
        save_weights(output_root / "bi_encoder", FUSION_KEY, weights, tuning)
        row, flag = tuning["rows"]["minmax"], "--fusion_weight"
        summary = [f"minmax {weights['minmax']:g}"] + [f"{m} {weights[m]:g}" for m in weights if m != "minmax"]
        lines = [f"{flag} auto: BM25's weight {', '.join(summary)}"]
        lines.append(f"  minmax top-1 {row['chosen']['top1']:.3f} (at 0.5: {row['before']['top1']:.3f})")
    else:
        bi_directory = output_root / "bi_encoder"
        weights, tuning = tuner.tune_rerank(
            output_root / "cross_encoder", bi_directory if (bi_directory / CONFIG_NAME).is_file() else None
        )
        save_weights(output_root / "cross_encoder", RERANK_KEY, weights, tuning)
        lines = ["--rerank_weight auto: the cross-encoder's weight per first stage"]
        for first, weight in weights.items():
            row = tuning["rows"][first]
            chosen, alone, first_only = (row[name]["top1"] for name in ("chosen", "before", "first_stage"))
            lines.append(
                f"  {first} {weight:g}: top-1 {chosen:.3f} (first stage {first_only:.3f}, "
                f"cross-encoder alone {alone:.3f})"
            )
    about = f"on {tuning['questions']} validation questions over {tuning['passages']} passages"
    depths = f"top {tuning['depth']} of each first stage's {tuner.top_k_retrieval}"
    lines[0] += f" ({about}, {depths}; saved in {encoder}_encoder/{CONFIG_NAME})"
    return lines
