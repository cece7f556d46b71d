"""`astra config show` (the effective settings, secrets redacted, and their hash) and
`astra config init` (a commented TOML of every setting)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from astra.cli.common import add_settings_args, settings_from_args
from astra.cli.config_init import commented_toml
from astra.cli.main import CommandError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="show the effective configuration")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print effective settings (defaults < file < env < flags)")
    add_settings_args(show)
    show.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    show.set_defaults(func=_show)
    init = sub.add_parser("init", help="write a commented TOML of every setting and its range")
    init.add_argument("--out", metavar="FILE", type=Path, help="write here (default: stdout)")
    init.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    init.set_defaults(func=_init)


def _init(args: argparse.Namespace) -> int:
    text = commented_toml()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    if args.out.exists() and not args.force:
        raise CommandError(f"{args.out} exists (use --force to overwrite)", exit_code=2)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


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
