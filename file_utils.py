"""Writing files and directories so that a crash never leaves a half-written result.

Every output goes to a temporary name in the same directory and is renamed into
place once complete: readers see either the old complete file or the new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from errors import UserError


def ensure_writable_directory(path: str | os.PathLike, flag: str = "--output_directory") -> Path:
    """Create ``path`` if needed and check that files can be written in it."""
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test-"):
            pass
    except OSError as error:
        raise UserError(f"{flag} {directory}: cannot write there ({error.strerror or error})") from error
    return directory


def naming_path(error: BaseException, path: Path) -> BaseException:
    """A failed write or fsync raises an OSError that names no file; name the file being written."""
    if isinstance(error, OSError) and error.filename is None and error.errno is not None:
        return OSError(error.errno, error.strerror, str(path))
    return error


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[Any]:
    """Open a temporary file beside ``path``; rename it to ``path`` only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        named = naming_path(error, target)
        if named is error:
            raise
        raise named from error


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON, atomically."""
    with atomic_file(path) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=False)
        handle.write("\n")


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike, keep: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; swap it into place only if the block succeeds.

    An existing directory at ``path`` stays untouched until the new one is complete,
    then is replaced in two renames (old aside, new in) and removed. Entries of the old
    directory named in ``keep`` (training logs, checkpoints) are moved into the new one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        yield staging
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        named = naming_path(error, target)
        if named is error:
            raise
        raise named from error
    for name in keep:
        if (target / name).exists() and not (staging / name).exists():
            os.replace(target / name, staging / name)
    retired = None
    if target.exists():
        retired = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
        os.rmdir(retired)
        os.replace(target, retired)
    os.replace(staging, target)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
