"""One training run, from parsed flags to a saved encoder directory.

``train_encoder(args)`` loads the data, builds the model, hands the loop to the
Trainer (checkpoints under ``<output>/<encoder>_encoder/checkpoints/``, metrics in
``<output>/<encoder>_encoder/log.jsonl``) and saves the final model atomically.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import torch
from transformers import TrainingArguments, set_seed
from transformers.trainer_utils import get_last_checkpoint

from data_utils import ColumnNames, QAData, load_qa, warn
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.windows import truncate_text
from errors import UserError
from file_utils import ensure_writable_directory
from runtime import resolve_device, resolve_precision
from training.collators import BiEncoderCollator, CrossEncoderCollator
from training.examples import TrainingExample, WindowedCorpus, build_examples, read_negatives_file
from training.trainer import (
    EpochToCollator,
    JsonlLogCallback,
    RetrievalTrainer,
    StopOnInterrupt,
    bi_encoder_loss,
    cross_encoder_loss,
)
from training.validation import bi_encoder_evaluator, cross_encoder_evaluator

DEFAULT_DATA = "./data/train_dataset"


def columns_from(args: argparse.Namespace) -> ColumnNames:
    return ColumnNames(
        question=args.question_column, context=args.context_column, id=args.id_column, answers=args.answers_column
    )


def load_training_data(args: argparse.Namespace) -> tuple[QAData, QAData | None]:
    columns = columns_from(args)
    train = load_qa(args.train_data, columns, split="train")
    if args.validation_data is None:
        if args.train_data != DEFAULT_DATA:
            print("note: no --validation_data given; skipping validation")
            return train, None
        return train, load_qa(DEFAULT_DATA, columns, split="validation")
    return train, load_qa(args.validation_data, columns, split="validation")


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


def resume_checkpoint(args: argparse.Namespace, output: Path) -> str | None:
    """The last checkpoint for ``--resume``; a fresh run clears the previous run's checkpoints and log."""
    checkpoints = output / "checkpoints"
    last = get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None
    if args.resume:
        if last is None:
            raise UserError(f"--resume: no checkpoint in {checkpoints}; run without --resume to start afresh")
        print(f"resuming from {last}")
        return last
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
    if interrupt.interrupted:
        raise KeyboardInterrupt
    last_eval = [entry for entry in trainer.state.log_history if any(k.startswith("eval_") for k in entry)]
    return {k: v for k, v in (last_eval[-1] if last_eval else {}).items() if k.startswith("eval_")}


def train_bi_encoder(args: argparse.Namespace, device: torch.device, precision: str) -> Path:
    train, validation = load_training_data(args)
    set_seed(args.seed)
    model = BiEncoder.build(args.model, args.shared_encoder, args.pooling, args.trust_remote_code)
    tokens = passage_tokens(model.tokenizer, args.max_passage_length, pair=False)
    windows = WindowedCorpus(train.corpus, model.tokenizer, tokens, args.stride)
    negatives = read_negatives_file(args.hard_negatives, train, "--hard_negatives") if args.hard_negatives else None
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
    negatives = None if args.negatives == "in-batch" else read_negatives_file(args.negatives, train, "--negatives")
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
    return output


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
