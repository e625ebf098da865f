"""The weights of rerank.py's two interpolations, as train.py saves them and rerank.py reads them back.

- ``fusion_weights`` in the bi-encoder's ``train_config.json``: BM25's share in the hybrid list, one per
  ``--fusion`` method, chosen when the bi-encoder was trained.
- ``rerank_weights`` in the cross-encoder's ``train_config.json``: the cross-encoder's share in the final
  score of each reranked row, one per first stage (``bm25``, ``retrieve``, ``hybrid``), chosen when the
  cross-encoder was trained.

Each sits beside a ``*_tuning`` record of how it was chosen (``weight_tuning.py``), including the first
stage it was chosen against. ``auto``, the default of ``--fusion_weight`` and ``--rerank_weight``, takes
the saved weight; an encoder without one (saved before weights were tuned, or trained without validation
questions) gets the fixed weight reranking had before (BM25 and dense 1:1, the cross-encoder's order alone)
and a note.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from errors import UserError

CONFIG_NAME = "train_config.json"
FUSION_KEY, RERANK_KEY = "fusion_weights", "rerank_weights"
FALLBACK = {FUSION_KEY: 0.5, RERANK_KEY: 1.0}
FLAGS = {FUSION_KEY: "--fusion_weight", RERANK_KEY: "--rerank_weight"}
ENCODER = {FUSION_KEY: "bi", RERANK_KEY: "cross"}


def tuning_key(key: str) -> str:
    return key.replace("_weights", "_tuning")


def read_saved(directory: Path, key: str) -> tuple[dict[str, float] | None, dict]:
    """(the weights saved under ``key`` in ``directory``'s train_config.json, or None; how they were chosen)."""
    path = Path(directory) / CONFIG_NAME
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: unreadable ({error})") from error
    weights = config.get(key) if isinstance(config, dict) else None
    if weights is None:
        return None, {}
    bad = not isinstance(weights, dict) or any(
        isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1 or math.isnan(value)
        for value in weights.values()
    )
    if bad:
        raise UserError(f"{path}: field {key!r} must map names to numbers in [0, 1], got {weights!r}")
    tuning = config.get(tuning_key(key))
    return {name: float(value) for name, value in weights.items()}, tuning if isinstance(tuning, dict) else {}


def describe_tuning(tuning: dict) -> str:
    questions, passages, depth = (tuning.get(name, "?") for name in ("questions", "passages", "depth"))
    return f"{questions} validation questions over {passages} passages, top {depth} of each first stage"


def changed_first_stage(tuning: dict, first_stage: dict) -> list[str]:
    """The parts of this run's first stage (bm25_tokenizer, bi_encoder, fusion, ...) that differ from the one the
    weights were tuned against; parts either side does not record are not compared."""
    tuned_against = tuning.get("first_stage")
    if not isinstance(tuned_against, dict):
        return []
    return sorted(name for name, value in first_stage.items() if name in tuned_against and tuned_against[name] != value)


def resolve(
    key: str, flag_value: float | str, directory: Path | None, names: list[str], first_stage: dict
) -> tuple[dict[str, float], list[str]]:
    """(weight of each of ``names``, the lines that say which weights are used and where they came from)."""
    flag, fallback = FLAGS[key], FALLBACK[key]
    if flag_value != "auto":
        return {name: float(flag_value) for name in names}, [f"{flag} {float(flag_value):g}"]
    saved, tuning = read_saved(directory, key) if directory is not None else (None, {})
    encoder = f"{ENCODER[key]}_encoder/{CONFIG_NAME}"
    if saved is None:
        return {name: fallback for name in names}, [
            f"note: {flag} auto: {encoder} holds no tuned weight (saved before weights were tuned, or trained "
            f"without validation questions); using {fallback:g} as before"
        ]
    weights = {name: saved.get(name, fallback) for name in names}
    shown = ", ".join(f"{name} {weights[name]:g}" for name in names)
    lines = [f"{flag} auto: {shown} (tuned on {describe_tuning(tuning)}; {encoder})"]
    missing = [name for name in names if name not in saved]
    if missing:
        lines.append(f"note: {flag} auto: no tuned weight for {', '.join(missing)}; using {fallback:g} as before")
    changed = changed_first_stage(tuning, first_stage)
    if changed:
        lines.append(
            f"note: {flag} auto: tuned against another {', '.join(changed)} than this run's; give {flag} a number "
            "to set it yourself"
        )
    return weights, lines
