"""`astra status|halt|resume|cancel-all`: talk to a running trader through its control API.

The address is `[control] host/port` from the settings; the token is `$ASTRA_CONTROL_TOKEN`
(the variable named by `control.token_env`) or `<data dir>/control.token`, which the trader
creates on its first start. Exit codes: 0 done, 1 refused or failed, 3 trader not running.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

from astra.adapters.control_api import TokenError, read_token
from astra.adapters.control_client import ControlClient, ControlError, ControlUnavailable
from astra.cli.common import add_settings_args, data_dir, settings_from_args
from astra.cli.main import CommandError

EXIT_NOT_RUNNING = 3

Action = Callable[[ControlClient, argparse.Namespace], dict[str, Any]]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands: list[tuple[str, str, Action]] = [
        ("status", "show the running trader's state", lambda c, _a: c.status()),
        ("halt", "halt trading (cancels resting orders)", lambda c, a: c.halt(a.reason)),
        ("resume", "resume trading after a halt", lambda c, a: c.resume(a.rebase_peak)),
        ("cancel-all", "cancel every resting paper order", lambda c, _a: c.cancel_all()),
    ]
    for name, text, action in commands:
        parser = subparsers.add_parser(name, help=text, description=text)
        add_settings_args(parser)
        parser.add_argument("--json", action="store_true", help="print the raw JSON answer")
        if name == "halt":
            parser.add_argument("--reason", default="operator", help="why (recorded)")
        if name == "resume":
            parser.add_argument(
                "--rebase-peak",
                action="store_true",
                help="acknowledge a drawdown: the current equity becomes the high-water mark",
            )
        if name == "status":
            parser.add_argument(
                "--watch",
                metavar="S",
                type=float,
                default=None,
                help="refresh every S seconds until Ctrl-C",
            )
            parser.set_defaults(func=_status)
            continue
        parser.set_defaults(func=_runner(action))


def _runner(action: Action) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        result = _call(action, args)
        _print(result, as_json=bool(args.json))
        return 0

    return run


def _status(args: argparse.Namespace) -> int:
    from astra.cli.status_view import print_status, status_view

    if args.watch is not None and args.watch <= 0:
        raise CommandError("--watch must be positive", exit_code=2)
    result = _call(lambda c, _a: c.status(), args)
    if args.json:
        _print(result, as_json=True)
        return 0
    if args.watch is None:
        print_status(result)
        return 0
    from rich.live import Live

    try:
        with Live(status_view(result), refresh_per_second=4, screen=False) as live:
            while True:
                time.sleep(args.watch)
                live.update(status_view(_call(lambda c, _a: c.status(), args)))
    except KeyboardInterrupt:
        return 0  # the operator stopped watching: nothing failed


def _call(action: Action, args: argparse.Namespace) -> dict[str, Any]:
    client = _client(args)
    try:
        return action(client, args)
    except ControlUnavailable as exc:
        raise CommandError(str(exc), exit_code=EXIT_NOT_RUNNING) from exc
    except ControlError as exc:
        raise CommandError(str(exc)) from exc


def _client(args: argparse.Namespace) -> ControlClient:
    settings = settings_from_args(args)
    directory = data_dir(settings)
    try:
        token = read_token(directory, os.environ, settings.control.token_env)
    except TokenError as exc:
        raise CommandError(str(exc)) from exc
    if token is None:
        raise CommandError(
            f"no control token (${settings.control.token_env} unset and no "
            f"{directory}/control.token): is the trader running with this --data-dir?",
            exit_code=EXIT_NOT_RUNNING,
        )
    return ControlClient(settings.control.host, settings.control.port, token)


def _print(result: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2, sort_keys=True, default=str))
        return
    ok = result.get("ok")
    detail = result.get("detail") or ", ".join(
        f"{k} {v}" for k, v in sorted(result.items()) if k != "ok"
    )
    print(f"{'ok' if ok else 'refused'}: {detail}")
