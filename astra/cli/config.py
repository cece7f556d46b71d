"""`astra config show`: the effective settings (secrets redacted) and their hash."""

from __future__ import annotations

import argparse
import json
from typing import Any

from astra.cli.common import add_settings_args, settings_from_args


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="show the effective configuration")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print effective settings (defaults < file < env < flags)")
    add_settings_args(show)
    show.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    show.set_defaults(func=_show)


def _show(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    shown = settings.redacted_dict()  # a secret is never printed (terminals get logged)
    if args.json:
        print(json.dumps({"settings": shown, "hash": settings.settings_hash()}))
        return 0
    for section, table in shown.items():
        print(f"[{section}]")
        for key, value in table.items():
            print(f"{key} = {json.dumps(value)}")
        print()
    print(f"# settings_hash = {settings.settings_hash()}")
    return 0
