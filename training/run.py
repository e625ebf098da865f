"""One training run, from typed settings to a saved encoder directory.

``train_encoder`` loads the data, builds the model, hands the loop to the Trainer
(checkpoints under ``<output>/<encoder>_encoder/checkpoints/``, metrics in
``<output>/<encoder>_encoder/log.jsonl``) and saves the final model atomically.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import torch
from transformers import PrinterCallback, TrainerCallback, set_seed
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from data_utils import QAData, load_judged_qa, load_qa, warn
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from errors import UserError
from file_utils import ensure_writable_directory
from mapped_corpus import open_corpus
from training.adapters import LoraAdapters, add_lora, trainable_parameters
from training.checkpoints import has_complete_checkpoint, holds_non_finite_weights, resume_checkpoint
from training.collators import BiEncoderCollator, CrossEncoderCollator
from training.distillation import keep_layers, load_teacher
from training.distributed import barrier, leave_process_group
from training.examples import TrainingExample, build_examples, read_negatives_file
from training.grad_cache import GradCache
from training.memory import fit_to_gpu
from training.mining import mine_bm25_negatives, mine_dense_negatives
from training.previous_run import PreviousRun, changes_on_resume, record_run, recover_killed_runs
from training.settings import DEFAULT_DATA, DataArguments, ModelArguments, NegativeArguments, RetrievalTrainingArguments
from training.trainer import (
    EpochToCollator,
    JsonlLogCallback,
    RetrievalTrainer,
    StopOnInterrupt,
    StopOnNonFiniteLoss,
    bi_encoder_loss,
    cross_encoder_distillation,
    cross_encoder_loss,
)
from training.validation import bi_encoder_evaluator, cross_encoder_evaluator, no_better_than_chance


def load_training_data(data: DataArguments) -> tuple[QAData, QAData | None]:
    if data.qrels is not None:
        return load_judged_training_data(data)
    train = load_qa(data.train_data, data.columns, split="train", flag="--train_data")
    if data.validation_data is None:
        if not data.uses_default_data:
            print("note: no --validation_data given; skipping validation")
            return train, None
        return train, load_qa(DEFAULT_DATA, data.columns, split="validation", flag="--validation_data")
    return train, load_qa(data.validation_data, data.columns, split="validation", flag="--validation_data")


def load_judged_training_data(data: DataArguments) -> tuple[QAData, QAData | None]:
    """MS MARCO / TREC training data: queries, one corpus and qrels naming its passages by id."""
    corpus = open_corpus(data.corpus)
    train = load_judged_qa(data.train_data, corpus, data.corpus, data.qrels, ("--train_data", "--qrels"))
    if data.validation_data is None:
        print("note: no --validation_data given; skipping validation")
        return train, None
    if data.validation_qrels is None:
        return train, load_qa(data.validation_data, data.columns, split="validation", flag="--validation_data")
    flags = ("--validation_data", "--validation_qrels")
    return train, load_judged_qa(data.validation_data, corpus, data.corpus, data.validation_qrels, flags)


def run_trainer(
    trainer: RetrievalTrainer, checkpoint: str | None, interrupt: StopOnInterrupt, loss_watch: StopOnNonFiniteLoss
) -> dict:
    trainer.train(resume_from_checkpoint=checkpoint)
    if loss_watch.diverged:
        resumed_at = int(checkpoint.rsplit("-", 1)[-1]) if checkpoint else 0
        for path in Path(trainer.args.output_dir).glob(f"{PREFIX_CHECKPOINT_DIR}-*"):
            if trainer.args.process_index == 0 and int(path.name.rsplit("-", 1)[-1]) > resumed_at:
                shutil.rmtree(path)  # this run's: nothing worth resuming from
        raise UserError(
            f"training diverged: the loss was NaN or inf at {loss_watch.patience} logged steps in a row (step "
            f"{trainer.state.global_step}); nothing was saved; try a lower --lr, fp32 (--precision fp32) or "
            "check the data"
        )
    # A Ctrl-C during or after the last step stops nothing: the run is complete and is saved as usual.
    if interrupt.interrupted and trainer.state.global_step < trainer.state.max_steps:
        saved = Path(trainer.args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{trainer.state.global_step}"
        raise KeyboardInterrupt(f"checkpoint saved in {saved}; add --resume to the same command to continue")
    last_eval = [entry for entry in trainer.state.log_history if any(k.startswith("eval_") for k in entry)]
    return {k: v for k, v in (last_eval[-1] if last_eval else {}).items() if k.startswith("eval_")}


def train_bi_encoder(
    model_args: ModelArguments,
    data: DataArguments,
    negatives: NegativeArguments,
    args: RetrievalTrainingArguments,
    start: Callable[[], None],
) -> tuple[BiEncoder, QAData, QAData | None, dict]:
    train, validation = load_training_data(data)
    set_seed(args.seed)
    model = BiEncoder.build(model_args.model, model_args.settings, model_args.trust_remote_code)
    adapters = adapt(model_args, model, [model.question_model, model.passage_encoder])
    windows = model.windows(train.corpus).prepare()
    with args.main_process_first(desc="mining negatives"):  # rank 0 mines and caches them, the others read that
        examples = build_examples(train, windows, load_negatives(negatives, train, model_args, args))
    settings = model.settings
    collator = BiEncoderCollator(
        model.tokenizer,
        windows,
        settings.max_query_length,
        settings.max_passage_length,
        negatives.per_question,
        args.seed,
    )
    question_batch = args.per_device_train_batch_size
    passage_batch = question_batch * (1 + negatives.per_question)
    shapes = [(question_batch, settings.max_query_length), (passage_batch, settings.max_passage_length)]
    modules = [model.question_model] if model.shared else [model.question_model, model.passage_model]
    fit_to_gpu(model, modules, model.question_model.config, shapes, args.inference_runtime().device)
    evaluator = None
    if validation is not None:
        evaluator = bi_encoder_evaluator(validation, model.windows(validation.corpus), args.inference_runtime())
    loss = bi_encoder_loss(model_args.loss, model_args.hashing, negatives.cross_device)
    metrics = fit(args, model, examples, collator, loss, evaluator, validation, start)
    if adapters:
        adapters.merge()
    return model, train, validation, metrics


def train_cross_encoder(
    model_args: ModelArguments,
    data: DataArguments,
    negatives: NegativeArguments,
    args: RetrievalTrainingArguments,
    start: Callable[[], None],
) -> tuple[CrossEncoder, QAData, QAData | None, dict]:
    train, validation = load_training_data(data)
    set_seed(args.seed)
    encoder = CrossEncoder.build(model_args.model, model_args.settings, model_args.trust_remote_code)
    if model_args.num_layers is not None:
        total = encoder.model.config.num_hidden_layers
        kept = keep_layers(encoder.model, model_args.num_layers, model_args.model)
        print(f"note: the cross-encoder keeps layers {', '.join(map(str, kept))} of the {total} of {model_args.model}")
    adapters = adapt(model_args, encoder.model, [encoder.model])
    batch_size = args.per_device_train_batch_size
    if negatives.group_size > batch_size and negatives.source in (None, "in-batch"):
        warn(
            f"--group_size {negatives.group_size} > --train_batch_size {batch_size}: in-batch negatives "
            f"give each group at most {batch_size - 1} negatives"
        )
    windows = encoder.windows(train.corpus).prepare()
    with args.main_process_first(desc="mining negatives"):
        examples = build_examples(train, windows, load_negatives(negatives, train, model_args, args))
    examples = truncate_questions(examples, encoder)
    collator = CrossEncoderCollator(
        encoder.tokenizer, windows, encoder.settings.max_pair_length, negatives.group_size, args.seed
    )
    shapes = [(args.per_device_train_batch_size * negatives.group_size, encoder.settings.max_pair_length)]
    fit_to_gpu(encoder.model, [encoder.model], encoder.model.config, shapes, args.inference_runtime().device)
    evaluator = None
    if validation is not None:
        validation_windows = encoder.windows(validation.corpus)
        evaluator = cross_encoder_evaluator(
            validation, validation_windows, encoder, negatives.group_size, args.inference_runtime(), args.seed
        )
    loss = cross_encoder_loss(model_args.loss)
    if model_args.distillation is not None:
        device, trust = args.inference_runtime().device, model_args.trust_remote_code
        teacher = load_teacher(model_args.distillation.teacher, encoder, device, trust)
        loss = cross_encoder_distillation(teacher, model_args.distillation.temperature)
    metrics = fit(args, encoder.model, examples, collator, loss, evaluator, validation, start)
    if adapters:
        adapters.merge()
    top1, chance = metrics.get("eval_top1"), metrics.get("eval_chance_top1")
    if top1 is not None and chance is not None and no_better_than_chance(top1, chance, len(validation.questions)):
        warn(
            f"the cross-encoder ranks the positive first for {top1:.3f} of the validation questions, no better than "
            f"guessing ({chance:.3f}): it has not learned to rerank yet. "
            "Train longer or with a higher --lr: its loss stays near ln(--group_size) until it starts to learn "
            "(on KorQuAD from all-MiniLM-L6-v2: 200 steps at 3e-5 stayed there, at 1e-4 it left after about 50)"
        )
    return encoder, train, validation, metrics


def adapt(model_args: ModelArguments, model: torch.nn.Module, models: list[torch.nn.Module]) -> LoraAdapters | None:
    """With ``--lora_r``: LoRA adapters in ``models`` (the parts of ``model`` that hold pretrained weights), said
    in one line."""
    if model_args.lora is None:
        return None
    adapters = add_lora(models, model_args.lora)
    trainable, total = trainable_parameters(model)
    print(
        f"note: LoRA (r={model_args.lora.rank}, alpha={model_args.lora.alpha:g}) trains {trainable:,} of "
        f"{total:,} parameters ({trainable / total:.2%}); the adapters are merged into the weights on save"
    )
    return adapters


def load_negatives(
    negatives: NegativeArguments, train: QAData, model_args: ModelArguments, args: RetrievalTrainingArguments
) -> dict[str, list[str]] | None:
    """Negatives per question: none (``in-batch``), mined by BM25 (``bm25``) or by a trained bi-encoder
    (``dense``), or read from a file."""
    if negatives.source in (None, "in-batch"):
        return None
    if negatives.source == "bm25":
        from retrieval.bm25_tokenizers import make_tokenizer

        tokenizer = make_tokenizer(negatives.bm25_tokenizer, negatives.bm25_ngram, model_args.model)
        return mine_bm25_negatives(args.output_root / "index", train, negatives.mine_depth, tokenizer)
    if negatives.source == "dense":
        bi_directory = Path(negatives.negatives_from or args.output_root) / "bi_encoder"
        if not bi_directory.is_dir():
            raise UserError(
                f"{negatives.flag} dense: no bi-encoder in {bi_directory.parent}; train one first "
                f"(python train.py --encoder bi --output_directory {bi_directory.parent}) or pass --negatives_from DIR"
            )
        runtime, trust = args.inference_runtime(), model_args.trust_remote_code
        return mine_dense_negatives(bi_directory, train, negatives.mine_depth, runtime, trust)
    return read_negatives_file(negatives.source, train, negatives.flag)


def truncate_questions(examples: list[TrainingExample], encoder: CrossEncoder) -> list[TrainingExample]:
    texts = encoder.truncate_questions([example.question for example in examples])
    return [
        TrainingExample(e.question_id, text, e.positive_id, e.positive_text, e.gold_ids, e.negative_ids)
        for e, text in zip(examples, texts)
    ]


def tensorboard_callbacks(args: RetrievalTrainingArguments) -> list[TrainerCallback]:
    """The Trainer's TensorBoard logger, writing into ``<encoder>/tensorboard/`` (kept with the model, set aside
    with the rest of a previous run's state) unless ``TENSORBOARD_LOGGING_DIR`` names another place. Its writer
    opens at the first step, after the previous run's state was set aside."""
    if not args.tensorboard:
        return []
    from transformers.integrations import TensorBoardCallback

    callback = TensorBoardCallback()
    callback.logging_dir = callback.logging_dir or str(Path(args.encoder_directory) / "tensorboard")
    return [callback]


def fit(args: RetrievalTrainingArguments, model, examples, collator, loss, evaluator, validation, start) -> dict:
    """Run the Trainer (resuming if asked; ``start()`` right before it trains); return the last validation
    metrics."""
    output = Path(args.encoder_directory)
    checkpoint = resume_checkpoint(args.resume, output)
    start()
    interrupt, loss_watch = StopOnInterrupt(), StopOnNonFiniteLoss()
    chunk = args.grad_cache_chunk_size
    trainer = RetrievalTrainer(
        grad_cache=GradCache(loss, chunk) if chunk else None,
        model=model,
        args=args,
        train_dataset=examples,
        eval_dataset=None if validation is None else validation.questions,
        data_collator=collator,
        loss_function=loss,
        evaluator=evaluator,
        callbacks=[
            *([loss] if isinstance(loss, TrainerCallback) else []),  # a loss that logs: before the log file
            JsonlLogCallback(output / "log.jsonl"),
            *tensorboard_callbacks(args),
            EpochToCollator(collator),
            interrupt,
            loss_watch,
        ],
    )
    if args.quiet:  # no progress bar and no per-step printing; log.jsonl still gets everything
        trainer.remove_callback(PrinterCallback)
    return run_trainer(trainer, checkpoint, interrupt, loss_watch)


def refuse_diverged_weights(model: torch.nn.Module, output: Path, main: bool = True) -> None:
    """Refuse to save a model whose training diverged: NaN or inf weights would replace a good saved model.
    The run's checkpoints that hold such weights go too (nothing can resume from them; removed by the ``main``
    rank); earlier ones stay."""
    tensors = dict(model.named_parameters())
    broken = [name for name, tensor in tensors.items() if not torch.isfinite(tensor).all()]
    if broken:
        for checkpoint in (output / "checkpoints").glob(f"{PREFIX_CHECKPOINT_DIR}-*") if main else ():
            if holds_non_finite_weights(checkpoint):
                shutil.rmtree(checkpoint)
        raise UserError(
            f"training diverged: {len(broken)} of {len(tensors)} weight tensors hold NaN or inf (first: {broken[0]}); "
            f"nothing was saved to {output}; try a lower --lr or --max_grad_norm"
        )


def train_encoder(
    model_args: ModelArguments,
    data: DataArguments,
    negatives: NegativeArguments,
    args: RetrievalTrainingArguments,
    run_record: dict,
) -> tuple[Path, QAData, QAData | None]:
    """Train the encoder ``model_args`` names and save it with ``run_record`` (train_config.json) beside it;
    return (its directory, the training data, the validation data if any).

    Under ``torchrun`` every rank trains; only rank 0 touches the encoder directory (the previous run's state,
    the run record, the final model), the other ranks waiting for it where they would read what it writes."""
    device = args.inference_runtime().device
    if device.type == "cuda" and device.index is not None:
        torch.cuda.set_device(device)
    main = args.process_index == 0  # (starts the process group under a distributed launch)
    ensure_writable_directory(args.output_root)
    output = ensure_writable_directory(args.encoder_directory)
    train = train_bi_encoder if model_args.encoder == "bi" else train_cross_encoder
    if main:
        recover_killed_runs(output, replaced=lambda: has_complete_checkpoint(output))
    barrier()
    if args.resume:
        changed = changes_on_resume(output, run_record, args.allow_changed_settings)
        run_record = {**run_record, **({"changed_on_resume": changed} if changed else {})}
    previous = PreviousRun(output, fresh=main and not args.resume, replaced=lambda: has_complete_checkpoint(output))

    def start() -> None:  # right before the first step: a run that fails on its data or model touches nothing
        previous.set_aside()
        if main and not args.resume:
            record_run(output, run_record)
        barrier()

    with previous:
        encoder, train_data, validation, metrics = train(model_args, data, negatives, args, start)
        refuse_diverged_weights(encoder.model if isinstance(encoder, CrossEncoder) else encoder, output, main)
        record = {**run_record, "train_data_fingerprint": train_data.fingerprint(), "final_metrics": metrics}
        record.update(train_questions=len(train_data.questions), train_passages=len(train_data.corpus))
        if main:
            encoder.save(output, record)
    leave_process_group()
    return output, train_data, validation
