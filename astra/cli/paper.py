"""`astra paper`: the live paper trader (public market data, paper orders, SQLite journal).

Refused starts print one line and exit non-zero: 2 for configuration, journal or startup
checks, 3 when discovery vetoes (no network, HTTP errors, broken pagination). A run ends on
SIGINT/SIGTERM (a second signal exits at once), `--max-runtime` or an escalation (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from astra.adapters.control_api import load_or_create_token
from astra.adapters.logging_setup import Redactor, configure_logging
from astra.app.paper_runner import PaperError, PaperOptions, run_paper
from astra.app.shutdown import ShutdownSignals
from astra.app.strategies import contract_strategy_factory
from astra.cli.common import add_settings_args, settings_from_args, writable_data_dir
from astra.cli.main import CommandError
from astra.cli.replay import print_summary, with_strategy
from astra.settings import Settings, SettingsError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("paper", help="run the live paper trader")
    add_settings_args(parser)
    parser.add_argument("--json-summary", action="store_true", help="print one JSON summary")
    parser.add_argument("--max-runtime", metavar="S", type=float, help="stop after S seconds")
    parser.add_argument("--gamma-url", metavar="URL", help="Gamma base URL (default: config)")
    parser.add_argument("--clob-url", metavar="URL", help="CLOB REST base URL")
    parser.add_argument("--ws-url", metavar="URL", help="market WebSocket URL")
    parser.add_argument("--rtds-url", metavar="URL", help="RTDS spot WebSocket URL")
    parser.add_argument("--strategy", metavar="NAME", help="trade every market with NAME")
    parser.set_defaults(func=_paper)


def with_urls(settings: Settings, args: argparse.Namespace) -> Settings:
    urls = {
        "gamma_url": args.gamma_url,
        "clob_url": args.clob_url,
        "ws_url": args.ws_url,
        "rtds_url": args.rtds_url,
    }
    given = {k: v for k, v in urls.items() if v}
    return replace(settings, venue=replace(settings.venue, **given)) if given else settings


def _register_secrets(redactor: Redactor, settings: Settings) -> None:
    """The control token and every secret setting (astra.settings SECRET, credential-bearing
    URLs) never reach a log line."""
    if settings.control.enabled:
        data_dir = Path(settings.data.dir)
        redactor.add_secret(load_or_create_token(data_dir, os.environ, settings.control.token_env))
    for secret in settings.secret_values():
        redactor.add_secret(secret)


def _paper(args: argparse.Namespace) -> int:
    settings = with_strategy(with_urls(settings_from_args(args), args), args.strategy)
    writable_data_dir(settings)
    if args.max_runtime is not None and args.max_runtime <= 0:
        raise CommandError("--max-runtime must be positive", exit_code=2)
    try:
        redactor = configure_logging(settings.logging.level, settings.logging.json)
        _register_secrets(redactor, settings)
        strategy = contract_strategy_factory(settings)
        from astra.app.contracts import load_contract_file

        load_contract_file(settings.contracts.file)  # a bad file fails the start
    except (SettingsError, ValueError, OSError) as exc:
        raise CommandError(str(exc), exit_code=2) from exc
    signals = ShutdownSignals()
    signals.install()
    try:
        code, summary = run_paper(settings, PaperOptions(strategy, args.max_runtime), signals)
    except PaperError as exc:
        raise CommandError(str(exc), exit_code=exc.exit_code) from exc
    finally:
        signals.restore()
    if args.json_summary:
        print(json.dumps(summary, sort_keys=True))
    else:
        print_summary(summary | {"events": summary.get("evaluations", 0)}, as_json=False)
    return code
