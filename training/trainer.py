"""The Hugging Face Trainer with our losses, our validation, a JSONL log and a clean stop on Ctrl-C.

The Trainer does the loop: AdamW, linear warmup, gradient accumulation, clipping,
mixed precision, checkpoints and resume. We add only what is ours: how a batch
becomes a loss, what validation measures, and where metrics are written.
"""

from __future__ import annotations

import json
import math
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors import SafetensorError
from transformers import Trainer, TrainerCallback
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from encoders.hashing import hash_scale
from encoders.losses import BI_ENCODER_LOSSES, CROSS_ENCODER_LOSSES, binary_passage_loss, distillation_loss
from file_utils import naming_path
from training.distributed import any_rank, gather_batch, is_distributed
from training.grad_cache import GradCache
from training.settings import HashingArguments


def bi_encoder_loss(kind: str, hashing: HashingArguments | None = None, cross_device: bool = False) -> BiEncoderLoss:
    """(model, batch of ``BiEncoderCollator``) -> the loss ``kind`` of ``BI_ENCODER_LOSSES``, or BPR's
    (``BinaryPassageLoss``) for a binary bi-encoder; over every rank's batch with ``cross_device``."""
    if hashing is not None:
        return BinaryPassageLoss(hashing, cross_device)
    return BiEncoderLoss(BI_ENCODER_LOSSES[kind], cross_device)


class BiEncoderLoss:
    """A bi-encoder loss in two parts: ``of_vectors`` (the loss of a batch's question and passage vectors, which
    GradCache calls on vectors it embedded chunk by chunk) and ``__call__`` (embed the batch, then that).

    ``cross_device``: under ``torchrun``, every rank's questions and passages enter one loss (each question
    sees every rank's passages as negatives; ``training.distributed.gather_batch``); the loss is then the
    loss of the whole world's batch, the same on every rank. Outside a process group it changes nothing.
    """

    def __init__(self, vector_loss: Callable, cross_device: bool = False):
        self.vector_loss = vector_loss
        self.cross_device = cross_device

    def of_vectors(self, question_vectors: torch.Tensor, passage_vectors: torch.Tensor, inputs: dict) -> torch.Tensor:
        if self.cross_device and is_distributed():
            return self.vector_loss(*gather_batch(question_vectors, passage_vectors, inputs))
        return self.vector_loss(question_vectors, passage_vectors, inputs["targets"], inputs["ignore_mask"])

    def __call__(self, model, inputs: dict) -> torch.Tensor:
        return self.of_vectors(*model(inputs["question_inputs"], inputs["passage_inputs"]), inputs)


class BinaryPassageLoss(BiEncoderLoss, TrainerCallback):
    """BPR's loss (``binary_passage_loss``) at the hash slope of the current optimizer step, which this callback
    learns from the Trainer (a resumed run continues the schedule). It also adds ``hash_scale`` to the logged
    training losses, so it must come before ``JsonlLogCallback``."""

    def __init__(self, hashing: HashingArguments, cross_device: bool = False):
        super().__init__(self.binary_loss, cross_device)
        self.hashing = hashing
        self.step = 0

    @property
    def scale(self) -> float:
        return hash_scale(self.step, self.hashing.gamma)

    def binary_loss(self, question_vectors, passage_vectors, targets, ignore_mask) -> torch.Tensor:
        return binary_passage_loss(
            question_vectors,
            passage_vectors,
            targets,
            ignore_mask,
            scale=self.scale,
            margin=self.hashing.margin,
            binary_weight=self.hashing.binary_weight,
            dense_weight=self.hashing.dense_weight,
        )

    def on_step_begin(self, args, state, control, **kwargs):
        self.step = state.global_step

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is not None and "loss" in logs:
            logs["hash_scale"] = round(self.scale, 4)


def group_scores(model, inputs: dict) -> torch.Tensor:
    """[questions, group size] scores of a ``CrossEncoderCollator`` batch (0 where a group has fewer pairs)."""
    logits = model(**inputs["pair_inputs"]).logits[:, 0]
    valid = inputs["valid_mask"]
    return logits.new_zeros(valid.numel()).index_copy(0, inputs["positions"], logits).view_as(valid)


def cross_encoder_loss(kind: str) -> Callable:
    """(model, batch of ``CrossEncoderCollator``) -> the loss ``kind`` of ``CROSS_ENCODER_LOSSES``."""
    group_loss = CROSS_ENCODER_LOSSES[kind]

    def loss(model, inputs: dict) -> torch.Tensor:
        return group_loss(group_scores(model, inputs), inputs["valid_mask"])

    return loss


def cross_encoder_distillation(teacher: torch.nn.Module, temperature: float) -> Callable:
    """(model, batch) -> ``distillation_loss`` against a frozen ``teacher`` cross-encoder that scores the same
    pairs (``train.py --teacher``); the teacher sits on the model's device, in eval mode, outside the graph."""

    def loss(model, inputs: dict) -> torch.Tensor:
        with torch.no_grad():
            teacher_scores = group_scores(teacher, inputs)
        return distillation_loss(group_scores(model, inputs), teacher_scores, inputs["valid_mask"], temperature)

    return loss


class RetrievalTrainer(Trainer):
    """A Trainer whose loss is a function of (model, batch) and whose evaluation is a ranking evaluator."""

    def __init__(
        self,
        *args,
        loss_function: Callable,
        evaluator: Callable | None = None,
        grad_cache: GradCache | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if self.args.n_gpu > 1:  # DataParallel: no autocast, unscaled fp16 gradients, question/passage dicts split
            raise RuntimeError("several GPUs in one process; train.py pins one (runtime.pin_single_gpu), use torchrun")
        self.loss_function = loss_function
        self.evaluator = evaluator
        self.grad_cache = grad_cache
        self.loss_is_scaled_for_ga = False

    def training_step(self, model, inputs, num_items_in_batch=None) -> torch.Tensor:
        """The Trainer's step, or with GradCache its chunked one: the same loss scaling for gradient accumulation
        (the loss is divided by the steps accumulated) and the same ``accelerator.backward`` (mixed precision)."""
        if self.grad_cache is None:
            return super().training_step(model, inputs, num_items_in_batch)
        model.train()
        inputs = self._prepare_inputs(inputs)
        share = 1.0 / self.current_gradient_accumulation_steps
        with self.compute_loss_context_manager():
            loss = self.grad_cache.step(model, inputs, lambda value: self.accelerator.backward(value * share))
        return loss * share

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        loss = self.loss_function(model, inputs)
        return (loss, None) if return_outputs else loss

    def _save_checkpoint(self, model, trial) -> None:
        """The Trainer's checkpoint, written in place; if writing fails (a full disk), the partial checkpoint is
        removed (a later ``--resume`` must not find it) and the error names the checkpoint."""
        checkpoint = Path(self.args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
        try:
            super()._save_checkpoint(model, trial)
        except (OSError, RuntimeError, SafetensorError) as error:
            named = naming_path(error, checkpoint)
            shutil.rmtree(checkpoint, ignore_errors=True)
            if named is error:
                raise
            raise named from error

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval") -> dict[str, float]:
        if self.evaluator is None:
            return {}
        metrics = {f"{metric_key_prefix}_{name}": value for name, value in self.evaluator(self.model).items()}
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


class JsonlLogCallback(TrainerCallback):
    """Appends every logged dict (loss, learning rate, validation metrics) to ``log.jsonl``."""

    def __init__(self, path: Path):
        self.path = path

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and state.is_world_process_zero:
            record = {"step": state.global_step, "epoch": state.epoch, **logs}
            record = {key: (None if isinstance(v, float) and math.isnan(v) else v) for key, v in record.items()}
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")


class EpochToCollator(TrainerCallback):
    """Tells the collator the epoch of the batches it is about to make (its negatives depend on it)."""

    def __init__(self, collator):
        self.collator = collator

    def on_epoch_begin(self, args, state, control, **kwargs):
        self.collator.epoch = math.floor(state.epoch or 0)


class StopOnNonFiniteLoss(TrainerCallback):
    """Stops training once ``patience`` logged losses in a row are NaN or inf: more than the fp16 loss scaler's
    occasional skipped step, a run that no longer learns (its weights may still be finite: the scaler skips
    every update). ``diverged`` tells the caller not to save the model."""

    def __init__(self, patience: int = 3):
        self.patience = patience
        self.streak = 0
        self.diverged = False

    def on_log(self, args, state, control, logs=None, **kwargs):
        loss = (logs or {}).get("loss")
        if loss is None:
            return control
        self.streak = 0 if math.isfinite(loss) else self.streak + 1
        if self.streak >= self.patience:
            self.diverged = True
            control.should_training_stop = True
        return control


class StopOnInterrupt(TrainerCallback):
    """On Ctrl-C (SIGINT) or SIGTERM: finish the current step, save a checkpoint, stop training."""

    def __init__(self):
        self.interrupted = False
        self.previous: dict[int, object] = {}

    def on_train_begin(self, args, state, control, **kwargs):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.previous[sig] = signal.signal(sig, self.handle)

    def handle(self, signum, frame):
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True
        print("\ninterrupted: saving a checkpoint after this step (press Ctrl-C again to abort)", flush=True)

    def on_step_end(self, args, state, control, **kwargs):
        """Under torchrun the ranks agree first: a rank that stopped alone would leave the others waiting."""
        if any_rank(self.interrupted, args.device):
            self.interrupted = True
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_train_end(self, args, state, control, **kwargs):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
