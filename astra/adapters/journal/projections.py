"""Typed projections: one table per record kind, derived from the record's payload.

The extraction is the only place that knows how a payload maps to columns. The store uses it
to write, and the checker uses it to re-derive every projection row from its record and
compare, so the two can never disagree about what "consistent" means. A payload that lacks a
field or has the wrong type raises PayloadError naming the record: it is never stored half-typed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from astra.domain.journal_record import JournalRecord, RecordKind

Row = tuple[object, ...]


class PayloadError(ValueError):
    """A record's payload does not follow the journal's conventions (docs/journal.md)."""


def _where(record: JournalRecord) -> str:
    return f"{record.kind.value} record ({record.producer}, {record.seq})"


def _int(record: JournalRecord, data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{_where(record)}: '{key}' must be an integer, got {value!r}")
    return value


def _str(record: JournalRecord, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{_where(record)}: '{key}' must be a string, got {value!r}")
    return value


def _opt_str(record: JournalRecord, data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise PayloadError(f"{_where(record)}: '{key}' must be a string or null, got {value!r}")
    return value


def _detail(data: Mapping[str, Any]) -> str | None:
    """Free-form detail: a string as is, anything else as canonical JSON."""
    value = data.get("detail")
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


Extract = Callable[[JournalRecord, Mapping[str, Any]], Row]
_Read = Callable[[JournalRecord, Mapping[str, Any], str], object]


def _record_key(r: JournalRecord) -> Row:
    return (r.producer, r.seq, r.ts_ms)


def _market_row(*fields: tuple[_Read, str]) -> Extract:
    """A row of the record's key and market, then these payload fields, each read and checked."""

    def extract(r: JournalRecord, d: Mapping[str, Any]) -> Row:
        return (*_record_key(r), r.market, *(read(r, d, key) for read, key in fields))

    return extract


_decision = _market_row(
    (_str, "action"), (_str, "run_id"), (_opt_str, "definition_hash"), (_int, "schema_version")
)
_order_event = _market_row(
    *((_str, key) for key in ("order_id", "asset_id", "side")),
    *((_int, key) for key in ("price", "size", "filled")),
    (_str, "state"),
    (_str, "reason"),
)
_fill = _market_row(
    *((_str, key) for key in ("fill_id", "order_id", "asset_id", "side")),
    *((_int, key) for key in ("price", "size", "fee")),
    (_str, "liquidity"),
)


def _opt_int(record: JournalRecord, data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise PayloadError(f"{_where(record)}: '{key}' must be an integer or null, got {value!r}")
    return value


_markout = _market_row(
    (_str, "fill_id"), (_str, "strategy"), (_int, "horizon_ms"), (_opt_int, "mid"),
    (_opt_int, "markout"),
)  # fmt: skip


def _ledger(r: JournalRecord, d: Mapping[str, Any]) -> Row:
    if not isinstance(d.get("positions"), dict):
        raise PayloadError(f"{_where(r)}: 'positions' must be an object")
    if not isinstance(d.get("settled", {}), dict):
        raise PayloadError(f"{_where(r)}: 'settled' must be an object")
    # Not columns, but the checker recomputes the ledger from them: required at write time.
    _int(r, d, "opening_cash")
    _int(r, d, "fills")
    return (
        *_record_key(r),
        _int(r, d, "cash"),
        _int(r, d, "fees"),
        _int(r, d, "realised"),
    )


def _risk(r: JournalRecord, d: Mapping[str, Any]) -> Row:
    return (
        *_record_key(r),
        r.kind.value,
        _str(r, d, "state"),
        _str(r, d, "reason"),
        _detail(d),
    )


def _incident(r: JournalRecord, d: Mapping[str, Any]) -> Row:
    return (
        *_record_key(r),
        _str(r, d, "actor_kind"),
        _str(r, d, "actor_name"),
        _str(r, d, "reason"),
        _detail(d),
        _int(r, d, "dead_letters"),
    )


@dataclass(frozen=True, slots=True)
class Projection:
    table: str
    columns: tuple[str, ...]
    extract: Extract

    @property
    def insert_sql(self) -> str:
        marks = ", ".join("?" for _ in self.columns)
        # Table and column names are constants of this module, never input.
        return f"INSERT OR IGNORE INTO {self.table} ({', '.join(self.columns)}) VALUES ({marks})"  # noqa: S608

    @property
    def select_sql(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.table}"  # noqa: S608


_KEY = ("producer", "seq", "ts_ms")
_RISK = Projection("risk_events", (*_KEY, "kind", "state", "reason", "detail"), _risk)

PROJECTIONS: dict[RecordKind, Projection] = {
    RecordKind.DECISION: Projection(
        "decisions",
        (*_KEY, "market", "action", "run_id", "definition_hash", "decision_schema_version"),
        _decision,
    ),
    RecordKind.ORDER_EVENT: Projection(
        "order_events",
        (
            *_KEY,
            *("market", "order_id", "asset_id", "side", "price", "size", "filled", "state"),
            "reason",
        ),
        _order_event,
    ),
    RecordKind.FILL: Projection(
        "fills",
        (
            *_KEY,
            *("market", "fill_id", "order_id", "asset_id", "side", "price", "size", "fee"),
            "liquidity",
        ),
        _fill,
    ),
    RecordKind.LEDGER: Projection("ledger_entries", (*_KEY, "cash", "fees", "realised"), _ledger),
    RecordKind.RISK_EVENT: _RISK,
    RecordKind.HALT: _RISK,
    RecordKind.INCIDENT: Projection(
        "incidents",
        (*_KEY, "actor_kind", "actor_name", "reason", "detail", "dead_letters"),
        _incident,
    ),
    RecordKind.MARKOUT: Projection(
        "markouts",
        (*_KEY, "market", "fill_id", "strategy", "horizon_ms", "mid", "markout"),
        _markout,
    ),
}

# Each projection table once (risk events and halts share one).
TABLES: tuple[Projection, ...] = tuple({p.table: p for p in PROJECTIONS.values()}.values())


# Kinds whose columns are only strings, integers and type checks. orjson parses those to the
# same values as the stdlib, except integers beyond 64 bits (it makes them floats, which the
# integer check refuses) and texts it rejects (NaN, lone surrogates): both retry below.
# Kinds with a free-form `detail` always use the stdlib, whose numbers it re-serialises.
_FAST = frozenset(
    {
        RecordKind.DECISION,
        RecordKind.ORDER_EVENT,
        RecordKind.FILL,
        RecordKind.LEDGER,
        RecordKind.MARKOUT,
    }
)


def project(record: JournalRecord) -> Row:
    """The projection row of one record; PayloadError if its payload breaks the conventions.

    Every journal write projects every record, so the common kinds try orjson first (about
    twice as fast on a decision); anything it cannot take exactly goes the stdlib way, which
    decides the row or the error just as it always did."""
    if record.kind in _FAST:
        try:
            data = orjson.loads(record.payload)
            if isinstance(data, dict):
                return PROJECTIONS[record.kind].extract(record, data)
        except (orjson.JSONDecodeError, PayloadError):
            pass
    return _project_stdlib(record)


def _project_stdlib(record: JournalRecord) -> Row:
    try:
        data = json.loads(record.payload)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"{_where(record)}: payload is not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise PayloadError(f"{_where(record)}: payload must be a JSON object")
    return PROJECTIONS[record.kind].extract(record, data)
