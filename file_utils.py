"""Writing files and directories so that a crash never leaves a half-written result.

Every output goes to a temporary name in the same directory and is renamed into
place once complete: readers see either the old complete file or the new one.
Staging directories are named by host and process (``.NAME.<host>-<pid>.*.tmp``), so that
the next writer on the same host removes those of processes that were killed, and leaves
alone those of another host on a shared filesystem (they may belong to a live run).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from errors import UserError

HOST = socket.gethostname().replace("-", "_").replace(".", "_")


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def with_default_mode(path: Path, directory: bool) -> None:
    """Give a staging file or directory the mode a plain ``open``/``mkdir`` would (``tempfile`` makes them 0600
    and 0700, which would leave every output readable by its owner only, whatever the umask)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~current_umask())


def process_is_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def staging_prefix(name: str) -> str:
    return f".{name}.{HOST}-{os.getpid()}."


def left_by_killed_processes(directory: Path, prefix: str, suffix: str = "") -> list[Path]:
    """Entries ``<prefix><host>-<pid>...<suffix>`` in ``directory`` of this host whose process is gone."""
    head = f"{prefix}{HOST}-"
    found = []
    for path in sorted(directory.glob(f"{head}*{suffix}")):
        pid = path.name[len(head) :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and process_is_gone(int(pid)):
            found.append(path)
    return found


def remove_orphans(directory: Path, name: str) -> None:
    """This host's staging directories for ``name`` in ``directory`` whose process is gone (killed mid-write)."""
    for path in left_by_killed_processes(directory, f".{name}.", ".tmp"):
        shutil.rmtree(path, ignore_errors=True)


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


FULL = 1 << 20  # bytes free below which a failed write is taken for a full disk


def is_disk_full(error: BaseException, path: Path) -> bool:
    """Whether ``error`` is a write that failed for want of space, though it says so in no errno: numpy's
    ``OSError('N requested and M written')``, torch's ``RuntimeError('... unexpected pos ...')`` and
    safetensors' ``SafetensorError('... (os error 28)')``. Checked before the partial file is removed."""
    if isinstance(error, OSError) and error.errno is not None:
        return error.errno == errno.ENOSPC
    if "os error 28" in str(error):
        return True
    if not isinstance(error, OSError | RuntimeError):
        return False
    existing = next((parent for parent in [path, *path.parents] if parent.exists()), None)
    return existing is not None and shutil.disk_usage(existing).free < FULL


def naming_path(error: BaseException, path: Path) -> BaseException:
    """A failed write or fsync raises an OSError that names no file, or (numpy, torch, safetensors) an error
    with no errno at all when the disk is full; turn either into an OSError naming the file being written."""
    if isinstance(error, OSError) and error.filename is None and error.errno is not None:
        return OSError(error.errno, error.strerror, str(path))
    if not (isinstance(error, OSError) and error.errno is not None) and is_disk_full(error, path):
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return error


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[Any]:
    """Open a temporary file beside ``path``; rename it to ``path`` only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with_default_mode(Path(temp_name), directory=False)
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException as error:
        named = naming_path(error, target)  # before the partial file is removed: it is what filled the disk
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
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
    remove_orphans(target.parent, target.name)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=staging_prefix(target.name), suffix=".tmp"))
    with_default_mode(staging, directory=True)
    try:
        yield staging
    except BaseException as error:
        named = naming_path(error, target)  # before the partial files are removed: they are what filled the disk
        shutil.rmtree(staging, ignore_errors=True)
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


@contextlib.contextmanager
def atomic_file_set(directory: str | os.PathLike, remove: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a staging directory inside ``directory`` for a set of outputs; only if the block succeeds, move each
    entry written there into ``directory`` (replacing one of the same name) and retire the entries named in
    ``remove``. A failure (a full disk halfway through) leaves every earlier output as it was: the set is the
    new run's or the old run's, never a mix. The moves are renames, which need no free space."""
    directory = Path(directory)
    remove_orphans(directory, "outputs")
    staging = Path(tempfile.mkdtemp(dir=directory, prefix=staging_prefix("outputs"), suffix=".tmp"))
    try:
        yield staging
    except BaseException as error:
        named = naming_path(error, directory)
        if isinstance(named, OSError) and str(named.filename or "").startswith(str(staging)):
            # name the file the user will look for, not its staging copy
            named = OSError(named.errno, named.strerror, str(directory) + str(named.filename)[len(str(staging)) :])
        shutil.rmtree(staging, ignore_errors=True)
        if named is error:
            raise
        raise named from error
    retired = staging.with_suffix(".old")
    retired.mkdir()
    for name in [entry.name for entry in staging.iterdir()] + list(remove):
        if (directory / name).exists():
            os.replace(directory / name, retired / name)
    for entry in staging.iterdir():
        os.replace(entry, directory / entry.name)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(retired, ignore_errors=True)
