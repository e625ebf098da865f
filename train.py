"""Train a DPR bi-encoder or a cross-encoder reranker.

python train.py --encoder bi    --output_directory ./save_directory/
python train.py --encoder cross --output_directory ./save_directory/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli_args import (
    ArgumentParser,
    add_bm25_tokenizer_flags,
    add_runtime_flags,
    checked_number,
    fraction,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from errors import run_cli

DEFAULT_BATCH_SIZE = {"bi": 16, "cross": 8}


group_size = checked_number(int, lambda value: value >= 2, "an integer >= 2 (the positive and one negative at least)")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter, allow_abbrev=False
    )
    parser.add_argument("--encoder", required=True, choices=["bi", "cross"], help="which model to train")
    parser.add_argument("--output_directory", default="./save_directory/", help="where <encoder>_encoder/ is written")
    parser.add_argument("--model", default="klue/bert-base", help="Hugging Face model name or local directory")

    data = parser.add_argument_group("data")
    data.add_argument(
        "--train_data",
        default="./data/train_dataset",
        help="saved dataset directory (its 'train' split, or DIR:SPLIT), SQuAD-style JSON, JSONL, CSV, TSV or Parquet",
    )
    data.add_argument(
        "--validation_data",
        default=None,
        help="like --train_data; default: the 'validation' split of ./data/train_dataset when training on it",
    )
    data.add_argument("--question_column", default="question", help="question column of tabular data")
    data.add_argument("--context_column", default="context", help="passage column of tabular data")
    data.add_argument("--id_column", default="id", help="question id column of tabular data")
    data.add_argument("--answers_column", default="answers", help="answers column of tabular data (optional)")

    optimization = parser.add_argument_group("optimization")
    optimization.add_argument("--lr", type=positive_float, default=3e-5, help="peak learning rate (AdamW)")
    optimization.add_argument(
        "--train_batch_size", type=positive_int, default=None, help="questions per batch (default: bi 16, cross 8)"
    )
    optimization.add_argument("--eval_batch_size", type=positive_int, default=128, help="batch size for validation")
    optimization.add_argument("--epochs", type=positive_float, default=3.0, help="training epochs")
    optimization.add_argument("--max_steps", type=int, default=-1, help="stop after this many steps (-1: no limit)")
    optimization.add_argument("--weight_decay", type=non_negative_float, default=0.01, help="AdamW weight decay")
    optimization.add_argument("--gradient_accumulation_steps", type=positive_int, default=1, help="batches per step")
    optimization.add_argument("--warmup_ratio", type=fraction, default=0.1, help="share of steps for linear warmup")
    optimization.add_argument("--max_grad_norm", type=non_negative_float, default=1.0, help="gradient clipping")
    optimization.add_argument("--seed", type=int, default=42, help="random seed (data order, heads, negatives)")

    lengths = parser.add_argument_group("lengths (in tokens)")
    lengths.add_argument("--max_query_length", type=positive_int, default=64, help="question tokens")
    lengths.add_argument(
        "--max_passage_length",
        type=positive_int,
        default=384,
        help="passage window length, special tokens included; longer passages are cut into windows",
    )
    lengths.add_argument("--stride", type=non_negative_int, default=128, help="tokens shared by neighbouring windows")

    bi = parser.add_argument_group("bi-encoder")
    bi.add_argument("--shared_encoder", action="store_true", help="one encoder for questions and passages")
    bi.add_argument("--pooling", choices=["cls", "mean"], default="cls", help="how token states become one vector")
    bi.add_argument(
        "--hard_negatives",
        default=None,
        help="'bm25' or 'dense' (mined by BM25 or by the bi-encoder in --negatives_from), or a JSONL of "
        "{id: question id, negatives: [...]}",
    )
    bi.add_argument("--num_hard_negatives", type=non_negative_int, default=1, help="hard negatives per question")

    cross = parser.add_argument_group("cross-encoder")
    cross.add_argument("--group_size", type=group_size, default=8, help="candidates per question: 1 positive + G-1")
    cross.add_argument(
        "--negatives",
        default="in-batch",
        help="'in-batch' (other questions' positives), 'bm25' or 'dense' (mined by BM25 or by a trained bi-encoder) "
        "or a JSONL file like --hard_negatives",
    )
    mining = parser.add_argument_group("mined negatives ('bm25', 'dense')")
    mining.add_argument(
        "--negatives_from",
        default=None,
        help="directory holding bi_encoder/ for 'dense' negatives (default: --output_directory)",
    )
    mining.add_argument(
        "--mine_depth", type=positive_int, default=100, help="mined negatives are drawn from this many top passages"
    )
    add_bm25_tokenizer_flags(mining)
    cross.add_argument("--loss", choices=["lce", "bce"], default="lce", help="local contrastive or pointwise BCE")

    checkpoints = parser.add_argument_group("checkpoints and logging")
    checkpoints.add_argument("--save_steps", type=positive_int, default=500, help="checkpoint every N steps")
    checkpoints.add_argument("--save_total_limit", type=positive_int, default=2, help="checkpoints kept")
    checkpoints.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    checkpoints.add_argument("--logging_steps", type=positive_int, default=10, help="log loss and lr every N steps")
    checkpoints.add_argument("--quiet", action="store_true", help="no progress bar or per-step log lines")
    add_runtime_flags(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.train_batch_size is None:
        args.train_batch_size = DEFAULT_BATCH_SIZE[args.encoder]
    from training.run import train_encoder

    output = train_encoder(args)
    print(f"saved {args.encoder}-encoder to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
