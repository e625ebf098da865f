"""Questions per minute on this machine, end to end: question text -> BM25, dense search, fusion, cross-encoder ->
the final top 5, at the top-5 accuracy each setting reaches.

    .venv/bin/python bench/questions_per_minute.py --name xquad                   # accuracy and speed
    .venv/bin/python bench/questions_per_minute.py --name korquad --questions 30  # speed and agreement only

The encoders are the ones ``bench/qa_benchmark.py`` trains on the data set's article split (trained here first
when they are missing, with that script's defaults: a few hundred steps). The corpus is the data set's paragraphs
plus distractors, the other data set's paragraphs and the demo corpus, so that the first stages' 500 candidates
are not the whole corpus. A seeded sample of the held-out test questions goes through rerank.py's own
``Pipeline`` (hybrid retriever, the tuned weights) once per setting, in one process, indexes built beforehand:

- today's default (rerank.py's before 2026-12-02: the union of the top 500 of each first stage, every window of
  every candidate), on the first ``--today_questions`` of the sample only (about a minute a question on 2 cores);
- ``--rerank_depth --curve_depth`` (every window): the pass the depth curve comes from;
- ``--rerank_depth --depth`` (fewer candidates), then also ``--rerank_windows`` for each of ``--windows`` (fewer
  windows a candidate; the first is the CPU's auto default); and that in fp32 where the CPU runs bf16 (what bf16
  buys here);
- that auto setting run by each of ``--backends``: ``onnx`` and ``openvino`` (``rerank.py --backend``, both
  encoders exported to ONNX once, beforehand), and ``sentence-transformers``, its ``SentenceTransformer`` encoding
  the questions and its ``CrossEncoder.predict`` scoring the pairs (batch 64, raw logits, the same lengths) inside
  the same pipeline: what the pipeline costs when assembled from sentence-transformers parts.

Each row gives questions per minute (the first stages, fusion and the cross-encoder; index building excluded)
and its ratio to today's, pairs a question, the padding share of its batches, top-1/5/20 of hybrid+CE on its
questions and on today's, the top-5 overlap with today's output on today's questions, and for the rows at
``--depth`` the top-5 overlap with every window at that depth on all questions. The depth curve (top-k of
hybrid+CE against --rerank_depth, candidates and pairs a question) comes from the one cross-encoder pass at
``--curve_depth``: a lower depth reranks a subset of the same candidates with the same scores, exactly as rerank.py
at that depth would. KorQuAD's cross-encoder is at chance under the English vocabulary (its tuned weights lean
on BM25), so there only the speed and the agreement mean anything.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from common import (
    QA_SETS,
    RESULTS,
    ROOT,
    finish,
    machine,
    machine_line,
    markdown_table,
    print_and_save,
    setup_threads,
    trained_encoders,
)

DEMO = ROOT / "demo" / "corpus.jsonl"
TODAY = {"top_k_retrieval": 500, "rerank_depth": None, "rerank_windows": None}  # rerank.py's defaults before
KS = (1, 5, 20)
FINAL = "rerank"  # hybrid+CE


def build_parser() -> argparse.ArgumentParser:
    from pipeline import AUTO_RERANK_DEPTH, AUTO_RERANK_WINDOWS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", choices=list(QA_SETS), default="xquad", help="the qa_benchmark.py data set")
    parser.add_argument("--questions", type=int, default=60, help="seeded sample of the test questions")
    parser.add_argument(
        "--today_questions", type=int, default=10, help="the first this many of the sample go through today's default"
    )
    parser.add_argument("--curve_depth", type=int, default=100, help="the depth of the pass the curve comes from")
    parser.add_argument("--seed", type=int, default=13)
    depth, windows = AUTO_RERANK_DEPTH["cpu"], AUTO_RERANK_WINDOWS["cpu"]
    parser.add_argument("--depth", type=int, default=depth, help="the smaller --rerank_depth (default: auto on a CPU)")
    parser.add_argument(
        "--windows", default=f"{windows},2", help="--rerank_windows values, each a row (the first: auto on a CPU)"
    )
    parser.add_argument("--curve", default="5,10,20,30,50,100", help="depths of the top-k-vs-depth curve")
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument(
        "--backends", default="onnx,openvino,sentence-transformers", help="engines, each a row at the auto setting"
    )
    return parser


@dataclass(frozen=True)
class Setting:
    name: str
    rerank_depth: int | None
    rerank_windows: int | None
    questions: int
    precision: str = "auto"
    backend: str = "torch"


class SentenceTransformersEncoder:
    """The bi-encoder's questions encoded by ``SentenceTransformer`` (the saved directory's modules.json: the same
    pooling), cut to the project's question length."""

    def __init__(self, project, directory: Path, precision: str):
        import torch
        from sentence_transformers import SentenceTransformer

        self.project, self.settings, self.runtime = project, project.settings, project.runtime
        self.tokenizer, self.dimension = project.tokenizer, project.dimension
        self.model = SentenceTransformer(str(directory), device="cpu")
        if precision == "bf16":
            self.model.to(torch.bfloat16)

    def encode(self, texts, kind, description=""):
        lengths = {"question": self.settings.max_query_length, "passage": self.settings.max_passage_length}
        self.model.max_seq_length = lengths[kind]
        vectors = self.model.encode(list(texts), batch_size=64, show_progress_bar=False, convert_to_tensor=True)
        return vectors.float().cpu().numpy()

    def windows(self, corpus):
        return self.project.windows(corpus)

    def passage_fingerprint(self):
        return self.project.passage_fingerprint()


class SentenceTransformersScorer:
    """Pairs scored by ``sentence_transformers.CrossEncoder.predict`` (raw logits, batch 64, the same length)."""

    def __init__(self, project, directory: Path, precision: str):
        import torch
        from sentence_transformers import CrossEncoder

        self.project, self.settings, self.runtime = project, project.settings, project.runtime
        self.model = CrossEncoder(str(directory), max_length=project.settings.max_pair_length, device="cpu")
        if precision == "bf16":
            self.model.model.to(torch.bfloat16)
        self.identity = torch.nn.Identity()

    def score(self, questions, passages, description=""):
        pairs = list(zip(questions, passages))
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        scores = self.model.predict(pairs, batch_size=64, activation_fn=self.identity, show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32)

    def windows(self, corpus):
        return self.project.windows(corpus)

    def truncate_questions(self, questions):
        return self.project.truncate_questions(questions)


class CountingScorer:
    """A cross-encoder that counts the pairs it scores and keeps them (for the padding fraction, afterwards)."""

    def __init__(self, scorer):
        self.scorer = scorer
        self.settings, self.runtime = scorer.settings, scorer.runtime
        self.pairs: list[tuple[str, str]] = []

    def score(self, questions, passages, description=""):
        self.pairs += zip(questions, passages)
        return self.scorer.score(questions, passages, description)

    def windows(self, corpus):
        return self.scorer.windows(corpus)

    def truncate_questions(self, questions):
        return self.scorer.truncate_questions(questions)


def padding_fraction(scorer, pairs: list[tuple[str, str]]) -> float:
    """The share of padding tokens in the length-sorted batches these pairs went through."""
    from encoders.batching import length_sorted_batches, tokenize

    if not pairs:
        return 0.0
    questions, passages = zip(*pairs)
    encodings = tokenize(scorer.tokenizer, questions, passages, scorer.settings.max_pair_length)
    lengths = np.array([len(ids) for ids in encodings["input_ids"]])
    padded = sum(int(lengths[batch].max()) * len(batch) for batch in length_sorted_batches(lengths, 64))
    return 1.0 - lengths.sum() / padded


def write_corpus(work: Path, name: str, target: Path) -> int:
    """The data set's paragraphs (ids kept: the gold passages) plus the distractors; the passage count."""
    rows = [json.loads(line) for line in (work / "data" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    for other, (path, _) in QA_SETS.items():
        if other == name or not path.is_file():
            continue
        articles = json.loads(path.read_text(encoding="utf-8"))["data"]
        for a, article in enumerate(articles):
            for p, paragraph in enumerate(article["paragraphs"]):
                rows.append({"id": f"{other}:{a}-{p}", "title": article.get("title", ""), "text": paragraph["context"]})
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows.append({**row, "id": f"demo:{row['id']}"})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return len(rows)


def cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def top5_overlap(rankings, reference) -> float:
    return float(np.mean([len(set(a.ids[:5]) & set(b.ids[:5])) / 5 for a, b in zip(rankings, reference)]))


def main() -> None:
    args = build_parser().parse_args()
    threads = setup_threads()
    from data_utils import QAData, load_corpus, load_queries
    from encoders.backends import BACKENDS
    from encoders.bi_encoder import tokenizer_directory
    from evaluation import gold_in_corpus, stage_metrics
    from pipeline import Pipeline, PipelineSettings
    from retrieval.bm25_tokenizers import make_tokenizer
    from runtime import Runtime
    from stage_weights import FUSION_KEY, RERANK_KEY, resolve

    work = trained_encoders(args.name)
    out = RESULTS / f"qpm-{args.name}"
    passages = write_corpus(work, args.name, out / "corpus.jsonl")
    corpus = load_corpus(out / "corpus.jsonl")
    queries = load_queries(work / "data" / "test.json")
    rng = np.random.default_rng(args.seed)
    chosen = sorted(rng.choice(len(queries.questions), min(args.questions, len(queries.questions)), replace=False))
    sample = QAData([queries.questions[i] for i in chosen], queries.corpus)
    golds = gold_in_corpus(sample, corpus)
    questions = [question.text for question in sample.questions]

    bi_config = json.loads((work / "bi_encoder" / "train_config.json").read_text(encoding="utf-8"))
    tokenizer = make_tokenizer(
        bi_config["bm25_tokenizer"], bi_config.get("bm25_ngram", 2), tokenizer_directory(work / "bi_encoder")
    )
    backend = BACKENDS["torch"]
    runtimes = {p: Runtime.resolve("cpu", p, args.batch_size) for p in ("auto", "fp32")}
    bi_encoders = {"torch": backend.load_bi_encoder(work / "bi_encoder", runtimes["auto"], "--input_directory", False)}
    bi_encoder = bi_encoders["torch"]
    cross_encoders = {
        ("torch", precision): backend.load_cross_encoder(work / "cross_encoder", runtime, "--input_directory", False)
        for precision, runtime in runtimes.items()
    }
    engines = [name for name in args.backends.split(",") if name]
    for engine in engines:  # exported (or loaded) before anything is timed
        if engine == "sentence-transformers":
            shared = work / "bi_encoder" / bi_encoder.directory_names()[0]
            auto = runtimes["auto"].precision
            bi_encoders[engine] = SentenceTransformersEncoder(bi_encoder, shared, auto)
            scorer = SentenceTransformersScorer(cross_encoders[("torch", "auto")], work / "cross_encoder", auto)
            cross_encoders[(engine, "auto")] = scorer
            continue
        chosen = BACKENDS[engine]
        bi_encoders[engine] = chosen.load_bi_encoder(work / "bi_encoder", runtimes["auto"], "--input_directory", False)
        cross = chosen.load_cross_encoder(work / "cross_encoder", runtimes["auto"], "--input_directory", False)
        cross_encoders[(engine, "auto")] = cross
    fusion, _ = resolve(FUSION_KEY, "auto", work / "bi_encoder", ["minmax"], {})
    rerank_weights, _ = resolve(RERANK_KEY, "auto", work / "cross_encoder", ["bm25", "retrieve", "hybrid"], {})
    base = PipelineSettings(
        retriever="hybrid", top_k=5, fusion_weight=fusion["minmax"], rerank_weights=rerank_weights, **TODAY
    )
    index_root = out / "index"
    Pipeline(base, corpus, index_root, bi_encoder, None, tokenizer).run_first_stages(questions[:1])  # build

    n, few = len(questions), min(args.today_questions, len(questions))
    settings = [
        Setting("today's default (top 500 of each list, every window)", None, None, few),
        Setting(f"--rerank_depth {args.curve_depth}", args.curve_depth, None, n),
        Setting(f"--rerank_depth {args.depth}", args.depth, None, n),
    ]
    windows = [int(count) for count in args.windows.split(",")]
    for count in windows:
        settings.append(Setting(f"--rerank_depth {args.depth} --rerank_windows {count}", args.depth, count, n))
    if runtimes["auto"].precision != "fp32":
        settings.append(Setting(f"{settings[3].name}, fp32", args.depth, windows[0], n, "fp32"))
    for engine in engines:
        flag = "" if engine == "sentence-transformers" else f" (--backend {engine})"
        label = f"{settings[3].name}, {engine}{flag}"
        settings.append(Setting(label, args.depth, windows[0], n, backend=engine))
    runs = {}
    for setting in settings:
        scorer = CountingScorer(cross_encoders[(setting.backend, setting.precision)])
        config = replace(base, rerank_depth=setting.rerank_depth, rerank_windows=setting.rerank_windows)
        pipeline = Pipeline(config, corpus, index_root, bi_encoders[setting.backend], scorer, tokenizer)
        asked = questions[: setting.questions]
        start = time.perf_counter()
        stages = pipeline.run_first_stages(asked)
        firsts, scored = pipeline.cross_encoder_scores(asked, stages)
        stages.update(pipeline.reranked(firsts, scored, config.rerank_weight))
        seconds = time.perf_counter() - start - sum(pipeline.timings.get(k, 0.0) for k in ("index", "bm25_index"))
        runs[setting] = {"stages": stages, "scored": scored, "seconds": seconds, "pipeline": pipeline, "scorer": scorer}
        print(f"{setting.name}: {seconds:.1f} s, {len(scorer.pairs)} pairs", flush=True)

    today = runs[settings[0]]
    today_rate = 60 * few / today["seconds"]
    today_part = QAData(sample.questions[:few], sample.corpus)
    every_window = runs[settings[2]]["stages"][FINAL]  # the same depth, every window
    rows, results = [], {}
    for setting, run in runs.items():
        asked = setting.questions
        part = QAData(sample.questions[:asked], sample.corpus)
        metrics = stage_metrics([r.ids for r in run["stages"][FINAL]], golds[:asked], part, corpus, KS)
        on_today = stage_metrics([r.ids for r in run["stages"][FINAL][:few]], golds[:few], today_part, corpus, KS)
        per_minute = 60 * asked / run["seconds"]
        entry = {
            "questions": asked,
            "questions_per_minute": per_minute,
            "seconds": run["seconds"],
            "pairs_per_question": len(run["scorer"].pairs) / asked,
            "padding_fraction": padding_fraction(cross_encoders[("torch", "auto")], run["scorer"].pairs),
            "overlap@5_with_today": top5_overlap(run["stages"][FINAL][:few], today["stages"][FINAL]),
            "overlap@5_with_every_window": (
                top5_overlap(run["stages"][FINAL], every_window) if setting.rerank_depth == args.depth else None
            ),
            "top1_on_today_questions": on_today["top1"],
            "top5_on_today_questions": on_today["top5"],
            **{k: metrics.get(k) for k in ("top1", "top5", "top20")},
        }
        results[setting.name] = entry
        rows.append([
            setting.name, str(asked), f"{per_minute:.1f}", f"{per_minute / today_rate:.1f}x",
            f"{entry['pairs_per_question']:.0f}", f"{entry['padding_fraction']:.2f}",
            *(cell(entry[k]) for k in ("top1", "top5", "top20")),
            f"{entry['top1_on_today_questions']:.2f} / {entry['top5_on_today_questions']:.2f}",
            cell(entry["overlap@5_with_today"]), cell(entry["overlap@5_with_every_window"]),
        ])  # fmt: skip
    headers = ["setting", "questions", "questions/min", "vs today", "pairs/question", "padding", "top1", "top5"]
    on_few = [f"top1 / top5 on today's {few}", f"overlap@5 with today's {few}", "overlap@5 with every window"]
    table = markdown_table([*headers, "top20", *on_few], rows)

    curve_rows, curve = [], {}
    deepest = runs[settings[1]]
    first_stages = {k: v for k, v in deepest["stages"].items() if k in ("bm25", "retrieve", "hybrid")}
    windows = cross_encoders[("torch", "auto")].windows(corpus)
    pipeline = deepest["pipeline"]
    for depth in (int(d) for d in args.curve.split(",") if int(d) <= args.curve_depth):
        firsts = Pipeline.candidates(first_stages, depth)
        final = pipeline.reranked(firsts, deepest["scored"], base.rerank_weight)[FINAL]
        metrics = stage_metrics([r.ids for r in final], golds, sample, corpus, KS)
        candidates = sum(len(r.ids) for r in firsts["hybrid"]) / len(questions)
        pairs = sum(len(windows.spans_of(pid)) for r in firsts["hybrid"] for pid in r.ids) / len(questions)
        curve[depth] = {"candidates": candidates, "pairs": pairs, **metrics}
        overlap = top5_overlap(final, deepest["stages"][FINAL])
        curve[depth][f"overlap@5_with_depth_{args.curve_depth}"] = overlap
        cells = [cell(metrics.get(k)) for k in ("top1", "top5", "top20")]
        curve_rows.append([str(depth), f"{candidates:.0f}", f"{pairs:.0f}", *cells, f"{overlap:.3f}"])
    curve_table = markdown_table(
        [
            "--rerank_depth",
            "candidates/question",
            "pairs/question",
            "top1",
            "top5",
            "top20",
            f"overlap@5 with depth {args.curve_depth}",
        ],  # fmt: skip
        curve_rows,
    )
    info = machine()
    lines = [
        f"{args.name}: {len(questions)} test questions (seeded sample), {passages} passages (its own and "
        f"distractors), hybrid retriever, tuned weights; torch {threads} threads, batch {args.batch_size}",
        "",
        table,
        "",
        f"hybrid+CE against --rerank_depth, all {n} questions, from the one cross-encoder pass at depth "
        f"{args.curve_depth} (every window):",
        "",
        curve_table,
        "",
        machine_line(info),
    ]
    print_and_save(lines, out / "table.md")
    finish(f"qpm-{args.name}/results", {"arguments": vars(args), "machine": info, "settings": results,
                                        "curve": curve, "questions": len(questions), "passages": passages})  # fmt: skip


if __name__ == "__main__":
    main()
