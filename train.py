"""Train a DPR bi-encoder or a cross-encoder reranker.

python train.py --encoder bi    --output_directory ./save_directory/
python train.py --encoder cross --output_directory ./save_directory/
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
    checked_number,
    comma_list,
    count_auto_or_all,
    fraction,
    max_steps,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    seed,
)
from errors import UserError, run_cli

DEFAULT_BATCH_SIZE = {"bi": 16, "cross": 8}
# Flags that change how a run reports or what is tuned after it (recorded in the tuning record), not what it trains.
NOT_RECORDED = (
    "debug",
    "quiet",
    "tuning_top_k_retrieval",
    "tuning_rerank_depth",
    "no_weight_tuning",
    "report_to",
    "gradient_checkpointing",  # the same weights, computed with less memory
    "grad_cache",  # the same gradients, computed chunk by chunk
    "grad_cache_chunk_size",
)
# Flags that only one encoder uses: given to the other, they would do nothing without a word.
ONLY_FOR = {
    "bi": (
        "--hard_negatives",
        "--num_hard_negatives",
        "--shared_encoder",
        "--pooling",
        "--binary",
        "--grad_cache",
        "--grad_cache_chunk_size",
        "--negatives_cross_device",
        "--no-negatives_cross_device",
    ),
    "cross": ("--negatives", "--group_size", "--teacher", "--distillation_temperature", "--num_layers"),
}
# BPR's knobs: without --binary they would do nothing.
HASHING_FLAGS = ("--hashnet_gamma", "--binary_margin", "--binary_loss_weight", "--dense_loss_weight")
LORA_FLAGS = ("--lora_alpha", "--lora_target", "--lora_dropout")

TRACKERS = ("none", "tensorboard", "wandb")

group_size = checked_number(int, lambda value: value >= 2, "an integer >= 2 (the positive and one negative at least)")


def build_parser() -> ArgumentParser:
    from encoders.losses import LOSSES
    from encoders.settings import POOLINGS, BiEncoderSettings
    from training.settings import DEFAULT_DATA, HashingArguments
    from weight_tuning import TOP_K_RETRIEVAL

    lengths_default, hashing_default = BiEncoderSettings(), HashingArguments()
    parser = ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter, allow_abbrev=False
    )
    parser.add_argument("--encoder", required=True, choices=["bi", "cross"], help="which model to train")
    parser.add_argument("--output_directory", default="./save_directory/", help="where <encoder>_encoder/ is written")
    parser.add_argument("--model", default="klue/bert-base", help="Hugging Face model name or local directory")

    data = parser.add_argument_group("data")
    data.add_argument(
        "--train_data",
        default=DEFAULT_DATA,
        help="saved dataset directory (its 'train' split, or DIR:SPLIT), BEIR directory (qrels/train.tsv, or "
        "DIR:SPLIT), SQuAD-style JSON, JSONL, CSV, TSV or Parquet; with --qrels: the queries (MS MARCO's "
        "qid<TAB>query)",
    )
    data.add_argument(
        "--validation_data",
        default=None,
        help="like --train_data; default: the 'validation' split of ./data/train_dataset when training on it",
    )
    data.add_argument(
        "--corpus",
        default=None,
        help="with --qrels: the passages it names by id (MS MARCO's pid<TAB>passage, BEIR corpus.jsonl, JSONL, ...)",
    )
    data.add_argument(
        "--qrels",
        default=None,
        help="TREC qrels ('qid 0 pid grade') or BEIR qrels TSV judging --train_data's queries against --corpus: "
        "the passages graded 1 or more are each query's positives",
    )
    data.add_argument(
        "--validation_qrels", default=None, help="like --qrels, for --validation_data's queries (same --corpus)"
    )
    data.add_argument("--question_column", default="question", help="question column of tabular data")
    data.add_argument("--context_column", default="context", help="passage column of tabular data")
    data.add_argument("--id_column", default="id", help="question id column of tabular data")
    data.add_argument("--answers_column", default="answers", help="answers column of tabular data (optional)")
    data.add_argument(
        "--document_id_column",
        default="document_id",
        help="passage id column of tabular data (optional): --hard_negatives/--negatives files may name passages "
        "by these ids as well as by the hash of their text",
    )

    optimization = parser.add_argument_group("optimization")
    optimization.add_argument("--lr", type=positive_float, default=3e-5, help="peak learning rate (AdamW)")
    optimization.add_argument(
        "--train_batch_size", type=positive_int, default=None, help="questions per batch (default: bi 16, cross 8)"
    )
    optimization.add_argument("--eval_batch_size", type=positive_int, default=128, help="batch size for validation")
    optimization.add_argument("--epochs", type=positive_float, default=3.0, help="training epochs")
    optimization.add_argument(
        "--max_steps", type=max_steps, default=-1, help="stop after this many steps (-1: no limit)"
    )
    optimization.add_argument("--weight_decay", type=non_negative_float, default=0.01, help="AdamW weight decay")
    optimization.add_argument("--gradient_accumulation_steps", type=positive_int, default=1, help="batches per step")
    optimization.add_argument("--warmup_ratio", type=fraction, default=0.1, help="share of steps for linear warmup")
    optimization.add_argument("--max_grad_norm", type=non_negative_float, default=1.0, help="gradient clipping")
    optimization.add_argument("--seed", type=seed, default=42, help="random seed (data order, heads, negatives)")
    optimization.add_argument(
        "--gradient_checkpointing",
        action="store_true",
        help="recompute activations in the backward pass instead of keeping them: less memory, slower steps, "
        "the same weights",
    )

    lengths = parser.add_argument_group("lengths (in tokens)")
    lengths.add_argument(
        "--max_query_length", type=positive_int, default=lengths_default.max_query_length, help="question tokens"
    )
    lengths.add_argument(
        "--max_passage_length",
        type=positive_int,
        default=lengths_default.max_passage_length,
        help="passage window length, special tokens included; longer passages are cut into windows",
    )
    lengths.add_argument(
        "--stride",
        type=non_negative_int,
        default=lengths_default.stride,
        help="tokens shared by neighbouring windows",
    )
    parser.add_argument(
        "--loss",
        choices=[name for losses in LOSSES.values() for name in losses],
        default=None,
        help="bi-encoder: " + ", ".join(LOSSES["bi"]) + "; cross-encoder: " + ", ".join(LOSSES["cross"]) + " "
        "(local contrastive or pointwise BCE); default: the first of each",
    )

    bi = parser.add_argument_group("bi-encoder")
    bi.add_argument("--shared_encoder", action="store_true", help="one encoder for questions and passages")
    bi.add_argument(
        "--pooling", choices=POOLINGS, default=lengths_default.pooling, help="how token states become one vector"
    )
    bi.add_argument(
        "--hard_negatives",
        default=None,
        help="'bm25' or 'dense' (mined by BM25 or by the bi-encoder in --negatives_from), or a JSONL of "
        "{id: question id, negatives: [...]}",
    )
    bi.add_argument("--num_hard_negatives", type=non_negative_int, default=1, help="hard negatives per question")
    bi.add_argument(
        "--grad_cache",
        action="store_true",
        help="GradCache: embed the batch in chunks and back-propagate cached vector gradients, so that "
        "--train_batch_size (the in-batch negatives) is bounded by time, not memory",
    )
    bi.add_argument(
        "--grad_cache_chunk_size", type=positive_int, default=16, help="texts per forward pass under --grad_cache"
    )
    bi.add_argument(
        "--negatives_cross_device",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="under torchrun: every question sees the passages of every rank's batch as in-batch negatives "
        "(default: on under torchrun; without a distributed launch it does nothing)",
    )
    hashing = parser.add_argument_group(
        "binary passage codes (BPR: Yamada et al. 2021; searched with rerank.py --index binary)"
    )
    hashing.add_argument(
        "--binary",
        action="store_true",
        help="bi-encoder: train for binary passage codes (the sign of each dimension) with BPR's two losses",
    )
    hashing.add_argument(
        "--hashnet_gamma",
        type=positive_float,
        default=hashing_default.gamma,
        help="the training-time hash is tanh(sqrt(1 + gamma * step) * v): how fast it approaches the sign",
    )
    hashing.add_argument(
        "--binary_margin",
        type=non_negative_float,
        default=hashing_default.margin,
        help="margin of the candidate loss (binary question code vs passage codes)",
    )
    hashing.add_argument(
        "--binary_loss_weight",
        type=non_negative_float,
        default=hashing_default.binary_weight,
        help="weight of the candidate loss (what the Hamming search finds)",
    )
    hashing.add_argument(
        "--dense_loss_weight",
        type=non_negative_float,
        default=hashing_default.dense_weight,
        help="weight of the reranking loss (continuous question vector vs passage codes: what rescoring orders by)",
    )

    adapters = parser.add_argument_group(
        "LoRA adapters (peft): train low-rank updates instead of every weight; merged into plain weights on save"
    )
    adapters.add_argument(
        "--lora_r",
        type=positive_int,
        default=None,
        help="train LoRA adapters of this rank, the pretrained weights frozen (default: train every weight); "
        "adapters usually want a higher --lr than full fine-tuning",
    )
    adapters.add_argument(
        "--lora_alpha", type=positive_float, default=None, help="LoRA scale numerator (default: 2 x r)"
    )
    adapters.add_argument(
        "--lora_target",
        type=comma_list,
        default=None,
        help="comma-separated names of the linear layers to adapt, or all-linear (default: peft's choice for the "
        "architecture: query,value for BERT)",
    )
    adapters.add_argument("--lora_dropout", type=fraction, default=0.0, help="dropout on the adapters' input")

    cross = parser.add_argument_group("cross-encoder")
    cross.add_argument("--group_size", type=group_size, default=8, help="candidates per question: 1 positive + G-1")
    cross.add_argument(
        "--negatives",
        default="in-batch",
        help="'in-batch' (other questions' positives), 'bm25' or 'dense' (mined by BM25 or by a trained bi-encoder) "
        "or a JSONL file like --hard_negatives",
    )
    cross.add_argument(
        "--teacher",
        default=None,
        help="a trained cross-encoder directory: learn its scores of each group (listwise distillation) instead of "
        "the gold labels; with --num_layers, a smaller reranker that ranks like it",
    )
    cross.add_argument(
        "--distillation_temperature",
        type=positive_float,
        default=1.0,
        help="softmax temperature of the teacher's and the student's scores under --teacher",
    )
    cross.add_argument(
        "--num_layers",
        type=positive_int,
        default=None,
        help="keep this many of --model's transformer layers, evenly spaced (a smaller, faster reranker; "
        "start from the teacher's directory to keep its trained weights)",
    )
    tuning = parser.add_argument_group(
        "weights tuned on the validation questions (rerank.py --fusion_weight auto / --rerank_weight auto)"
    )
    tuning.add_argument(
        "--tuning_top_k_retrieval",
        type=positive_int,
        default=TOP_K_RETRIEVAL,
        help="passages each first stage retrieves while tuning (as rerank.py's --top_k_retrieval: give both the same)",
    )
    tuning.add_argument(
        "--tuning_rerank_depth",
        type=count_auto_or_all,
        default="auto",
        help="the cross-encoder scores this many of each first stage's passages per validation question while "
        "tuning (as rerank.py's --rerank_depth, whose auto it shares on the training device: the same is best); "
        "the windows a candidate are rerank.py's --rerank_windows auto on that device",
    )
    tuning.add_argument(
        "--no_weight_tuning", action="store_true", help="save the encoder without tuned weights (auto: 0.5 and 1)"
    )
    mining = parser.add_argument_group("mined negatives ('bm25', 'dense') and BM25 for the tuned weights")
    mining.add_argument(
        "--negatives_from",
        default=None,
        help="directory holding bi_encoder/ for 'dense' negatives (default: --output_directory)",
    )
    mining.add_argument(
        "--mine_depth", type=positive_int, default=100, help="mined negatives are drawn from this many top passages"
    )
    add_bm25_tokenizer_flags(mining)

    checkpoints = parser.add_argument_group("checkpoints and logging")
    checkpoints.add_argument("--save_steps", type=positive_int, default=500, help="checkpoint every N steps")
    checkpoints.add_argument("--save_total_limit", type=positive_int, default=2, help="checkpoints kept")
    checkpoints.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    checkpoints.add_argument(
        "--allow_changed_settings",
        action="store_true",
        help="--resume even where flags differ from the resumed run's (train_config.json records what changed)",
    )
    checkpoints.add_argument("--logging_steps", type=positive_int, default=10, help="log loss and lr every N steps")
    checkpoints.add_argument("--quiet", action="store_true", help="no progress bar or per-step log lines")
    checkpoints.add_argument(
        "--report_to",
        nargs="+",
        choices=TRACKERS,
        default=["none"],
        help="also log to TensorBoard (event files in <encoder>_encoder/tensorboard/) and/or Weights & Biases "
        "(offline unless WANDB_MODE says otherwise; needs pip install wandb); log.jsonl is always written",
    )
    add_runtime_flags(parser)
    return parser


def chosen_loss(args: argparse.Namespace) -> str:
    from encoders.losses import LOSSES

    losses = LOSSES[args.encoder]
    if args.loss is None:
        return next(iter(losses))
    if args.loss not in losses:
        raise UserError(f"--loss {args.loss}: not a {args.encoder}-encoder loss (expected one of {', '.join(losses)})")
    return args.loss


def model_arguments(args: argparse.Namespace):
    from encoders.settings import BiEncoderSettings, EncoderSettings
    from training.settings import DistillationArguments, HashingArguments, ModelArguments

    lengths = {"max_query_length": args.max_query_length, "max_passage_length": args.max_passage_length}
    lengths["stride"] = args.stride
    hashing = None
    if args.encoder == "bi":
        settings = BiEncoderSettings(
            **lengths, pooling=args.pooling, shared_encoder=args.shared_encoder, binary=args.binary
        )
        if args.binary:
            hashing = HashingArguments(
                args.hashnet_gamma, args.binary_margin, args.binary_loss_weight, args.dense_loss_weight
            )
    else:
        settings = EncoderSettings(**lengths)
    distillation = None
    if args.encoder == "cross" and args.teacher is not None:
        distillation = DistillationArguments(args.teacher, args.distillation_temperature)
    return ModelArguments(
        args.encoder,
        args.model,
        settings,
        chosen_loss(args),
        args.trust_remote_code,
        hashing,
        lora_settings(args),
        args.num_layers if args.encoder == "cross" else None,
        distillation,
    )


def lora_settings(args: argparse.Namespace):
    from training.adapters import LoraSettings

    if args.lora_r is None:
        return None
    alpha = args.lora_alpha if args.lora_alpha is not None else 2.0 * args.lora_r
    target = tuple(args.lora_target) if args.lora_target else None
    return LoraSettings(args.lora_r, alpha, target, args.lora_dropout)


def data_arguments(args: argparse.Namespace):
    from data_utils import ColumnNames
    from training.settings import DataArguments

    columns = ColumnNames(
        question=args.question_column,
        context=args.context_column,
        id=args.id_column,
        answers=args.answers_column,
        document_id=args.document_id_column,
    )
    if args.qrels is None and (args.corpus is not None or args.validation_qrels is not None):
        given = "--corpus" if args.corpus is not None else "--validation_qrels"
        raise UserError(f"{given} needs --qrels (the judgements that name --train_data's positives in --corpus)")
    if args.qrels is not None and args.corpus is None:
        raise UserError("--qrels needs --corpus (the passages its judgements name by id)")
    return DataArguments(args.train_data, args.validation_data, columns, args.corpus, args.qrels, args.validation_qrels)


def negative_arguments(args: argparse.Namespace):
    from training.settings import NegativeArguments

    bi = args.encoder == "bi"
    source, flag = (args.hard_negatives, "--hard_negatives") if bi else (args.negatives, "--negatives")
    return NegativeArguments(
        source=source,
        flag=flag,
        per_question=args.num_hard_negatives,
        group_size=args.group_size,
        mine_depth=args.mine_depth,
        negatives_from=args.negatives_from,
        bm25_tokenizer=args.bm25_tokenizer,
        bm25_ngram=args.bm25_ngram,
        cross_device=bi and cross_device_negatives(args.negatives_cross_device),
    )


def cross_device_negatives(flag: bool | None) -> bool:
    """``--negatives_cross_device``: on by default under a distributed launch; asked for without one, a warning."""
    from data_utils import warn
    from runtime import launched_distributed

    launched = launched_distributed()
    if flag and not launched:
        warn("--negatives_cross_device does nothing without a distributed launch (torchrun --nproc_per_node N ...)")
    return launched if flag is None else flag and launched


def trainer_arguments(args: argparse.Namespace, runtime, has_validation_flag: bool):
    """The Trainer's arguments under the seed's flag names; ``output_dir`` is the encoder's checkpoints/."""
    from pathlib import Path

    from training.settings import RetrievalTrainingArguments

    encoder_directory = Path(args.output_directory) / f"{args.encoder}_encoder"
    return RetrievalTrainingArguments(
        output_dir=str(encoder_directory / "checkpoints"),
        encoder_directory=str(encoder_directory),
        resume=args.resume,
        allow_changed_settings=args.allow_changed_settings,
        quiet=args.quiet,
        precision=runtime.precision,
        device_name=str(runtime.device),
        learning_rate=args.lr,
        per_device_train_batch_size=args.train_batch_size or DEFAULT_BATCH_SIZE[args.encoder],
        per_device_eval_batch_size=args.eval_batch_size,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        weight_decay=args.weight_decay,
        warmup_steps=args.warmup_ratio,
        lr_scheduler_type="linear",
        max_grad_norm=args.max_grad_norm,
        activation_checkpointing=args.gradient_checkpointing,
        grad_cache_chunk_size=args.grad_cache_chunk_size if args.grad_cache and args.encoder == "bi" else 0,
        seed=args.seed,
        data_seed=args.seed,
        bf16=runtime.precision == "bf16",
        fp16=runtime.precision == "fp16",
        use_cpu=runtime.device.type == "cpu",
        eval_strategy="epoch" if has_validation_flag else "no",
        save_strategy="steps",
        save_steps=args.save_steps,
        save_total_limit=args.save_total_limit,
        logging_steps=args.logging_steps,
        logging_first_step=True,
        remove_unused_columns=False,
        dataloader_pin_memory=runtime.device.type == "cuda",
        report_to=[tracker for tracker in args.report_to if tracker == "wandb"] or "none",
        tensorboard="tensorboard" in args.report_to,
        disable_tqdm=args.quiet,
    )


def run_record(args: argparse.Namespace, model_arguments, negative_arguments, trainer_arguments) -> dict:
    """The run's settings as train_config.json records them: every flag as given, defaults resolved."""
    record = {key: value for key, value in vars(args).items() if key not in NOT_RECORDED}
    return {
        **record,
        "negatives_cross_device": negative_arguments.cross_device,
        "world_size": trainer_arguments.world_size,  # processes under torchrun; a batch is train_batch_size each
        "train_batch_size": trainer_arguments.per_device_train_batch_size,
        "loss": "bpr"
        if model_arguments.hashing
        else "distillation"
        if model_arguments.distillation
        else model_arguments.loss,
        "base_model": args.model,
        "precision_used": trainer_arguments.precision,
        **({"lora_alpha": model_arguments.lora.alpha} if model_arguments.lora else {}),
    }


def warn_unused_flags(argv: Sequence[str], encoder: str) -> None:
    """One warning line for each flag given that the chosen encoder does not use."""
    from data_utils import warn

    given = {token.split("=", 1)[0] for token in argv if token.startswith("--")}
    for other, flags in ONLY_FOR.items():
        if other != encoder:
            for flag in sorted(given.intersection(flags)):
                warn(f"{flag} does nothing with --encoder {encoder} (it is a {other}-encoder flag)")
    if "--binary" not in given:
        for flag in sorted(given.intersection(HASHING_FLAGS)):
            warn(f"{flag} does nothing without --binary (it is a knob of BPR's binary codes)")
    if "--teacher" not in given and "--distillation_temperature" in given:
        warn("--distillation_temperature does nothing without --teacher (it is a knob of distillation)")
    if "--teacher" in given and "--loss" in given:
        warn("--loss does nothing with --teacher (the student learns the teacher's scores, not the labels)")
    if "--lora_r" not in given:
        for flag in sorted(given.intersection(LORA_FLAGS)):
            warn(f"{flag} does nothing without --lora_r (it is a knob of the LoRA adapters)")


def prepare_trackers(args: argparse.Namespace) -> None:
    """Check that ``--report_to wandb`` can run, offline and beside the output unless the environment says
    otherwise (before any data is read: a missing package is one line, not a traceback after training)."""
    import importlib.util
    import os

    if "wandb" not in args.report_to:
        return
    if importlib.util.find_spec("wandb") is None:
        raise UserError("--report_to wandb: the wandb package is not installed (pip install wandb), or leave it out")
    os.environ.setdefault("WANDB_MODE", "offline")
    os.environ.setdefault("WANDB_DIR", str(Path(args.output_directory).resolve()))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    warn_unused_flags(argv, args.encoder)
    from runtime import Runtime, pin_single_gpu
    from training.run import train_encoder

    prepare_trackers(args)
    model, data, negatives = model_arguments(args), data_arguments(args), negative_arguments(args)
    runtime = Runtime.resolve(pin_single_gpu(args.device), args.precision)
    trainer = trainer_arguments(args, runtime, data.validation_data is not None or data.uses_default_data)
    record = run_record(args, model, negatives, trainer)
    output, train_data, validation = train_encoder(model, data, negatives, trainer, record)
    if trainer.process_index != 0:  # under torchrun: rank 0 saved the model and tunes the weights
        return 0
    print(f"saved {args.encoder}-encoder to {output}")
    if validation is not None and not args.no_weight_tuning:
        tune_weights(args, trainer.inference_runtime(), train_data, validation)
    return 0


def tune_weights(args: argparse.Namespace, runtime, train_data, validation) -> None:
    """Choose and save the weight rerank.py's ``auto`` will use (weight_tuning.py)."""
    from pathlib import Path

    from data_utils import warn
    from encoders.bi_encoder import tokenizer_directory
    from errors import UserError
    from retrieval.bm25_tokenizers import make_tokenizer
    from weight_tuning import WeightTuner, tune_after_training, tuning_depths

    bi_directory = Path(args.output_directory) / "bi_encoder"
    # rerank.py's BM25 over the bi-encoder's tokenizer (--bm25_tokenizer model) uses the saved bi-encoder's
    model_tokenizer = (
        tokenizer_directory(bi_directory) if (bi_directory / "train_config.json").is_file() else args.model
    )
    tokenizer = make_tokenizer(args.bm25_tokenizer, args.bm25_ngram, model_tokenizer)
    depth, windows = tuning_depths(args.tuning_rerank_depth, runtime.device.type, args.tuning_top_k_retrieval)
    tuner = WeightTuner(
        args.output_directory,
        train_data,
        validation,
        tokenizer,
        runtime,
        args.tuning_top_k_retrieval,
        depth,
        args.trust_remote_code,
        windows,
    )
    try:
        lines = tune_after_training(args.encoder, args.output_directory, tuner)
    except UserError as error:  # the encoder is saved and good; rerank.py's auto falls back to the fixed weights
        warn(f"the {args.encoder}-encoder is saved, but its weights were not tuned: {error}")
        return
    for line in lines:
        print(line)


if __name__ == "__main__":
    sys.exit(run_cli(main))
