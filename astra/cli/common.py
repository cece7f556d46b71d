"""Options every stateful command shares: --config and --data-dir, resolved the same way, and
`--journal FILE` for the commands that read a journal (a replay's `replay.sqlite3`, say)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from astra.adapters.journal.paths import journal_path
from astra.adapters.logging_setup import Redactor, configure_logging
from astra.cli.main import CommandError
from astra.settings import Settings, SettingsError, load_settings

DEFAULT_CONFIG_ENV = "ASTRA_CONFIG"


def add_settings_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=os.environ.get(DEFAULT_CONFIG_ENV),
        help=f"TOML settings file (default: ${DEFAULT_CONFIG_ENV}, else embedded defaults)",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", default=None, help="data directory (default from config)"
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, dict[str, object]] = {}
    if getattr(args, "data_dir", None):
        overrides["data"] = {"dir": str(args.data_dir)}
    level = "DEBUG" if getattr(args, "verbose", False) else getattr(args, "log_level", None)
    if level:
        overrides["logging"] = {"level": str(level)}
    try:
        return load_settings(getattr(args, "config", None), os.environ, overrides)
    except SettingsError as exc:
        raise CommandError(str(exc), exit_code=2) from exc


def configure_command_logging(settings: Settings) -> Redactor:
    """The JSON (or human) logger at the configured level for a command that runs the engine,
    with every secret setting registered for redaction before the first line is written."""
    redactor = configure_logging(settings.logging.level, settings.logging.json)
    if settings.alerts.webhook_url:
        redactor.add_secret(settings.alerts.webhook_url)
    return redactor


def data_dir(settings: Settings) -> Path:
    return Path(settings.data.dir)


def writable_data_dir(settings: Settings) -> Path:
    """The data directory, created if missing and proven writable before anything starts; a
    directory that cannot be made or written is a one-line usage error (exit 2)."""
    path = data_dir(settings)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".astra-write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CommandError(f"data directory {path} is not writable: {reason}", 2) from exc
    return path


def port_arg(text: str) -> int:
    """argparse type for a TCP port: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= 65_535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range: must be 0 to 65535")
    return port


def add_journal_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--journal",
        metavar="FILE",
        default=None,
        help="journal file to read (default: <data-dir>/astra.sqlite3), e.g. a replay.sqlite3",
    )


def journal_file(args: argparse.Namespace) -> Path:
    """`--journal FILE` when given (it must exist), else the data dir's journal."""
    given = getattr(args, "journal", None)
    if given is None:
        return journal_path(data_dir(settings_from_args(args)))
    path = Path(given)
    if not path.is_file():
        raise CommandError(f"journal not found: {path}")
    return path
