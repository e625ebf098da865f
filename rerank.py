"""Retrieve passages for questions (BM25, the bi-encoder, or both fused), rerank them with the cross-encoder,
evaluate, write.

python rerank.py --input_directory ./save_directory/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cli_args import (
    ArgumentParser,
    add_bm25_tokenizer_flags,
    add_runtime_flags,
    count_auto_or_all,
    non_negative_int,
    positive_int,
    weight_or_auto,
)
from errors import UserError, run_cli
from mapped_corpus import MAP_FROM_BYTES, STORAGES, open_corpus


def build_parser() -> ArgumentParser:
    from encoders.backends import BACKENDS
    from pipeline import AUTO_RERANK_DEPTH, AUTO_RERANK_WINDOWS, PipelineSettings
    from reranking import WINDOW_POOLINGS
    from retrieval.dense import DENSE_INDEXES

    defaults = PipelineSettings()
    parser = ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter, allow_abbrev=False
    )
    parser.add_argument(
        "--input_directory", default="./save_directory/", help="holds bi_encoder/ and cross_encoder/ from train.py"
    )
    parser.add_argument(
        "--corpus",
        default="./data/wikipedia_documents.json",
        help="passages: wikipedia_documents.json ({id: {text, title}}), JSONL {id, title, text}, DPR TSV, MS MARCO "
        "collection.tsv or a BEIR directory",
    )
    parser.add_argument(
        "--corpus_storage",
        choices=STORAGES,
        default="auto",
        help="mapped: read the corpus once into a memory-mapped Arrow cache ($DPR_RERANK_CACHE, default "
        "~/.cache/dpr-rerank) and map it on later runs (TSV, JSONL and BEIR corpora); memory: hold every passage "
        f"in memory; auto: mapped from {MAP_FROM_BYTES // 2**20} MiB on",
    )
    parser.add_argument(
        "--queries",
        default="./data/train_dataset",
        help="questions in any format train.py reads (a saved dataset uses its 'validation' split, or DIR:SPLIT); "
        "gold passages optional",
    )
    parser.add_argument(
        "--qrels",
        default=None,
        help="gold passages of the queries from a TREC qrels file ('qid 0 pid grade' lines) or a BEIR qrels TSV: "
        "the judged queries are evaluated by corpus id (for queries without gold of their own, e.g. MS MARCO's "
        "queries.tsv)",
    )
    parser.add_argument("--question_column", default="question", help="question column of tabular queries")
    parser.add_argument("--context_column", default="context", help="gold passage column of tabular queries")
    parser.add_argument("--id_column", default="id", help="question id column of tabular queries")
    parser.add_argument("--answers_column", default="answers", help="answers column of tabular queries")
    parser.add_argument(
        "--document_id_column", default="document_id", help="gold passage id column of tabular queries (optional)"
    )
    parser.add_argument(
        "--top_k_retrieval",
        type=positive_int,
        default=defaults.top_k_retrieval,
        help="candidates from each first-stage retriever",
    )
    parser.add_argument("--top_k", type=positive_int, default=defaults.top_k, help="passages kept after reranking")
    parser.add_argument(
        "--rerank_depth",
        type=count_auto_or_all,
        default="auto",
        help="the cross-encoder scores this many top passages of each first-stage list; all: every one "
        f"(--top_k_retrieval); auto: {AUTO_RERANK_DEPTH['cpu']} on a CPU, {AUTO_RERANK_DEPTH['cuda']} on a GPU "
        "(at least --top_k, at most --top_k_retrieval)",
    )
    parser.add_argument("--batch_size", type=positive_int, default=64, help="sequences per forward pass")
    parser.add_argument(
        "--window_pooling",
        choices=list(WINDOW_POOLINGS),
        default=defaults.window_pooling,
        help="how the cross-encoder scores of a long passage's windows combine",
    )
    parser.add_argument(
        "--rerank_windows",
        type=count_auto_or_all,
        default="auto",
        help="the cross-encoder scores, of each candidate, only the windows covering its N best bi-encoder "
        "windows (dense or hybrid retriever; retrieval/best_windows.py); all: every window; auto: "
        f"{AUTO_RERANK_WINDOWS['cpu']} on a CPU, all on a GPU",
    )
    parser.add_argument(
        "--stages", choices=["retrieve", "all"], default="all", help="'retrieve' stops before the cross-encoder"
    )
    parser.add_argument("--rebuild_index", action="store_true", help="rebuild the indexes even if they are fresh")
    parser.add_argument(
        "--index_directory", default=None, help="where the indexes are kept (default: INPUT_DIRECTORY/index/)"
    )
    parser.add_argument(
        "--index",
        choices=["auto", *DENSE_INDEXES],
        default=defaults.index,
        help="dense index: exact (chunked exact search, memory-mapped), faiss-flat (FAISS IndexFlatIP, exact), "
        "ivfpq (FAISS IVF-PQ: compressed, approximate), hnsw (FAISS HNSW graph, approximate) or binary (BPR's "
        "binary codes: Hamming search, then rescoring; for a bi-encoder trained with --binary); auto: binary for "
        "such a bi-encoder, else exact",
    )
    add_faiss_flags(parser)
    parser.add_argument(
        "--index_dtype",
        choices=["float16", "float32"],
        default=defaults.index_dtype,
        help="storage type of passage vectors (exact index; faiss-flat stores float32)",
    )
    parser.add_argument(
        "--num_shards",
        type=int,
        default=None,
        help="encode the corpus in N shards (retrieval/shards.py): with --shard_index, this process encodes one "
        "and stops; without, the dense index is merged from all N; under torchrun, N = the processes (default), "
        "each encodes the shard of its rank and rank 0 goes on",
    )
    parser.add_argument(
        "--shard_index", type=int, default=None, help="the shard (0 to N-1) this process encodes (with --num_shards)"
    )
    parser.add_argument(
        "--output_directory", default=None, help="where results are written (default: INPUT_DIRECTORY/results/)"
    )
    parser.add_argument(
        "--output_format",
        choices=["jsonl", "csv", "trec"],
        default="jsonl",
        help="csv also writes predictions.csv; trec also writes trec_runs/<stage>.trec, a TREC run file per stage",
    )
    parser.add_argument(
        "--backend",
        choices=list(BACKENDS),
        default="torch",
        help="what runs the encoders: torch; onnx (ONNX Runtime) or openvino, both on the encoders exported once to "
        "ONNX beside them (pip install -r requirements-onnx.txt)",
    )
    add_first_stage_flags(parser, defaults)
    add_runtime_flags(parser)
    return parser


def add_faiss_flags(parser: argparse.ArgumentParser) -> None:
    from retrieval.faiss_index import FaissOptions

    defaults = FaissOptions()
    group = parser.add_argument_group("FAISS indexes (--index ivfpq, hnsw or binary)")
    group.add_argument(
        "--nlist",
        type=non_negative_int,
        default=defaults.nlist,
        help="ivfpq: inverted lists (0: about 4 sqrt(windows))",
    )
    group.add_argument(
        "--pq_m", type=non_negative_int, default=defaults.pq_m, help="ivfpq: sub-quantizers (0: dimension / 4)"
    )
    group.add_argument("--nprobe", type=positive_int, default=defaults.nprobe, help="ivfpq: lists searched per query")
    group.add_argument(
        "--train_sample", type=positive_int, default=defaults.train_sample, help="ivfpq: windows it is trained on"
    )
    group.add_argument("--hnsw_m", type=positive_int, default=defaults.hnsw_m, help="hnsw: neighbours per node")
    group.add_argument("--ef_search", type=positive_int, default=defaults.ef_search, help="hnsw: search breadth")
    group.add_argument(
        "--binary_k",
        type=positive_int,
        default=defaults.binary_k,
        help="binary: windows the Hamming search keeps for rescoring (at least --top_k_retrieval x the most windows "
        "a passage has)",
    )


def add_first_stage_flags(parser: argparse.ArgumentParser, defaults) -> None:
    from pipeline import RETRIEVERS
    from retrieval.fusion import FUSION_METHODS
    from stage_weights import FALLBACK, FUSION_KEY, RERANK_KEY

    group = parser.add_argument_group("first stage: BM25, dense or hybrid")
    group.add_argument(
        "--retriever",
        choices=RETRIEVERS,
        default=defaults.retriever,
        help="bm25 (needs no bi-encoder), dense (the bi-encoder) or hybrid (both lists fused; their union is reranked)",
    )
    add_bm25_tokenizer_flags(group)
    group.add_argument(
        "--fusion",
        choices=FUSION_METHODS,
        default=defaults.fusion,
        help="hybrid: per-question min-max or z-score normalized scores, or reciprocal rank fusion (k=60)",
    )
    group.add_argument(
        "--fusion_weight",
        type=weight_or_auto,
        default="auto",
        help="hybrid: BM25's weight, the dense list gets 1 - w; auto: the weight tuned when the bi-encoder was "
        f"trained (else {FALLBACK[FUSION_KEY]})",
    )
    parser.add_argument(
        "--rerank_weight",
        type=weight_or_auto,
        default="auto",
        help="the cross-encoder's share w of a reranked passage's score, w * cross-encoder + (1 - w) * first stage "
        "(each min-max normalized per question; 1: the cross-encoder alone, 0: the first stage's order); auto: the "
        f"weight tuned per first stage when the cross-encoder was trained (else {FALLBACK[RERANK_KEY]})",
    )


def pipeline_settings(args: argparse.Namespace, device_type: str = "cpu"):
    """The typed settings of the stages, checked against each other; ``auto`` depths for ``device_type``."""
    from pipeline import PipelineSettings, auto_rerank_depth, auto_rerank_windows
    from retrieval.faiss_index import FaissOptions

    if args.top_k > args.top_k_retrieval:
        raise UserError(f"--top_k {args.top_k} is larger than --top_k_retrieval {args.top_k_retrieval}")
    depth, windows = args.rerank_depth, args.rerank_windows
    if depth == "auto":
        depth = auto_rerank_depth(device_type, args.top_k, args.top_k_retrieval)
    elif depth is not None and not args.top_k <= depth <= args.top_k_retrieval:
        raise UserError(
            f"--rerank_depth {depth}: expected auto, all or a number from --top_k ({args.top_k}) "
            f"to --top_k_retrieval ({args.top_k_retrieval})"
        )
    explicit_windows = windows != "auto"
    if windows == "auto":
        windows = auto_rerank_windows(device_type)
    if windows is not None and args.retriever == "bm25":
        if explicit_windows and args.stages == "all":
            print(f"note: --rerank_windows {windows} needs the bi-encoder's window vectors, which --retriever bm25 "
                  "does not load; the cross-encoder scores every window")  # fmt: skip
        windows = None
    if args.stages == "all":
        how = "every candidate" if depth is None else f"the top {depth} of each first-stage list"
        per = "every window" if windows is None else f"at most {windows} window(s) a candidate"
        print(f"rerank: {how}, {per} (--rerank_depth / --rerank_windows as asked, auto for {device_type})")
    return PipelineSettings(
        retriever=args.retriever,
        top_k_retrieval=args.top_k_retrieval,
        top_k=args.top_k,
        rerank_depth=depth,
        rerank=args.stages == "all",
        fusion=args.fusion,
        window_pooling=args.window_pooling,
        rerank_windows=windows,
        index=args.index,
        faiss=FaissOptions(
            nlist=args.nlist,
            pq_m=args.pq_m,
            nprobe=args.nprobe,
            hnsw_m=args.hnsw_m,
            ef_search=args.ef_search,
            train_sample=args.train_sample,
            binary_k=args.binary_k,
        ),
        index_dtype=args.index_dtype,
        rebuild_index=args.rebuild_index,
    )


def with_weights(settings, args: argparse.Namespace, bi_directory, cross_directory, tokenizer, bi_encoder):
    """``settings`` with the fusion and rerank weights the flags ask for (``auto``: the tuned ones, see
    stage_weights.py), each printed with where it came from."""
    from dataclasses import replace

    from stage_weights import FUSION_KEY, RERANK_KEY, resolve

    first_stage: dict = {"bm25_tokenizer": tokenizer.describe()} if tokenizer is not None else {}
    first_stage["top_k_retrieval"] = settings.top_k_retrieval
    fusion_weight = settings.fusion_weight
    if settings.dense and settings.sparse:
        weights, lines = resolve(FUSION_KEY, args.fusion_weight, bi_directory, [args.fusion], first_stage)
        fusion_weight = weights[args.fusion]
        for line in lines:
            print(line)
        first_stage.update(fusion=args.fusion, fusion_weight=fusion_weight)
    if bi_encoder is not None:
        first_stage["bi_encoder"] = bi_encoder.passage_fingerprint()
    first_stage["rerank_depth"] = settings.rerank_depth or settings.top_k_retrieval
    first_stage["rerank_windows"] = settings.rerank_windows or "all"
    rerank_weights: dict[str, float] = {}
    if settings.rerank:
        first_stages = list(dict.fromkeys(settings.reranked_lists().values()))
        rerank_weights, lines = resolve(RERANK_KEY, args.rerank_weight, cross_directory, first_stages, first_stage)
        for line in lines:
            print(line)
    return replace(settings, fusion_weight=fusion_weight, rerank_weights=rerank_weights)


def check_encoder_directory(input_directory: Path, name: str, encoder: str) -> Path:
    directory = input_directory / name
    if not directory.is_dir():
        raise UserError(
            f"--input_directory {input_directory}: no {name}/; make it with "
            f"`python train.py --encoder {encoder} --output_directory {input_directory}`"
        )
    return directory


def report(stages: dict, queries, corpus, settings, timings: dict, untuned: dict) -> tuple[dict, list | None]:
    """Print the metrics table of every stage (when gold passages are known), and of the rows that ``untuned``
    holds as they were before tuned weights; return (metrics, golds)."""
    from data_utils import warn
    from evaluation import KS, format_table, gold_in_corpus, stage_metrics

    if not any(question.gold_ids for question in queries.questions):
        print("note: the queries have no gold passages; nothing to evaluate, writing predictions only")
        return {}, None
    golds = gold_in_corpus(queries, corpus)
    names = settings.row_names()
    ks = sorted({*KS, settings.top_k})  # the k the run keeps is always a column (and what the guard checks)
    table = {
        names[stage]: stage_metrics([r.ids for r in rankings], golds, queries, corpus, ks)
        for stage, rankings in stages.items()
    }
    print(format_table(table))
    if any(question.answers for question in queries.questions):
        print("answer-string match (a passage in the top k contains an answer):")
        print(format_table(table, answer_match=True))
    for line in worse_than_their_input(table, settings, len(queries.questions)):
        warn(line)
    metrics = {"stages": table, "questions": len(queries.questions), "passages": len(corpus), "seconds": timings}
    if untuned:
        before = {
            names[stage]: stage_metrics([r.ids for r in rankings], golds, queries, corpus, ks)
            for stage, rankings in untuned.items()
        }
        print("the same rows without the weights (hybrid 1:1, the cross-encoder's order alone):")
        print(format_table(before))
        metrics["untuned"] = before
    return metrics, golds


def worse_than_their_input(table: dict, settings, questions: int) -> list[str]:
    """One line for each reranked row below the list it reranks, and for a hybrid row below the better of
    its two lists, by more than its standard error in top-1 or top-``--top_k``."""
    from evaluation import worse_by_more_than_its_error
    from pipeline import DENSE, SPARSE

    names = settings.row_names()
    accuracies = ["top1", f"top{settings.top_k}"]
    compared = [(row, first, "reranks", "--rerank_weight") for row, first in settings.reranked_lists().items()]
    if settings.dense and settings.sparse:
        better = max((SPARSE, DENSE), key=lambda stage: [table[names[stage]].get(a, 0.0) for a in accuracies])
        compared.append(("hybrid", better, "fuses (the better of its two)", "--fusion_weight"))
    lines = []
    for row, base, relation, flag in compared:
        if names[row] not in table or names[base] not in table:
            continue
        worse = worse_by_more_than_its_error(table[names[row]], table[names[base]], questions, accuracies)
        if worse is None:
            continue
        accuracy, error = worse
        if flag == "--rerank_weight":
            hint = f"try a lower {flag} (0 keeps {names[base]}'s order)"
        else:
            direction = "higher" if base == SPARSE else "lower"
            hint = f"try a {direction} {flag} ({1 if base == SPARSE else 0} keeps {names[base]}'s order)"
        lines.append(
            f"{names[row]} ({accuracy} {table[names[row]][accuracy]:.3f}) is worse than {names[base]} "
            f"({table[names[base]][accuracy]:.3f}), the list it {relation}, by more than its standard error "
            f"({error:.3f}): {hint}"
        )
    return lines


def encode_my_shard(bi_encoder, corpus, index_root: Path, plan, settings) -> bool:
    """Encode this process's shard of the corpus; True when this process goes on to search (rank 0 of torchrun,
    once every rank has encoded its shard)."""
    from retrieval.dense import vector_dtype
    from retrieval.shards import SHARDS, encode_shard
    from runtime import launched_distributed, wait_for_every_rank

    dtype = vector_dtype(settings.index, settings.index_dtype)
    encode_shard(bi_encoder, corpus, index_root / SHARDS, plan, dtype, settings.rebuild_index)
    if not launched_distributed():
        print(f"once all {plan.count} shards are encoded, search them: the same command with no --shard_index")
        return False
    return wait_for_every_rank() == 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from runtime import Runtime

    runtime = Runtime.resolve(args.device, args.precision, args.batch_size)
    settings = pipeline_settings(args, runtime.device.type)

    from dataclasses import replace

    from retrieval.shards import shard_plan

    plan = shard_plan(args.num_shards, args.shard_index)
    if plan is not None and not settings.dense:
        raise UserError(
            f"--num_shards: the shards are the dense index's vectors; --retriever {args.retriever} has none"
        )
    if plan is not None:
        settings = replace(settings, num_shards=plan.count)

    from data_utils import ColumnNames, load_queries, with_qrels
    from encoders.backends import BACKENDS
    from encoders.bi_encoder import tokenizer_directory
    from file_utils import ensure_writable_directory
    from outputs import write_outputs
    from pipeline import Pipeline, timed
    from retrieval.bm25_tokenizers import make_tokenizer
    from retrieval.dense import index_kind

    input_directory = Path(args.input_directory)
    needs_bi = settings.dense or (settings.sparse and args.bm25_tokenizer == "model")
    bi_directory = check_encoder_directory(input_directory, "bi_encoder", "bi") if needs_bi else None
    cross_directory = check_encoder_directory(input_directory, "cross_encoder", "cross") if settings.rerank else None
    tokenizer = None
    if settings.sparse:
        model_tokenizer = tokenizer_directory(bi_directory) if bi_directory is not None else None
        tokenizer = make_tokenizer(args.bm25_tokenizer, args.bm25_ngram, model_tokenizer)

    corpus = open_corpus(args.corpus, args.corpus_storage)
    columns = ColumnNames(
        args.question_column,
        args.context_column,
        args.id_column,
        answers=args.answers_column,
        document_id=args.document_id_column,
    )
    queries = load_queries(args.queries, columns, split="validation")
    if args.qrels is not None:
        queries = with_qrels(queries, Path(args.qrels))
    output_directory = ensure_writable_directory(args.output_directory or input_directory / "results")
    backend, flag = BACKENDS[args.backend], "--input_directory"
    trust = args.trust_remote_code
    bi_encoder = backend.load_bi_encoder(bi_directory, runtime, flag, trust) if settings.dense else None
    if bi_encoder is not None:  # an index the bi-encoder cannot use is refused before anything else loads
        settings = replace(settings, index=index_kind(settings.index, bi_encoder))
    index_root = Path(args.index_directory) if args.index_directory else input_directory / "index"
    if (
        plan is not None
        and plan.index is not None
        and not encode_my_shard(bi_encoder, corpus, index_root, plan, settings)
    ):
        return 0
    cross_encoder = backend.load_cross_encoder(cross_directory, runtime, flag, trust) if settings.rerank else None
    settings = with_weights(settings, args, bi_directory, cross_directory, tokenizer, bi_encoder)
    pipeline = Pipeline(settings, corpus, index_root, bi_encoder, cross_encoder, tokenizer)
    print(f"corpus: {len(corpus)} passages; queries: {len(queries.questions)}; {runtime.describe()}")

    stages = pipeline.run([question.text for question in queries.questions])
    metrics, golds = report(stages, queries, corpus, settings, pipeline.timings, pipeline.untuned)
    with timed("write", pipeline.timings):
        written = write_outputs(
            output_directory,
            queries,
            golds,
            pipeline.written(stages),
            corpus,
            metrics,
            args.output_format,
            pipeline.top_k,
        )
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
