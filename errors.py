"""The one exception type users see, and the wrapper that turns it into a one-line message.

Everything a user can get wrong (a path, a column, a flag value, a model name) is
raised as ``UserError``. The command-line entry points run through ``run_cli``,
which prints ``error: <message>`` and exits with status 2; ``--debug`` keeps the
traceback for developers. A full disk, a read-only file system or a missing
permission (``OSError`` with ENOSPC, EDQUOT, EACCES, EPERM or EROFS) is the user's to fix as
well and gets the same treatment; other ``OSError``s are bugs and keep their traceback.
"""

from __future__ import annotations

import errno
import sys
import traceback
from collections.abc import Callable, Sequence

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
WRITE_ERRNOS = frozenset(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EROFS") if hasattr(errno, name))
ENVIRONMENT_ERRNOS = WRITE_ERRNOS | {errno.EACCES, errno.EPERM}  # the disk or permissions, not a bug


class UserError(Exception):
    """A problem with the user's input that they can fix; the message says what and where."""


def run_cli(main: Callable[[Sequence[str] | None], int | None], argv: Sequence[str] | None = None) -> int:
    """Run ``main(argv)``; map ``UserError`` (and a full or read-only disk) to exit 2 with a one-line message."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        return main(args) or 0
    except (UserError, OSError) as error:
        if isinstance(error, OSError) and error.errno not in ENVIRONMENT_ERRNOS:
            raise
        if debug:
            traceback.print_exc()
        message = " ".join((os_error_message(error) if isinstance(error, OSError) else str(error)).split())
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as error:
        detail = " ".join(str(error).split())
        print(f"interrupted: {detail}" if detail else "interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def os_error_message(error: OSError) -> str:
    """``cannot write PATH: No space left on device``, ``PATH: Permission denied`` (PATH when the error has one)."""
    reason = error.strerror or str(error)
    if error.errno in WRITE_ERRNOS:
        return f"cannot write {error.filename}: {reason}" if error.filename else f"cannot write: {reason}"
    return f"{error.filename}: {reason}" if error.filename else reason
