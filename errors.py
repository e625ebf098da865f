"""The one exception type users see, and the wrapper that turns it into a one-line message.

Everything a user can get wrong (a path, a column, a flag value, a model name) is
raised as ``UserError``. The command-line entry points run through ``run_cli``,
which prints ``error: <message>`` and exits with status 2; ``--debug`` keeps the
traceback for developers.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """A problem with the user's input that they can fix; the message says what and where."""


def run_cli(main: Callable[[Sequence[str] | None], int | None], argv: Sequence[str] | None = None) -> int:
    """Run ``main(argv)``; map ``UserError`` to exit 2 with a one-line message."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        return main(args) or 0
    except UserError as error:
        if debug:
            traceback.print_exc()
        message = " ".join(str(error).split())
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
