"""Loading Hugging Face models and tokenizers with user-facing errors, and the run-settings JSON.

Every saved encoder directory holds ``train_config.json``: the flags of the run
that made it, the base model, a fingerprint of the data and the final metrics. Its
``encoder`` field ("bi" or "cross") lets a tool refuse a directory of the wrong kind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from errors import UserError

CONFIG_NAME = "train_config.json"
TRAINING_STATE = ("checkpoints", "log.jsonl", "tensorboard")  # kept when a saved encoder is replaced
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "*.model")


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def load_pretrained(loader: Any, name: str, flag: str = "--model", trust_remote_code: bool = False, **kwargs):
    """``loader.from_pretrained(name)``, with failures (offline, typo, broken files) as one UserError."""
    from huggingface_hub.errors import StrictDataclassError  # a config.json field of the wrong type
    from safetensors import SafetensorError  # a truncated or corrupt weight file

    try:
        return loader.from_pretrained(str(name), trust_remote_code=trust_remote_code, **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError, SafetensorError, StrictDataclassError) as error:
        hint = "" if Path(str(name)).exists() else " (a typo, or a Hub model while offline?)"
        if isinstance(error, SafetensorError):
            hint = " (a weight file is damaged or incomplete; save or copy the model again)"
        raise UserError(f"{flag} {name}: cannot load{hint}: {first_line(error)}") from error


def load_model(loader: Any, name: str, flag: str = "--model", trust_remote_code: bool = False, **kwargs):
    """A model with float32 weights, whatever dtype its files store: transformers 5 loads the stored dtype by
    default, and a model stored in fp16 then cannot train in fp16 ("Attempting to unscale FP16 gradients"), one
    stored in bf16 would train in pure bf16. Autocast and ``Runtime.prepare`` choose the compute precision."""
    import torch

    return load_pretrained(loader, name, flag, trust_remote_code, dtype=torch.float32, **kwargs)


def load_tokenizer(name: str, flag: str = "--model", trust_remote_code: bool = False):
    """A fast tokenizer (needed for character offsets of passage windows and answers)."""
    from transformers import AutoTokenizer

    tokenizer = load_pretrained(AutoTokenizer, name, flag, trust_remote_code)
    if not tokenizer.is_fast:
        raise UserError(f"{flag} {name}: needs a fast (Rust) tokenizer; this model only has a slow one")
    return tokenizer


def check_tokenizer_matches(tokenizer, model, name: str, flag: str = "--model") -> None:
    """A tokenizer whose ids run past the embedding table would crash mid-run; refuse it up front."""
    vocabulary = model.get_input_embeddings().num_embeddings
    if len(tokenizer) > vocabulary:
        raise UserError(
            f"{flag} {name}: the tokenizer has {len(tokenizer)} tokens but the model's embeddings only "
            f"{vocabulary}; they do not belong together"
        )


def read_train_config(directory: str | Path, expected: str, flag: str, train_hint: str) -> dict:
    """Read ``train_config.json`` and check that the directory holds an encoder of the expected kind."""
    directory = Path(directory)
    path = directory / CONFIG_NAME
    if not directory.is_dir():
        raise UserError(f"{flag} {directory}: no such directory; make it with `{train_hint}`")
    if not path.is_file():
        raise UserError(f"{flag} {directory}: no {CONFIG_NAME}, so not a saved encoder; make it with `{train_hint}`")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: unreadable ({first_line(error)})") from error
    if not isinstance(config, dict):
        raise UserError(f"{path}: expected a JSON object of the run's settings, found {type(config).__name__}")
    found = config.get("encoder")
    if found != expected:
        raise UserError(f"{flag} {directory}: holds a {found}-encoder, expected a {expected}-encoder")
    return config
