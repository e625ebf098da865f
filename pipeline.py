"""The stage graph of rerank.py: which first-stage lists are made, which are fused, which the cross-encoder
reranks, and the row each becomes in the results table.

    bm25 ──┐                 ┌─ bm25+rerank      (BM25's candidates, cross-encoder and BM25 scores interpolated)
           ├─ hybrid (fused) ├─ rerank           (the union of both heads, interpolated with hybrid: "hybrid+CE")
    dense ─┘                 ├─ retrieve+rerank  (the bi-encoder's candidates, interpolated with its scores)
                             └─ ensemble         (BM25 fused 1:1 with retrieve+rerank: the seed's recipe)

With one retriever only its list and its reranking ("rerank") are made. A reranked row's final score is
``w * cross-encoder + (1 - w) * first stage`` (each min-max normalized per question; ``w`` per first stage,
``PipelineSettings.rerank_weights``): w = 1 is the cross-encoder's order, w = 0 the first stage's. The stage
keys are the field names of predictions.jsonl and metrics.json; ``retrieve`` is the dense (DPR) list, the name
the first release gave it. Each stage is a list of ``Ranking`` per question; the indexes, encoders and
reranking they use live in ``retrieval/``, ``encoders/`` and ``reranking.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from data_utils import Corpus, warn
from encoders.backends import PairScorer, PassageEncoder
from reranking import WindowChoice, rerank
from retrieval.best_windows import BestWindows
from retrieval.bm25 import open_bm25_index
from retrieval.dense import DenseRetriever, index_kind, open_dense_retriever
from retrieval.faiss_index import FaissOptions
from retrieval.fusion import fuse_all, interpolate_all
from retrieval.ranking import Ranking, head, union, within
from retrieval.shards import SHARDS
from stage_weights import FALLBACK, FUSION_KEY, RERANK_KEY

RETRIEVERS = ("hybrid", "dense", "bm25")
DENSE, SPARSE = "retrieve", "bm25"
FIRST_STAGE = {"dense": DENSE, "bm25": SPARSE, "hybrid": "hybrid"}  # the list "rerank" reranks
STAGE_ROWS = {
    "bm25": "BM25",
    "retrieve": "DPR",
    "hybrid": "hybrid",
    "retrieve+rerank": "DPR+CE",
    "bm25+rerank": "BM25+CE",
    "ensemble": "BM25 & DPR+CE",
}
RERANKED = ("retrieve+rerank", "bm25+rerank", "ensemble", "rerank")  # written to predictions at --top_k
# BM25's share in the "BM25 & DPR+CE" row: the seed's 1:1 ensemble, kept so that the row stays its recipe
# (--fusion_weight, tuned or not, weighs BM25 against the un-reranked dense list in "hybrid").
ENSEMBLE_WEIGHT = 0.5
RERANK_NORMALIZATION = "minmax"  # of the two scores a reranked row interpolates
# What --rerank_depth auto and --rerank_windows auto mean on each kind of device (README, "Questions per minute";
# bench/questions_per_minute.py). On a CPU every pair costs about 25 ms (bf16) to 60 ms (fp32) on 2 cores, and
# top-5 of hybrid+CE was flat from a depth of 10 on XQuAD: the cross-encoder scores the top 20 of each first
# stage, one window a candidate (60x and then 1.7x more questions per minute than every window of the top 500 on XQuAD).
# A GPU scores pairs far faster (an estimate, about a hundred times: no GPU was measured), so it keeps a deeper
# head and every window.
AUTO_RERANK_DEPTH = {"cpu": 20, "cuda": 100}
AUTO_RERANK_WINDOWS: dict[str, int | None] = {"cpu": 1, "cuda": None}


@dataclass(frozen=True)
class PipelineSettings:
    """What rerank.py's flags decide about the stages."""

    retriever: str = "hybrid"
    top_k_retrieval: int = 500
    top_k: int = 5
    rerank_depth: int | None = None  # None: every first-stage candidate (rerank.py resolves its auto by device)
    rerank: bool = True
    fusion: str = "minmax"
    fusion_weight: float = FALLBACK[FUSION_KEY]  # BM25's share in "hybrid"
    rerank_weights: Mapping[str, float] = field(default_factory=dict)  # first-stage key -> w; missing: 1
    window_pooling: str = "max"
    rerank_windows: int | None = None  # the cross-encoder scores at most this many windows per candidate; None: all
    index: str = "auto"  # a key of retrieval.dense.DENSE_INDEXES, or auto (retrieval.dense.index_kind)
    faiss: FaissOptions = field(default_factory=FaissOptions)  # knobs of the ivfpq and hnsw indexes
    index_dtype: str = "float16"
    rebuild_index: bool = False
    num_shards: int | None = None  # the dense index is merged from this many encoded shards (--num_shards)

    @property
    def dense(self) -> bool:
        return self.retriever != "bm25"

    @property
    def sparse(self) -> bool:
        return self.retriever != "dense"

    @property
    def first_stage(self) -> str:
        """The key of the list that the "rerank" row reranks."""
        return FIRST_STAGE[self.retriever]

    def reranked_lists(self) -> dict[str, str]:
        """Reranked stage -> the first stage whose candidates it reorders (the ensemble is a fusion, not here)."""
        if self.dense and self.sparse:
            return {"retrieve+rerank": DENSE, "bm25+rerank": SPARSE, "rerank": "hybrid"}
        return {"rerank": self.first_stage}

    def rerank_weight(self, first_stage: str) -> float:
        return self.rerank_weights.get(first_stage, FALLBACK[RERANK_KEY])

    def row_names(self) -> dict[str, str]:
        """Stage key -> row name of the results table."""
        return {**STAGE_ROWS, "rerank": STAGE_ROWS[FIRST_STAGE[self.retriever]] + "+CE"}


def auto_rerank_depth(device_type: str, top_k: int, top_k_retrieval: int) -> int:
    """``--rerank_depth auto`` on this kind of device, within what the run keeps and retrieves."""
    return min(max(AUTO_RERANK_DEPTH.get(device_type, AUTO_RERANK_DEPTH["cpu"]), top_k), top_k_retrieval)


def auto_rerank_windows(device_type: str) -> int | None:
    """``--rerank_windows auto`` on this kind of device (None: every window)."""
    return AUTO_RERANK_WINDOWS.get(device_type, AUTO_RERANK_WINDOWS["cpu"])


@contextmanager
def timed(stage: str, timings: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - start, 3)
    print(f"[{stage}] {timings[stage]:.1f} s", file=sys.stderr)


class Pipeline:
    """The stages of one rerank.py run over one corpus; ``timings`` collects the seconds of each step.

    ``bi_encoder`` is needed for the dense list, ``bm25_tokenizer`` for the BM25 list, ``cross_encoder``
    for the reranked lists; indexes are cached under ``index_root`` (``bm25/`` and ``dense/``).
    """

    def __init__(
        self,
        settings: PipelineSettings,
        corpus: Corpus,
        index_root: Path,
        bi_encoder: PassageEncoder | None = None,
        cross_encoder: PairScorer | None = None,
        bm25_tokenizer=None,
    ):
        self.settings = settings
        self.corpus = corpus
        self.index_root = index_root
        self.bi_encoder = bi_encoder
        self.cross_encoder = cross_encoder
        self.bm25_tokenizer = bm25_tokenizer
        self.timings: dict[str, float] = {}
        # The rows as they were before weights were tuned (hybrid 1:1, the cross-encoder alone), made from the
        # same lists and scores when the run's weights differ, so that a run shows what its weights changed.
        self.untuned: dict[str, list[Ranking]] = {}
        self.depth = settings.top_k_retrieval
        if self.depth > len(corpus):
            warn(f"--top_k_retrieval {self.depth} > corpus size {len(corpus)}; using {len(corpus)}")
            self.depth = len(corpus)
        self.top_k = min(settings.top_k, self.depth)
        self.dense_search: tuple[DenseRetriever, np.ndarray] | None = None  # the retriever and question vectors

    def run(self, questions: list[str]) -> dict[str, list[Ranking]]:
        """Every stage's full ranking per question, in the order the stages were made (the last is final)."""
        stages = self.run_first_stages(questions)
        if self.settings.rerank:
            with timed("rerank", self.timings):
                stages.update(self.rerank_stages(questions, stages))
        return stages

    def run_first_stages(self, questions: list[str]) -> dict[str, list[Ranking]]:
        """BM25's list, the dense list and their fusion, as the settings ask."""
        stages: dict[str, list[Ranking]] = {}
        if self.settings.sparse:
            stages[SPARSE] = self.bm25_stage(questions)
        if self.settings.dense:
            stages[DENSE] = self.dense_stage(questions)
        if self.settings.dense and self.settings.sparse:
            with timed("fusion", self.timings):
                stages["hybrid"] = fuse_all(
                    stages[SPARSE], stages[DENSE], self.settings.fusion, self.settings.fusion_weight
                )
                if self.settings.fusion_weight != FALLBACK[FUSION_KEY]:
                    untuned = FALLBACK[FUSION_KEY]
                    self.untuned["hybrid"] = fuse_all(stages[SPARSE], stages[DENSE], self.settings.fusion, untuned)
        return stages

    def bm25_stage(self, questions: list[str]) -> list[Ranking]:
        with timed("bm25_index", self.timings):
            index, reused = open_bm25_index(
                self.corpus, self.bm25_tokenizer, self.index_root / "bm25", self.settings.rebuild_index
            )
            how = "reused the saved index" if reused else "built"
            terms = self.bm25_tokenizer.describe()["name"]
            print(f"index (bm25): {how} ({len(index.passage_ids)} passages, {terms} terms)")
        with timed("bm25", self.timings):
            return index.search(questions, self.depth)

    def dense_stage(self, questions: list[str]) -> list[Ranking]:
        with timed("index", self.timings):
            kind = index_kind(self.settings.index, self.bi_encoder)
            retriever, reused = open_dense_retriever(
                self.bi_encoder,
                self.corpus,
                self.index_root / ("dense" if kind == "exact" else f"dense-{kind}"),
                self.settings.index_dtype,
                self.settings.rebuild_index,
                kind,
                self.settings.faiss,
                None if self.settings.num_shards is None else (self.index_root / SHARDS, self.settings.num_shards),
            )
            how = "reused the saved index" if reused else "built"
            print(f"index: {how} ({len(retriever.index.owners)} windows, {kind})")
        with timed("retrieve", self.timings):
            vectors = retriever.encode(questions)
            self.dense_search = retriever, vectors
            return retriever.index.search(vectors, self.depth)

    def rerank_stages(self, questions: list[str], stages: dict[str, list[Ranking]]) -> dict[str, list[Ranking]]:
        """The cross-encoder stages, each ranking all its candidates (metrics need more than --top_k)."""
        firsts, scored = self.cross_encoder_scores(questions, stages)
        if any(self.settings.rerank_weight(first) != FALLBACK[RERANK_KEY] for first in firsts):
            self.untuned.update(self.reranked(firsts, scored, lambda _: FALLBACK[RERANK_KEY]))
        return self.reranked(firsts, scored, self.settings.rerank_weight)

    def cross_encoder_scores(
        self, questions: list[str], stages: dict[str, list[Ranking]]
    ) -> tuple[dict[str, list[Ranking]], list[Ranking]]:
        """(the candidates of each first stage, the cross-encoder's ranking of all of them).

        The cross-encoder scores the first ``--rerank_depth`` passages of each first-stage list once; with both
        retrievers that is the union of BM25's, the bi-encoder's and the hybrid list's heads, the candidates of
        "hybrid" in hybrid order (so that weight 0 is the hybrid list's own head), and the same scores also
        order BM25's candidates alone (BM25+CE) and the bi-encoder's alone (DPR+CE).
        """
        firsts = self.candidates(stages, self.settings.rerank_depth or self.depth)
        candidates = firsts[self.settings.first_stage]
        pooling, choice = self.settings.window_pooling, self.window_choice(candidates)
        scored = rerank(self.cross_encoder, questions, candidates, self.corpus, pooling, choose_windows=choice)
        return firsts, scored

    @staticmethod
    def candidates(stages: dict[str, list[Ranking]], depth: int) -> dict[str, list[Ranking]]:
        """The candidates of each first stage at ``depth``: the head of BM25's and of the dense list, and for
        "hybrid" the union of those and of the hybrid list's head, in hybrid order."""
        firsts = {stage: head(stages[stage], depth) for stage in (SPARSE, DENSE) if stage in stages}
        if len(firsts) == 2:
            heads = union(union(firsts[SPARSE], firsts[DENSE]), head(stages["hybrid"], depth))
            firsts["hybrid"] = within(stages["hybrid"], heads)
        return firsts

    def window_choice(self, candidates: list[Ranking]) -> WindowChoice | None:
        """The windows the cross-encoder scores: with ``rerank_windows`` and a dense search, those covering
        each candidate's best bi-encoder windows (``retrieval/best_windows.py``); otherwise all."""
        if self.settings.rerank_windows is None or self.dense_search is None:
            return None
        retriever, vectors = self.dense_search
        bi_windows = retriever.encoder.windows(self.corpus).prepare(pid for r in candidates for pid in r.ids)
        return BestWindows(retriever.index, vectors, bi_windows, self.settings.rerank_windows)

    def reranked(
        self, firsts: dict[str, list[Ranking]], scored: list[Ranking], weight: Callable[[str], float]
    ) -> dict[str, list[Ranking]]:
        """The reranked rows: each first stage's candidates by ``weight(first stage)`` interpolation with the
        cross-encoder's scores; ``ensemble`` is the seed's recipe, BM25's list fused 1:1 with DPR+CE's."""
        first_stage = self.settings.first_stage

        def interpolated(stage: str) -> list[Ranking]:
            return interpolate_all(firsts[stage], scored, weight(stage), RERANK_NORMALIZATION)

        if len(firsts) == 1:
            return {"rerank": interpolated(first_stage)}
        dense_reranked = interpolated(DENSE)
        return {
            "retrieve+rerank": dense_reranked,
            "bm25+rerank": interpolated(SPARSE),
            "ensemble": fuse_all(firsts[SPARSE], dense_reranked, self.settings.fusion, ENSEMBLE_WEIGHT),
            "rerank": interpolated(first_stage),
        }

    def written(self, stages: dict[str, list[Ranking]]) -> dict[str, list[Ranking]]:
        """What predictions.jsonl keeps: the reranked stages cut to ``--top_k``, the first stages whole."""
        return {stage: head(lists, self.top_k) if stage in RERANKED else lists for stage, lists in stages.items()}
