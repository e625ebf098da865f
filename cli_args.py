"""Argument parsing shared by the command-line tools: one-line errors and typed, validated values."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

from errors import EXIT_USER_ERROR


class ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``error: ...``) with exit status 2."""

    def error(self, message: str):
        print(f"error: {message} (see --help)", file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)


def checked_number(convert: Callable[[str], float], accept: Callable[[float], bool], expected: str) -> Callable:
    """An argparse ``type`` that converts with ``convert`` and accepts values for which ``accept`` holds.

    ``inf`` and ``nan`` are never accepted: ``--lr inf`` trained a model to NaN weights and saved it.
    """
    kind = "an integer" if convert is int else "a number"

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
        if not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    return parse


positive_int = checked_number(int, lambda value: value > 0, "a positive integer")
non_negative_int = checked_number(int, lambda value: value >= 0, "an integer >= 0")
positive_float = checked_number(float, lambda value: value > 0, "a number > 0")
non_negative_float = checked_number(float, lambda value: value >= 0, "a number >= 0")
fraction = checked_number(float, lambda value: 0 <= value < 1, "a number in [0, 1)")
unit_interval = checked_number(float, lambda value: 0 <= value <= 1, "a number in [0, 1]")


def weight_or_auto(text: str) -> float | str:
    """``auto`` (the weight tuned when the encoder was trained) or a number in [0, 1]."""
    if text == "auto":
        return text
    try:
        return unit_interval(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected auto or a number in [0, 1], got {text!r}") from None


def count_auto_or_all(text: str) -> int | str | None:
    """``auto`` (chosen by device, resolved later), ``all`` (None) or a positive integer."""
    if text in ("auto", "all"):
        return None if text == "all" else text
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected auto, all or a positive integer, got {text!r}") from None


max_steps = checked_number(int, lambda value: value == -1 or value > 0, "-1 (no limit) or a positive integer")
seed = checked_number(int, lambda value: 0 <= value < 2**32, "an integer from 0 to 2**32 - 1 (what numpy seeds with)")


def comma_list(text: str) -> list[str]:
    """Comma-separated names (``query,value``): at least one, none empty."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated names, got {text!r}")
    return names


def add_bm25_tokenizer_flags(group) -> None:
    """--bm25_tokenizer and --bm25_ngram, for rerank.py's BM25 retriever and train.py's BM25-mined negatives."""
    from retrieval.bm25_tokenizers import TOKENIZER_NAMES

    group.add_argument(
        "--bm25_tokenizer",
        choices=TOKENIZER_NAMES,
        default="char-ngram",
        help="BM25 terms: character n-grams within words, whitespace words, the model tokenizer's tokens, or "
        "Kiwi morphemes (pip install kiwipiepy)",
    )
    group.add_argument("--bm25_ngram", type=positive_int, default=2, help="n of --bm25_tokenizer char-ngram")


def add_runtime_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("device and precision")
    group.add_argument("--device", default="auto", help="auto (CUDA when available), cpu, cuda or cuda:N")
    group.add_argument(
        "--precision",
        default="auto",
        choices=["fp32", "fp16", "bf16", "auto"],
        help="autocast precision; auto = bf16 where the device has it natively, else fp16 on CUDA, fp32 on CPU",
    )
    group.add_argument("--trust_remote_code", action="store_true", help="allow models that ship their own code")
    group.add_argument("--debug", action="store_true", help="show tracebacks for errors")
