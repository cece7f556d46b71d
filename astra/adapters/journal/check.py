"""`check_journal`: SQLite's integrity check plus the journal's own invariants.

Each problem has a stable code and a detail naming the rows involved:

- `missing`, `unreadable`, `schema`, `integrity`: the file itself;
- `seq_gap`: a producer's sequence numbers are not 1, 2, 3, ... (a record was lost);
- `payload_invalid`, `projection_missing`, `projection_orphan`, `projection_mismatch`: a
  projection row that is not exactly what its record says (or a record that has none);
- `fill_without_order`, `duplicate_fill`: fills that no order event explains, or twice-stored;
- `ledger_missing`, `ledger_invalid`, `ledger_behind_fills`, `ledger_mismatch`: the last
  stored ledger is not what the committed fills and settlements recompute to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from astra.adapters.journal.migrations import SchemaError
from astra.adapters.journal.projections import (
    PROJECTIONS,
    TABLES,
    PayloadError,
    Projection,
    Row,
    project,
)
from astra.adapters.journal.recovery import (
    LedgerEntry,
    fills,
    last_ledger,
    recompute_ledger,
)
from astra.adapters.journal.store import (
    JournalMissingError,
    StoredRecord,
    connect_readonly,
    read_records,
)
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.trading import Fill

MAX_PER_CODE = 20  # a badly broken journal names the first problems of each kind, not millions


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(slots=True)
class CheckReport:
    path: str
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "counts": self.counts,
            "problems": [p.to_dict() for p in self.problems],
        }


def check_journal(path: Path | str) -> CheckReport:
    """Check the journal at `path` read-only; never creates or modifies the file."""
    report = CheckReport(str(path))
    try:
        conn = connect_readonly(path)
    except JournalMissingError as exc:
        report.problems.append(Problem("missing", str(exc)))
        return report
    except SchemaError as exc:
        report.problems.append(Problem("schema", str(exc)))
        return report
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem("unreadable", f"{path}: {exc}"))
        return report
    try:
        _run_checks(conn, report)
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem("unreadable", f"{path}: {exc}"))
    finally:
        conn.close()
    return report


def _run_checks(conn: sqlite3.Connection, report: CheckReport) -> None:
    integrity = _integrity(conn)
    report.problems.extend(integrity)
    if integrity:
        return  # invariants over a corrupt file would only add noise
    records = read_records(conn)
    report.counts = _counts(records)
    for check in (_seq_gaps(conn), _fills_without_orders(conn), _projections(conn, records)):
        report.problems.extend(_capped(check))
    report.problems.extend(_ledger([s.record for s in records]))


def _capped(problems: Iterator[Problem]) -> list[Problem]:
    kept: list[Problem] = []
    per_code: dict[str, int] = {}
    for p in problems:
        per_code[p.code] = per_code.get(p.code, 0) + 1
        if per_code[p.code] <= MAX_PER_CODE:
            kept.append(p)
    return kept


def _counts(records: list[StoredRecord]) -> dict[str, int]:
    counts = {kind.value: 0 for kind in RecordKind}
    for s in records:
        counts[s.record.kind.value] += 1
    counts["records"] = len(records)
    return counts


def _integrity(conn: sqlite3.Connection) -> list[Problem]:
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else [Problem("integrity", r) for r in rows[:MAX_PER_CODE]]


def _seq_gaps(conn: sqlite3.Connection) -> Iterator[Problem]:
    rows = conn.execute(
        "SELECT producer, prev + 1, seq - 1 FROM ("
        "  SELECT producer, seq, lag(seq, 1, 0) OVER (PARTITION BY producer ORDER BY seq) AS prev"
        "  FROM records) WHERE seq != prev + 1 ORDER BY producer, seq"
    )
    for producer, first, last in rows:
        span = str(first) if first == last else f"{first}..{last}"
        yield Problem("seq_gap", f"producer {producer}: seq {span} missing")


def _fills_without_orders(conn: sqlite3.Connection) -> Iterator[Problem]:
    orphans = conn.execute(
        "SELECT fill_id, order_id, producer, seq FROM fills "
        "WHERE order_id NOT IN (SELECT order_id FROM order_events) ORDER BY producer, seq"
    )
    for fill_id, order_id, producer, seq in orphans:
        yield Problem(
            "fill_without_order",
            f"fill {fill_id} ({producer}, {seq}) names order {order_id}, which has no order event",
        )
    dupes = conn.execute(
        "SELECT fill_id, count(*) FROM fills GROUP BY fill_id HAVING count(*) > 1 ORDER BY fill_id"
    )
    for fill_id, n in dupes:
        yield Problem("duplicate_fill", f"fill {fill_id} is stored {n} times")


Key = tuple[Any, Any]


def _expected_rows(
    records: list[StoredRecord], table: str
) -> tuple[dict[Key, Row], dict[Key, Problem]]:
    """The rows `table` must hold, re-derived from the records; unreadable payloads apart."""
    expected: dict[Key, Row] = {}
    invalid: dict[Key, Problem] = {}
    for s in records:
        if PROJECTIONS[s.record.kind].table != table:
            continue
        key = (s.record.producer, s.record.seq)
        try:
            expected[key] = project(s.record)
        except PayloadError as exc:
            invalid[key] = Problem("payload_invalid", str(exc))
    return expected, invalid


def _projections(conn: sqlite3.Connection, records: list[StoredRecord]) -> Iterator[Problem]:
    for projection in TABLES:
        yield from _projection(conn, records, projection)


def _projection(
    conn: sqlite3.Connection, records: list[StoredRecord], projection: Projection
) -> Iterator[Problem]:
    expected, invalid = _expected_rows(records, projection.table)
    yield from invalid.values()
    stored = {(row[0], row[1]): tuple(row) for row in conn.execute(projection.select_sql)}
    table = projection.table
    for key, row in expected.items():
        if key not in stored:
            yield Problem("projection_missing", f"{table}: no row for record {key}")
        elif stored[key] != row:
            cols = [
                c for c, a, b in zip(projection.columns, row, stored[key], strict=True) if a != b
            ]
            yield Problem(
                "projection_mismatch",
                f"{table} row {key} differs from its record in {', '.join(cols)}",
            )
    for key in sorted(stored.keys() - expected.keys() - invalid.keys()):
        yield Problem("projection_orphan", f"{table} row {key} has no record of its kind")


def _ledger(records: list[JournalRecord]) -> list[Problem]:
    try:
        all_fills = fills(records)
        entry = last_ledger(records)
    except (KeyError, ValueError, TypeError) as exc:
        return [Problem("ledger_invalid", f"cannot read fills/ledger payloads: {exc!r}")]
    if entry is None:
        if all_fills:
            return [Problem("ledger_missing", f"{len(all_fills)} fills but no ledger entry")]
        return []
    return _compare_ledger(entry, all_fills)


def _compare_ledger(entry: LedgerEntry, all_fills: list[Fill]) -> list[Problem]:
    distinct: dict[str, Fill] = {}
    for fill in all_fills:  # a duplicate is reported on its own; count the first copy only
        distinct.setdefault(fill.fill_id, fill)
    if entry.fills != len(distinct):
        return [
            Problem(
                "ledger_behind_fills",
                f"last ledger entry counts {entry.fills} fills, the journal holds {len(distinct)}",
            )
        ]
    totals = recompute_ledger(distinct.values(), entry.opening_cash, entry.settled, entry.merged)
    stored = {"cash": entry.cash, "fees": entry.fees, "sizes": entry.sizes()}
    wanted = {"cash": totals.cash, "fees": totals.fees, "sizes": totals.sizes}
    return [
        Problem(
            "ledger_mismatch",
            f"ledger {name} is {stored[name]}, fills recompute to {wanted[name]}",
        )
        for name in stored
        if stored[name] != wanted[name]
    ]
