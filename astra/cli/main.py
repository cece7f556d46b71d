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
    try:
        code: int = func(args)
    except CommandError as exc:
        print(f"astra {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
