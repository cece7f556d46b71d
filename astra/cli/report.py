"""`astra report [RUN] [--data-dir DIR | --journal FILE] [--out FILE] [--json]`: an HTML report of
one run from the journal (`--journal`: any journal file, e.g. a replay's `replay.sqlite3`).
`--json` prints the run's marked equity, drawdown and performance metrics (Sharpe, Sortino,
Calmar, max drawdown, win rate, profit factor, Brier; overall and per strategy, each with its
sample count or why it is insufficient; `astra.app.performance_summary`) instead of the path.

RUN defaults to the latest run in the journal. A record belongs to the run when its payload
carries that `run_id` (decisions always do), or, for payloads without a run id (fills, ledger
snapshots), when its timestamp falls inside the run's [started, ended] window. With no runs
recorded at all, the whole journal is reported.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from astra.adapters.journal.runs import RunManifest, get_run, list_runs
from astra.adapters.journal.store import JournalError, connect_readonly
from astra.adapters.report import write_report
from astra.app.funnel import pnl_by_market
from astra.app.performance_summary import equity_of, performance_summary
from astra.cli.common import add_journal_arg, add_settings_args, journal_file, settings_from_args
from astra.cli.main import CommandError
from astra.domain.journal_record import JournalRecord, RecordKind

KINDS = ("fill", "ledger", "decision", "risk_event")

_RECORDS = """
SELECT ts_ms, market, payload FROM records
WHERE kind = :kind AND (
    :run_id IS NULL
    OR json_extract(payload, '$.run_id') = :run_id
    OR (json_extract(payload, '$.run_id') IS NULL AND ts_ms BETWEEN :start AND :end)
)
ORDER BY id
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="write an HTML report with plots", description=__doc__
    )
    parser.add_argument("run", nargs="?", metavar="RUN", help="run id (default: the latest)")
    add_settings_args(parser)
    add_journal_arg(parser)
    parser.add_argument("--out", metavar="FILE", help="output file (default: report-<run>.html)")
    parser.add_argument(
        "--json", action="store_true", help="print equity and performance metrics as JSON"
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
        performance = journal_performance(conn, manifest, interval_ms)
        out = write_journal_report(
            conn,
            args.out or f"report-{name}.html",
            f"Astra report: {name}",
            manifest,
            performance=performance,
        )
        if args.json:
            body = {"run": name, "report": str(out), **performance}
            print(json.dumps(body, sort_keys=True, indent=2))
    finally:
        conn.close()
    if not args.json:
        print(out)
    return 0


def journal_performance(
    conn: sqlite3.Connection, manifest: RunManifest | None, returns_interval_ms: int = 300_000
) -> dict[str, Any]:
    """The run's marked equity figures and `performance_summary`, from its records."""
    records = _records(conn, manifest)
    summary = performance_summary(records, returns_interval_ms=returns_interval_ms)
    summary["equity"] = equity_summary(records)
    return summary


def equity_summary(records: Sequence[JournalRecord]) -> dict[str, Any] | None:
    """First and last marked equity, the peak, the deepest drawdown (USD and fraction), the
    last record's cash, marked value, realised, unrealised and fees (micro-USD)."""
    marked = [(r, r.data()) for r in records if equity_of(r) is not None]
    if not marked:
        return None
    peak, worst = 0, 0.0
    for _, data in marked:
        peak = max(peak, int(data["equity"]))
        if peak > 0:
            worst = max(worst, (peak - int(data["equity"])) / peak)
    last = marked[-1][1]
    return {
        "first": int(marked[0][1]["equity"]),
        "last": int(last["equity"]),
        "peak": peak,
        "max_drawdown": worst,
        "records": len(marked),
        **{k: last.get(k) for k in ("cash", "marked_value", "realised", "unrealised", "fees")},
    }


def write_journal_report(
    conn: sqlite3.Connection,
    out: str | Path,
    title: str,
    manifest: RunManifest | None = None,
    *,
    performance: dict[str, Any] | None = None,
) -> Path:
    """Read the run's rows (`manifest` None: the whole journal) and write the HTML report
    (`performance`: `journal_performance`'s answer, computed here when not given)."""
    rows = {kind: _rows(conn, kind, manifest) for kind in KINDS}
    if performance is None:
        performance = journal_performance(conn, manifest)
    return write_report(
        out,
        fills=rows["fill"],
        ledger=rows["ledger"],
        decisions=rows["decision"],
        title=title,
        run=manifest.to_dict() if manifest else None,
        market_pnl=market_pnl(rows["fill"] + rows["risk_event"]),
        performance=performance,
    )


_JOURNAL_RECORDS = """
SELECT producer, seq, kind, ts_ms, market, payload FROM records
WHERE kind IN ('fill', 'ledger', 'decision', 'risk_event') AND (
    :run_id IS NULL
    OR json_extract(payload, '$.run_id') = :run_id
    OR (json_extract(payload, '$.run_id') IS NULL AND ts_ms BETWEEN :start AND :end)
)
ORDER BY id
"""


def _records(conn: sqlite3.Connection, manifest: RunManifest | None) -> list[JournalRecord]:
    """The run's fills, ledgers, decisions and risk events as records, in journal order."""
    params = {
        "run_id": manifest.run_id if manifest else None,
        "start": manifest.started_ms if manifest else 0,
        "end": (manifest.ended_ms or 2**62) if manifest else 2**62,
    }
    return [
        JournalRecord(producer, seq, RecordKind(kind), ts_ms, market, payload)
        for producer, seq, kind, ts_ms, market, payload in conn.execute(_JOURNAL_RECORDS, params)
    ]


def _pick_run(conn: sqlite3.Connection, run_id: str | None) -> RunManifest | None:
    if run_id:
        found = get_run(conn, run_id)
        if found is None:
            raise CommandError(f"no run {run_id!r} in the journal")
        return found
    runs = list_runs(conn)
    return runs[-1] if runs else None


def _rows(
    conn: sqlite3.Connection, kind: str, manifest: RunManifest | None
) -> list[dict[str, Any]]:
    params = {
        "kind": kind,
        "run_id": manifest.run_id if manifest else None,
        "start": manifest.started_ms if manifest else 0,
        "end": (manifest.ended_ms or 2**62) if manifest else 2**62,
    }
    rows = []
    for ts_ms, market, payload in conn.execute(_RECORDS, params):
        row: dict[str, Any] = json.loads(payload)
        row.update(ts_ms=ts_ms, market=market if market is not None else row.get("market"))
        rows.append(row)
    return rows


def market_pnl(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """(market, USD) bars from fill and risk-event rows (journal order): realised P&L with
    settlements plus open positions at cost, worst first (`astra.app.funnel.pnl_by_market`)."""
    records = []
    for i, row in enumerate(sorted(rows, key=lambda r: int(r["ts_ms"]))):
        kind = RecordKind.FILL if "fill_id" in row else RecordKind.RISK_EVENT
        payload = {k: v for k, v in row.items() if k not in ("ts_ms", "market")}
        records.append(
            JournalRecord.build("report", i, kind, int(row["ts_ms"]), row["market"], payload)
        )
    pnl = pnl_by_market(records)
    return sorted(((m, v / 1_000_000) for m, v in pnl.items()), key=lambda item: item[1])
