"""Retrieve passages for questions (BM25, the bi-encoder, or both fused), rerank them with the cross-encoder,
evaluate, write.

python rerank.py --input_directory ./save_directory/
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from cli_args import ArgumentParser, add_bm25_tokenizer_flags, add_runtime_flags, positive_int, unit_interval
from errors import UserError, run_cli

RETRIEVERS = ("hybrid", "dense", "bm25")
FIRST_STAGE = {"dense": "retrieve", "bm25": "bm25", "hybrid": "hybrid"}  # the candidates the cross-encoder reranks
# Row names of the results table; "rerank" is the cross-encoder over FIRST_STAGE: its name + "+CE".
STAGE_NAMES = {
    "bm25": "BM25",
    "retrieve": "DPR",
    "hybrid": "hybrid",
    "retrieve+rerank": "DPR+CE",
    "bm25+rerank": "BM25+CE",
    "ensemble": "BM25 & DPR+CE",
}
RERANKED = ("retrieve+rerank", "bm25+rerank", "ensemble", "rerank")  # written to predictions at --top_k


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter, allow_abbrev=False
    )
    parser.add_argument(
        "--input_directory", default="./save_directory/", help="holds bi_encoder/ and cross_encoder/ from train.py"
    )
    parser.add_argument(
        "--corpus",
        default="./data/wikipedia_documents.json",
        help="passages: wikipedia_documents.json ({id: {text, title}}), JSONL {id, title, text} or DPR TSV",
    )
    parser.add_argument(
        "--queries",
        default="./data/train_dataset",
        help="questions in any format train.py reads (a saved dataset uses its 'validation' split, or DIR:SPLIT); "
        "gold passages optional",
    )
    parser.add_argument("--question_column", default="question", help="question column of tabular queries")
    parser.add_argument("--context_column", default="context", help="gold passage column of tabular queries")
    parser.add_argument("--id_column", default="id", help="question id column of tabular queries")
    parser.add_argument("--answers_column", default="answers", help="answers column of tabular queries")
    parser.add_argument(
        "--top_k_retrieval", type=positive_int, default=500, help="candidates from each first-stage retriever"
    )
    parser.add_argument("--top_k", type=positive_int, default=5, help="passages kept after reranking")
    parser.add_argument(
        "--rerank_depth",
        type=positive_int,
        default=None,
        help="the cross-encoder scores this many top passages of each first-stage list (default: --top_k_retrieval)",
    )
    parser.add_argument("--batch_size", type=positive_int, default=64, help="sequences per forward pass")
    parser.add_argument(
        "--window_pooling",
        choices=["max", "mean", "first"],
        default="max",
        help="how the cross-encoder scores of a long passage's windows combine",
    )
    parser.add_argument(
        "--stages", choices=["retrieve", "all"], default="all", help="'retrieve' stops before the cross-encoder"
    )
    parser.add_argument("--rebuild_index", action="store_true", help="rebuild the indexes even if they are fresh")
    parser.add_argument(
        "--index_dtype", choices=["float16", "float32"], default="float16", help="storage type of passage vectors"
    )
    parser.add_argument(
        "--output_directory", default=None, help="where results are written (default: INPUT_DIRECTORY/results/)"
    )
    parser.add_argument(
        "--output_format", choices=["jsonl", "csv"], default="jsonl", help="csv also writes predictions.csv"
    )
    add_bm25_flags(parser)
    add_runtime_flags(parser)
    return parser


def add_bm25_flags(parser: argparse.ArgumentParser) -> None:
    from retrieval.fusion import FUSION_METHODS

    group = parser.add_argument_group("first stage: BM25, dense or hybrid")
    group.add_argument(
        "--retriever",
        choices=RETRIEVERS,
        default="hybrid",
        help="bm25 (needs no bi-encoder), dense (the bi-encoder) or hybrid (both lists fused; their union is reranked)",
    )
    add_bm25_tokenizer_flags(group)
    group.add_argument(
        "--fusion",
        choices=FUSION_METHODS,
        default="minmax",
        help="hybrid: per-question min-max or z-score normalized scores, or reciprocal rank fusion (k=60)",
    )
    group.add_argument(
        "--fusion_weight", type=unit_interval, default=0.5, help="hybrid: BM25's weight; the dense list gets 1 - w"
    )


@contextmanager
def timed(stage: str, timings: dict[str, float]):
    start = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - start, 3)
    print(f"[{stage}] {timings[stage]:.1f} s", file=sys.stderr)


def check_encoder_directory(input_directory: Path, name: str, encoder: str) -> Path:
    directory = input_directory / name
    if not directory.is_dir():
        raise UserError(
            f"--input_directory {input_directory}: no {name}/; make it with "
            f"`python train.py --encoder {encoder} --output_directory {input_directory}`"
        )
    return directory


def bm25_stage(
    args: argparse.Namespace, corpus, tokenizer, index_directory: Path, texts: list[str], timings: dict
) -> list:
    """BM25 index (reused when fresh) and the top ``--top_k_retrieval`` passages per question."""
    from pipeline import load_or_build_bm25_index, retrieve_bm25

    with timed("bm25_index", timings):
        index, reused = load_or_build_bm25_index(corpus, tokenizer, index_directory, args.rebuild_index)
        how = "reused the saved index" if reused else "built"
        print(f"index (bm25): {how} ({len(index.passage_ids)} passages, {args.bm25_tokenizer} terms)")
    with timed("bm25", timings):
        return retrieve_bm25(index, texts, args.top_k_retrieval)


def dense_stage(
    args: argparse.Namespace, bi_directory: Path, bi_encoder, corpus, texts: list[str], device, precision, timings
) -> list:
    """Dense index of the corpus (reused when fresh) and the top ``--top_k_retrieval`` passages per question."""
    from pipeline import load_or_build_index, retrieve

    with timed("index", timings):
        index, reused = load_or_build_index(
            bi_directory,
            bi_encoder,
            corpus,
            Path(args.input_directory) / "index" / "dense",
            args.batch_size,
            device,
            precision,
            args.index_dtype,
            args.rebuild_index,
        )
        print(f"index: {'reused the saved index' if reused else 'built'} ({len(index.embeddings)} windows)")
    with timed("retrieve", timings):
        return retrieve(bi_encoder, index, texts, args.top_k_retrieval, args.batch_size, device, precision)


def rerank_stages(
    args: argparse.Namespace, cross_encoder, texts: list[str], stages: dict, corpus, device, precision
) -> dict[str, list]:
    """The cross-encoder stages, each ranking all its candidates (metrics need more than --top_k).

    The cross-encoder scores the first ``--rerank_depth`` passages of each first-stage list once; with both
    retrievers that is their union (hybrid+CE), and the same scores also order BM25's candidates alone
    (BM25+CE) and the bi-encoder's alone (DPR+CE). ``ensemble`` is the seed's recipe: BM25's list fused
    with DPR+CE's by ``--fusion``/``--fusion_weight``.
    """
    from pipeline import head, reorder, rerank, union
    from retrieval.fusion import fuse_all

    depth = args.rerank_depth or args.top_k_retrieval
    firsts = {stage: head(stages[stage], depth) for stage in ("bm25", "retrieve") if stage in stages}
    candidates = union(*firsts.values()) if len(firsts) == 2 else next(iter(firsts.values()))
    scored = rerank(
        cross_encoder, texts, candidates, corpus, None, args.window_pooling, args.batch_size, device, precision
    )
    if len(firsts) < 2:
        return {"rerank": scored}
    dense_reranked = reorder(firsts["retrieve"], scored)
    return {
        "retrieve+rerank": dense_reranked,
        "bm25+rerank": reorder(firsts["bm25"], scored),
        "ensemble": fuse_all(firsts["bm25"], dense_reranked, args.fusion, args.fusion_weight),
        "rerank": scored,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.top_k > args.top_k_retrieval:
        raise UserError(f"--top_k {args.top_k} is larger than --top_k_retrieval {args.top_k_retrieval}")
    if args.rerank_depth is not None and not args.top_k <= args.rerank_depth <= args.top_k_retrieval:
        raise UserError(
            f"--rerank_depth {args.rerank_depth}: expected a number from --top_k ({args.top_k}) "
            f"to --top_k_retrieval ({args.top_k_retrieval})"
        )

    from data_utils import ColumnNames, load_corpus, load_queries, warn
    from encoders.bi_encoder import BiEncoder
    from encoders.cross_encoder import CrossEncoder
    from evaluation import format_table, gold_in_corpus, stage_metrics
    from file_utils import ensure_writable_directory
    from outputs import write_outputs
    from pipeline import bi_tokenizer_directory, head
    from retrieval.bm25_tokenizers import make_tokenizer
    from retrieval.fusion import fuse_all
    from runtime import prepare_for_inference, resolve_device, resolve_precision

    input_directory = Path(args.input_directory)
    dense, sparse = args.retriever != "bm25", args.retriever != "dense"
    needs_bi = dense or (sparse and args.bm25_tokenizer == "model")
    bi_directory = check_encoder_directory(input_directory, "bi_encoder", "bi") if needs_bi else None
    rerank_too = args.stages == "all"
    cross_directory = check_encoder_directory(input_directory, "cross_encoder", "cross") if rerank_too else None
    device = resolve_device(args.device)
    precision = resolve_precision(args.precision, device)
    tokenizer = None
    if sparse:
        model_tokenizer = bi_tokenizer_directory(bi_directory) if bi_directory is not None else None
        tokenizer = make_tokenizer(args.bm25_tokenizer, args.bm25_ngram, model_tokenizer)

    corpus = load_corpus(args.corpus)
    columns = ColumnNames(args.question_column, args.context_column, args.id_column, answers=args.answers_column)
    queries = load_queries(args.queries, columns, split="validation")
    output_directory = ensure_writable_directory(args.output_directory or input_directory / "results")
    if args.top_k_retrieval > len(corpus):
        warn(f"--top_k_retrieval {args.top_k_retrieval} > corpus size {len(corpus)}; using {len(corpus)}")
        args.top_k_retrieval = len(corpus)
    top_k = min(args.top_k, args.top_k_retrieval)
    bi_encoder = BiEncoder.load(bi_directory, "--input_directory") if dense else None
    if bi_encoder is not None:
        prepare_for_inference(bi_encoder, device, precision)
    cross_encoder = CrossEncoder.load(cross_directory, "--input_directory") if rerank_too else None
    print(f"corpus: {len(corpus)} passages; queries: {len(queries.questions)}; device {device}, {precision}")

    timings: dict[str, float] = {}
    texts = [question.text for question in queries.questions]
    stages: dict[str, list] = {}
    if sparse:
        stages["bm25"] = bm25_stage(args, corpus, tokenizer, input_directory / "index" / "bm25", texts, timings)
    if dense:
        stages["retrieve"] = dense_stage(args, bi_directory, bi_encoder, corpus, texts, device, precision, timings)
    if dense and sparse:
        with timed("fusion", timings):
            stages["hybrid"] = fuse_all(stages["bm25"], stages["retrieve"], args.fusion, args.fusion_weight)
    if cross_encoder is not None:
        prepare_for_inference(cross_encoder.model, device, precision)
        with timed("rerank", timings):
            stages.update(rerank_stages(args, cross_encoder, texts, stages, corpus, device, precision))
    metrics: dict = {}
    golds = None
    if any(question.gold_ids for question in queries.questions):
        golds = gold_in_corpus(queries, corpus)
        names = {**STAGE_NAMES, "rerank": STAGE_NAMES[FIRST_STAGE[args.retriever]] + "+CE"}
        table = {
            names[stage]: stage_metrics([r.ids for r in rankings], golds, queries, corpus)
            for stage, rankings in stages.items()
        }
        print(format_table(table))
        if any(question.answers for question in queries.questions):
            print("answer-string match (a passage in the top k contains an answer):")
            print(format_table(table, answer_match=True))
        metrics = {"stages": table, "questions": len(queries.questions), "passages": len(corpus), "seconds": timings}
    else:
        print("note: the queries have no gold passages; nothing to evaluate, writing predictions only")
    kept = {stage: head(rankings, top_k) if stage in RERANKED else rankings for stage, rankings in stages.items()}
    with timed("write", timings):
        written = write_outputs(output_directory, queries, golds, kept, corpus, metrics, args.output_format, top_k)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
