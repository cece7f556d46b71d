"""`astra` entry point. Each command group lives in its own module exposing `register`.

A module's `register(subparsers)` adds its subcommands and sets `func` on each parser;
`func(args) -> int` is the exit code. Errors a user can act on are printed as one line
(no traceback) and exit non-zero.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Command-group modules under astra.cli, in --help order.
COMMAND_MODULES: tuple[str, ...] = (
    "config",
    "db",
    "decisions",
    "discover",
    "definitions",
    "control",
    "estimate",
    "arb",
    "chaos",
    "inspect",
    "paper",
    "record",
    "replay",
    "fills",
    "simulate",
    "demo",
    "report",
    "bench",
)


class CommandError(Exception):
    """A failure to report to the user as one line, with an exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="astra", description="Actor-model paper trader for Polymarket prediction markets."
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected failure"
    )
    parser.add_argument(
        "--log-level",
        metavar="LEVEL",
        default=None,
        help="DEBUG, INFO, WARNING, ERROR (default: [logging] level, INFO)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging (same as --log-level DEBUG)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"astra.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from astra.cli.guard import guarded

    return guarded(
        func,
        args,
        prefix=f"astra {args.command}",
        debug=args.debug,
        command_error=CommandError,
    )


def version_text() -> str:
    """`astra 0.x.y (git abc1234)`: the package version, and the revision when run from a
    checkout (none in an installed wheel)."""
    from astra.cli.version import describe

    return describe()


if __name__ == "__main__":
    sys.exit(main())
