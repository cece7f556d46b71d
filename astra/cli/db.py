"""`astra db backup|restore|check`: the journal's backups and its consistency check."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from astra.adapters.journal.backup import BackupError, backup, list_backups, restore
from astra.adapters.journal.check import check_journal
from astra.adapters.journal.paths import backup_dir, journal_path
from astra.cli.common import (
    add_journal_arg,
    add_settings_args,
    data_dir,
    journal_file,
    settings_from_args,
)
from astra.cli.main import CommandError
from astra.settings import secret_settings

CHECK_FAILED_EXIT = 3  # distinct from usage (2) and operational errors (1)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="journal backups, restore and consistency check")
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    make = sub.add_parser("backup", help="online WAL-safe backup of the journal, rotated")
    add_settings_args(make)
    make.add_argument(
        "--keep", type=int, default=None, help="backups to keep (default: [journal] backups_keep)"
    )
    make.add_argument("--json", action="store_true", help="print JSON")
    make.set_defaults(func=_backup)

    back = sub.add_parser("restore", help="restore the journal from a verified backup")
    add_settings_args(back)
    back.add_argument("--from", dest="source", metavar="FILE", help="backup (default: newest)")
    back.add_argument("--force", action="store_true", help="even if a run is marked running")
    back.add_argument("--json", action="store_true", help="print JSON")
    back.set_defaults(func=_restore)

    check = sub.add_parser("check", help="integrity check plus the journal's own invariants")
    add_settings_args(check)
    add_journal_arg(check)
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(func=_check)


def _dir(args: argparse.Namespace) -> Path:
    return data_dir(settings_from_args(args))


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    print(json.dumps(payload, sort_keys=True) if args.json else text)


def _backup(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    directory = data_dir(settings)
    keep = settings.journal.backups_keep if args.keep is None else args.keep
    try:
        made = backup(
            journal_path(directory), backup_dir(directory), keep=keep, secrets=secret_settings()
        )
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    kept = list_backups(backup_dir(directory))
    _emit(args, {"backup": str(made), "kept": [str(p) for p in kept]}, f"backup written: {made}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    directory = _dir(args)
    source = Path(args.source) if args.source else _newest(backup_dir(directory))
    target = journal_path(directory)
    try:
        restore(source, target, force=args.force)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    _emit(args, {"restored": str(source), "journal": str(target)}, f"restored {source} -> {target}")
    return 0


def _newest(directory: Path) -> Path:
    backups = list_backups(directory)
    if not backups:
        raise CommandError(f"no backups in {directory}")
    return backups[-1]


def _check(args: argparse.Namespace) -> int:
    report = check_journal(journal_file(args))
    if args.json:
        print(json.dumps(report.to_dict(), sort_keys=True))
    elif report.ok:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items()))
        print(f"ok: {report.path} ({counts})")
    else:
        for problem in report.problems:
            print(f"{problem.code}: {problem.detail}")
    return 0 if report.ok else CHECK_FAILED_EXIT
