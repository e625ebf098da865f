"""One training run, from parsed flags to a saved encoder directory.

``train_encoder(args)`` loads the data, builds the model, hands the loop to the
Trainer (checkpoints under ``<output>/<encoder>_encoder/checkpoints/``, metrics in
``<output>/<encoder>_encoder/log.jsonl``) and saves the final model atomically.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from transformers import PrinterCallback, TrainingArguments, set_seed
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint

from data_utils import ColumnNames, QAData, load_qa, warn
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.windows import truncate_text
from errors import UserError
from file_utils import ensure_writable_directory
from runtime import resolve_device, resolve_precision
from training.collators import BiEncoderCollator, CrossEncoderCollator
from training.examples import TrainingExample, WindowedCorpus, build_examples, read_negatives_file
from training.mining import mine_bm25_negatives, mine_dense_negatives
from training.trainer import (
    EpochToCollator,
    JsonlLogCallback,
    RetrievalTrainer,
    StopOnInterrupt,
    bi_encoder_loss,
    cross_encoder_loss,
)
from training.validation import bi_encoder_evaluator, cross_encoder_evaluator, no_better_than_chance

DEFAULT_DATA = "./data/train_dataset"


def columns_from(args: argparse.Namespace) -> ColumnNames:
    return ColumnNames(
        question=args.question_column, context=args.context_column, id=args.id_column, answers=args.answers_column
    )


def load_training_data(args: argparse.Namespace) -> tuple[QAData, QAData | None]:
    columns = columns_from(args)
    train = load_qa(args.train_data, columns, split="train", flag="--train_data")
    if args.validation_data is None:
        if args.train_data != DEFAULT_DATA:
            print("note: no --validation_data given; skipping validation")
            return train, None
        return train, load_qa(DEFAULT_DATA, columns, split="validation", flag="--validation_data")
    return train, load_qa(args.validation_data, columns, split="validation", flag="--validation_data")


def passage_tokens(tokenizer, max_length: int, pair: bool) -> int:
    """Passage tokens per window: the sequence budget less the special tokens around it."""
    return max_length - tokenizer.num_special_tokens_to_add(pair=pair)


def training_arguments(args: argparse.Namespace, output: Path, device: torch.device, precision: str, has_eval: bool):
    return TrainingArguments(
        output_dir=str(output / "checkpoints"),
        learning_rate=args.lr,
        per_device_train_batch_size=args.train_batch_size,
        per_device_eval_batch_size=args.eval_batch_size,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        weight_decay=args.weight_decay,
        warmup_steps=args.warmup_ratio,
        lr_scheduler_type="linear",
        max_grad_norm=args.max_grad_norm,
        seed=args.seed,
        data_seed=args.seed,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=device.type == "cpu",
        eval_strategy="epoch" if has_eval else "no",
        save_strategy="steps",
        save_steps=args.save_steps,
        save_total_limit=args.save_total_limit,
        logging_steps=args.logging_steps,
        logging_first_step=True,
        remove_unused_columns=False,
        dataloader_pin_memory=device.type == "cuda",
        report_to="none",
        disable_tqdm=args.quiet,
    )


def checkpoint_is_complete(checkpoint: Path) -> bool:
    """The Trainer writes ``trainer_state.json`` last: a checkpoint without a readable one was cut short."""
    try:
        state = json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(state, dict) and "global_step" in state


def last_complete_checkpoint(checkpoints: Path) -> str | None:
    """The newest complete checkpoint; newer ones left incomplete by a killed run are removed."""
    found = []
    for path in checkpoints.iterdir() if checkpoints.is_dir() else ():
        step = path.name.removeprefix(f"{PREFIX_CHECKPOINT_DIR}-")
        if path.is_dir() and step.isdigit():
            found.append((int(step), path))
    for _, path in sorted(found, reverse=True):
        if checkpoint_is_complete(path):
            return str(path)
        warn(f"--resume: {path} is incomplete (the run stopped while saving it); removing it")
        shutil.rmtree(path)
    return None


def resume_checkpoint(args: argparse.Namespace, output: Path) -> str | None:
    """The last checkpoint for ``--resume``; a fresh run clears the previous run's checkpoints and log."""
    checkpoints = output / "checkpoints"
    if args.resume:
        last = last_complete_checkpoint(checkpoints)
        if last is None:
            raise UserError(f"--resume: no checkpoint in {checkpoints}; run without --resume to start afresh")
        print(f"resuming from {last}")
        return last
    last = get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None
    if last is not None:
        print(f"note: starting afresh; removing the previous run's checkpoints in {checkpoints}")
        shutil.rmtree(checkpoints)
    (output / "log.jsonl").unlink(missing_ok=True)  # a fresh run starts a fresh log
    return None


def settings_of(args: argparse.Namespace, train: QAData, precision: str) -> dict:
    settings = {key: value for key, value in vars(args).items() if key not in ("debug", "quiet")}
    settings.update(base_model=args.model, precision_used=precision, train_data_fingerprint=train.fingerprint())
    return settings


def run_trainer(trainer: RetrievalTrainer, checkpoint: str | None, interrupt: StopOnInterrupt) -> dict:
    trainer.train(resume_from_checkpoint=checkpoint)
    # A Ctrl-C during or after the last step stops nothing: the run is complete and is saved as usual.
    if interrupt.interrupted and trainer.state.global_step < trainer.state.max_steps:
        saved = Path(trainer.args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{trainer.state.global_step}"
        raise KeyboardInterrupt(f"checkpoint saved in {saved}; add --resume to the same command to continue")
    last_eval = [entry for entry in trainer.state.log_history if any(k.startswith("eval_") for k in entry)]
    return {k: v for k, v in (last_eval[-1] if last_eval else {}).items() if k.startswith("eval_")}


def train_bi_encoder(args: argparse.Namespace, device: torch.device, precision: str) -> Path:
    train, validation = load_training_data(args)
    set_seed(args.seed)
    model = BiEncoder.build(args.model, args.shared_encoder, args.pooling, args.trust_remote_code)
    tokens = passage_tokens(model.tokenizer, args.max_passage_length, pair=False)
    windows = WindowedCorpus(train.corpus, model.tokenizer, tokens, args.stride)
    negatives = load_negatives(args.hard_negatives, "--hard_negatives", train, args, device, precision)
    examples = build_examples(train, windows, negatives)
    collator = BiEncoderCollator(
        model.tokenizer, windows, args.max_query_length, args.max_passage_length, args.num_hard_negatives, args.seed
    )
    evaluator = None
    if validation is not None:
        validation_windows = WindowedCorpus(validation.corpus, model.tokenizer, tokens, args.stride)
        evaluator = bi_encoder_evaluator(
            validation,
            validation_windows,
            args.max_query_length,
            args.max_passage_length,
            args.eval_batch_size,
            precision,
        )
    output = Path(args.output_directory) / "bi_encoder"
    metrics = fit(args, output, model, examples, collator, bi_encoder_loss, evaluator, validation, device, precision)
    model.save(output, {**settings_of(args, train, precision), "final_metrics": metrics}, args.max_passage_length)
    return output


def train_cross_encoder(args: argparse.Namespace, device: torch.device, precision: str) -> Path:
    train, validation = load_training_data(args)
    set_seed(args.seed)
    encoder = CrossEncoder.build(args.model, args.trust_remote_code)
    tokenizer = encoder.tokenizer
    if args.group_size > args.train_batch_size and args.negatives == "in-batch":
        warn(
            f"--group_size {args.group_size} > --train_batch_size {args.train_batch_size}: in-batch negatives "
            f"give each group at most {args.train_batch_size - 1} negatives"
        )
    tokens = passage_tokens(tokenizer, args.max_passage_length, pair=True)
    max_length = args.max_query_length + args.max_passage_length
    windows = WindowedCorpus(train.corpus, tokenizer, tokens, args.stride)
    negatives = load_negatives(args.negatives, "--negatives", train, args, device, precision)
    examples = truncate_questions(build_examples(train, windows, negatives), tokenizer, args.max_query_length)
    collator = CrossEncoderCollator(tokenizer, windows, max_length, args.group_size, args.seed)
    evaluator = None
    if validation is not None:
        validation_windows = WindowedCorpus(validation.corpus, tokenizer, tokens, args.stride)
        evaluator = cross_encoder_evaluator(
            validation,
            validation_windows,
            tokenizer,
            args.group_size,
            max_length,
            args.eval_batch_size,
            precision,
            args.seed,
        )
    output = Path(args.output_directory) / "cross_encoder"
    loss = cross_encoder_loss(args.loss)
    metrics = fit(args, output, encoder.model, examples, collator, loss, evaluator, validation, device, precision)
    encoder.save(output, {**settings_of(args, train, precision), "max_length": max_length, "final_metrics": metrics})
    top1, chance = metrics.get("eval_top1"), metrics.get("eval_chance_top1")
    if top1 is not None and chance is not None and no_better_than_chance(top1, chance, len(validation.questions)):
        warn(
            f"the cross-encoder ranks the positive first for {top1:.3f} of the validation questions, no better than "
            f"guessing ({chance:.3f}): it has not learned to rerank yet. "
            "Train longer or with a higher --lr: its loss stays near ln(--group_size) until it starts to learn "
            "(on KorQuAD from all-MiniLM-L6-v2: 200 steps at 3e-5 stayed there, at 1e-4 it left after about 50)"
        )
    return output


def load_negatives(
    spec: str | None, flag: str, train: QAData, args: argparse.Namespace, device: torch.device, precision: str
) -> dict[str, list[str]] | None:
    """Negatives per question: none (``in-batch``), mined by BM25 (``bm25``) or by a trained bi-encoder
    (``dense``), or read from a file."""
    if spec in (None, "in-batch"):
        return None
    if spec == "bm25":
        from retrieval.bm25_tokenizers import make_tokenizer

        tokenizer = make_tokenizer(args.bm25_tokenizer, args.bm25_ngram, args.model)
        return mine_bm25_negatives(Path(args.output_directory) / "index", train, args.mine_depth, tokenizer)
    if spec == "dense":
        bi_directory = Path(args.negatives_from or args.output_directory) / "bi_encoder"
        if not bi_directory.is_dir():
            raise UserError(
                f"{flag} dense: no bi-encoder in {bi_directory.parent}; train one first "
                f"(python train.py --encoder bi --output_directory {bi_directory.parent}) or pass --negatives_from DIR"
            )
        return mine_dense_negatives(bi_directory, train, args.mine_depth, args.eval_batch_size, device, precision)
    return read_negatives_file(spec, train, flag)


def truncate_questions(examples: list[TrainingExample], tokenizer, max_tokens: int) -> list[TrainingExample]:
    texts = truncate_text(tokenizer, [example.question for example in examples], max_tokens)
    return [
        TrainingExample(e.question_id, text, e.positive_id, e.positive_text, e.gold_ids, e.negative_ids)
        for e, text in zip(examples, texts)
    ]


def fit(args, output: Path, model, examples, collator, loss, evaluator, validation, device, precision) -> dict:
    """Run the Trainer (resuming if asked); return the last validation metrics."""
    ensure_writable_directory(output)
    checkpoint = resume_checkpoint(args, output)
    interrupt = StopOnInterrupt()
    trainer = RetrievalTrainer(
        model=model,
        args=training_arguments(args, output, device, precision, evaluator is not None),
        train_dataset=examples,
        eval_dataset=None if validation is None else validation.questions,
        data_collator=collator,
        loss_function=loss,
        evaluator=evaluator,
        callbacks=[JsonlLogCallback(output / "log.jsonl"), EpochToCollator(collator), interrupt],
    )
    if args.quiet:  # no progress bar and no per-step printing; log.jsonl still gets everything
        trainer.remove_callback(PrinterCallback)
    return run_trainer(trainer, checkpoint, interrupt)


def train_encoder(args: argparse.Namespace) -> Path:
    device = resolve_device(args.device)
    precision = resolve_precision(args.precision, device)
    if device.type == "cuda" and device.index is not None:
        torch.cuda.set_device(device)
    ensure_writable_directory(args.output_directory)
    if args.encoder == "bi":
        return train_bi_encoder(args, device, precision)
    return train_cross_encoder(args, device, precision)
