"""Fingerprints that decide whether a saved index or cache can be reused.

A fingerprint is a SHA-256 over everything the cached result depends on: the
encoder's weight files and tokenizer files, the corpus content, and the lengths
used. Change any of them and the fingerprint changes, so the cache is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MODEL_FILES = ("*.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "*.model")


def directory_digest(directory: str | Path, patterns: tuple[str, ...] = MODEL_FILES) -> str:
    """SHA-256 over the names and bytes of the model and tokenizer files in ``directory``."""
    digest = hashlib.sha256()
    directory = Path(directory)
    files = sorted({path for pattern in patterns for path in directory.glob(pattern) if path.is_file()})
    for path in files:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def combine(**parts) -> str:
    """One fingerprint from named parts (strings, numbers, lists)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
