"""`astra report [RUN] [--data-dir DIR | --journal FILE] [--out FILE] [--json]`: the report of
one run from the journal (`--journal`: any journal file, e.g. a replay's `replay.sqlite3`).

RUN defaults to the latest run in the journal. A record belongs to the run when its payload
carries that `run_id` (decisions always do), or, for payloads without a run id (fills, ledger
records), when its timestamp falls inside the run's [started, ended] window. With no runs
recorded at all, the whole journal is reported. The page goes to `<dir>/reports/` beside the
journal unless `--out` says otherwise. `--json` also prints the run's marked equity and its
performance metrics (Sharpe, Sortino, Calmar, max drawdown, win rate, profit factor, Brier;
overall and per strategy, each with its sample count or why it is insufficient) at the top
level, and every figure of the page under `model`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

from astra.adapters.journal.runs import RunManifest, get_run, list_runs
from astra.adapters.journal.store import JournalError, connect_readonly
from astra.adapters.report import ReportModel, write_report
from astra.app.report_model import build_report
from astra.cli.common import add_journal_arg, add_settings_args, journal_file, settings_from_args
from astra.cli.main import CommandError
from astra.domain.journal_record import JournalRecord, RecordKind

REPORTS_DIR = "reports"

_RECORDS = """
SELECT producer, seq, kind, ts_ms, market, payload FROM records
WHERE :run_id IS NULL
   OR json_extract(payload, '$.run_id') = :run_id
   OR (json_extract(payload, '$.run_id') IS NULL AND ts_ms BETWEEN :start AND :end)
ORDER BY id
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="write an HTML report of a run", description=__doc__
    )
    parser.add_argument("run", nargs="?", metavar="RUN", help="run id (default: the latest)")
    add_settings_args(parser)
    add_journal_arg(parser)
    parser.add_argument(
        "--out", metavar="FILE", help="output file (default: <dir>/reports/report-<run>.html)"
    )
    parser.add_argument(
        "--json", action="store_true", help="also print the metrics and figures as JSON"
    )
    parser.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    path = journal_file(args)
    try:
        conn = connect_readonly(path)
    except (JournalError, sqlite3.Error) as exc:
        raise CommandError(str(exc)) from exc
    try:
        manifest = _pick_run(conn, args.run)
        name = manifest.run_id if manifest else "journal"
        interval_ms = round(settings_from_args(args).accounting.returns_interval_s * 1000)
        model = journal_report(conn, f"Astra report: {name}", manifest, interval_ms)
    finally:
        conn.close()
    out = Path(args.out) if args.out else path.parent / REPORTS_DIR / f"report-{name}.html"
    written = write_report(out, model)
    if not args.json:
        print(written)
        return 0
    body = {"run": name, "report": str(written), **(model.performance or {})}
    body["model"] = report_json(model)
    print(json.dumps(body, sort_keys=True, indent=2))
    return 0


def journal_report(
    conn: sqlite3.Connection,
    title: str,
    manifest: RunManifest | None = None,
    returns_interval_ms: int = 300_000,
) -> ReportModel:
    """The report of the run's records (`manifest` None: the whole journal)."""
    records = run_records(conn, manifest)
    return build_report(records, title, manifest, returns_interval_ms=returns_interval_ms)


def write_journal_report(
    conn: sqlite3.Connection, out: str | Path, title: str, manifest: RunManifest | None = None
) -> Path:
    """Read the run's records and write the HTML report to `out`."""
    return write_report(out, journal_report(conn, title, manifest))


def run_records(conn: sqlite3.Connection, manifest: RunManifest | None) -> list[JournalRecord]:
    params = {
        "run_id": manifest.run_id if manifest else None,
        "start": manifest.started_ms if manifest else 0,
        "end": (manifest.ended_ms or 2**62) if manifest else 2**62,
    }
    return [
        JournalRecord(producer, seq, RecordKind(kind), ts_ms, market, payload)
        for producer, seq, kind, ts_ms, market, payload in conn.execute(_RECORDS, params)
    ]


def report_json(model: ReportModel) -> dict[str, Any]:
    """The page's figures as JSON: money in micro-USD, prices in pips, sizes in micro-shares
    (the journal's units), plus the derived drawdown."""
    body = asdict(model)
    body["max_drawdown"] = model.max_drawdown
    body["strategies"] = [asdict(s) | {"fill_rate": s.fill_rate} for s in model.strategies]
    return body


def _pick_run(conn: sqlite3.Connection, run_id: str | None) -> RunManifest | None:
    if run_id:
        found = get_run(conn, run_id)
        if found is None:
            raise CommandError(f"no run {run_id!r} in the journal")
        return found
    runs = list_runs(conn)
    return runs[-1] if runs else None
