"""The CLI-wide guard: no traceback reaches a user, for any command and any input.

Failures an operator can act on (a bad setting, a missing or foreign journal, an unwritable
data directory, a refused port) become one line and an exit code. A closed stdout (`| head`)
ends the command quietly. Anything else is a bug: it is still one line, with exit code 70 and
a hint, and `astra --debug ...` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3
import sys
from collections.abc import Callable

from astra.adapters.control_api import TokenError
from astra.adapters.control_client import ControlError
from astra.adapters.journal.backup import BackupError
from astra.adapters.journal.migrations import SchemaError
from astra.adapters.journal.runs import RunError
from astra.adapters.journal.store import JournalError
from astra.adapters.recording.market_json import MarketJsonError
from astra.adapters.recording.recorder import RecordingError
from astra.app.paper_runner import PaperError
from astra.app.replay_runner import ReplayError
from astra.domain.contracts.lint import ContractError
from astra.domain.contracts.registry import RegistryError
from astra.domain.strategies.registry import UnknownStrategyError
from astra.settings import SettingsError

EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE
EXIT_PIPE = 141  # what a shell reports for a writer killed by SIGPIPE

# Failures phrased for the operator already: their message is the line.
OPERATOR_ERRORS: tuple[type[BaseException], ...] = (
    TokenError,
    ControlError,
    BackupError,
    SchemaError,
    RunError,
    JournalError,
    MarketJsonError,
    RecordingError,
    PaperError,
    ReplayError,
    ContractError,
    RegistryError,
    UnknownStrategyError,
)


def guarded(
    func: Callable[[argparse.Namespace], int],
    args: argparse.Namespace,
    *,
    prefix: str,
    debug: bool,
    command_error: type[Exception],
) -> int:
    """Run one command; map every failure to (one stderr line, exit code)."""
    try:
        code = func(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if isinstance(exc, BrokenPipeError) or getattr(exc, "errno", None) == errno.EPIPE:
            return _closed_stdout()
        expected = isinstance(exc, command_error | SettingsError)
        if debug and not expected:
            raise
        message, exit_code = classify(exc, command_error)
        print(f"{prefix}: {message}", file=sys.stderr)
        return exit_code
    return code


def classify(exc: Exception, command_error: type[Exception]) -> tuple[str, int]:
    """(the line to print, the exit code) for a failure that is not a closed stdout."""
    if isinstance(exc, command_error):
        return str(exc), int(getattr(exc, "exit_code", 1))
    if isinstance(exc, SettingsError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, OPERATOR_ERRORS):
        return str(exc) or type(exc).__name__, 1
    if isinstance(exc, sqlite3.DatabaseError):
        return f"database error: {exc} (is this an Astra journal?)", 1
    if isinstance(exc, OSError):
        return _os_line(exc), 1
    detail = f"{type(exc).__name__}: {exc}"
    return f"internal error: {detail} (rerun with --debug for the traceback)", EXIT_INTERNAL


def _os_line(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    where = f": {exc.filename}" if exc.filename else ""
    return f"{what}{where}"


def _closed_stdout() -> int:
    """The reader went away (`| head`): say nothing, and keep Python's exit-time flush of the
    dead pipe from printing its own traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_PIPE
