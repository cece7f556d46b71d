"""When the RiskActor journals marked equity, and what it reads back at start.

The equity record is the risk producer's LEDGER record (docs/journal.md, docs/accounting.md):
besides cash, fees, realised and the positions it carries `equity` (cash plus positions at
their marks), `marked_value`, `unrealised`, `trigger` and `risk`, the durable risk state
(high-water mark, day and day-start equity, daily P&L, the cooldown's last halt, the marks).
It is written on start, on every fill and settlement (`trigger` fill/settlement), and from
marks: at once when equity makes a new high-water mark (`peak`: a drawdown halt after a
restart is measured from the true peak) and otherwise once `interval_ms` of event time has
passed since the last one (`interval`), checked after every message the RiskActor handles
(a live engine sends `EquityTick` every second, so a flat book keeps the cadence); and on
shutdown (`stop`: the run's last equity, the end of its partial last interval).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from astra.actors.ports import JournalReader
from astra.domain.journal_record import JournalRecord, RecordKind

ACCOUNT_FIELDS = ("equity", "cash", "marked_value", "realised", "unrealised", "fees")


class EquityJournal:
    def __init__(self, interval_ms: int) -> None:
        if interval_ms <= 0:
            raise ValueError("equity interval must be positive")
        self._interval = interval_ms
        self._last_ms: int | None = None
        self._peak: int | None = None
        self.account: dict[str, Any] | None = None  # the last record's figures (status)

    def due(self, equity: int, now_ms: int) -> str | None:
        """The trigger of an equity record due after a marks report, or None."""
        if self._peak is not None and equity > self._peak:
            return "peak"
        if self._last_ms is None or now_ms - self._last_ms >= self._interval:
            return "interval"
        return None

    def journaled(self, payload: Mapping[str, Any], now_ms: int) -> None:
        self._last_ms = now_ms
        risk = payload.get("risk")
        if isinstance(risk, Mapping) and isinstance(risk.get("peak_equity"), int):
            self._peak = int(risk["peak_equity"])
            self.account = {k: payload[k] for k in ACCOUNT_FIELDS if k in payload}
            self.account.update(
                peak_equity=risk["peak_equity"],
                day_start_equity=risk.get("day_start_equity"),
                daily_pnl=risk.get("daily_pnl"),
                ts_ms=now_ms,
            )


def producer_ledgers(
    journal: JournalReader, pending: Iterable[JournalRecord], producer: str
) -> list[JournalRecord]:
    """`producer`'s LEDGER records, committed or still in its outbox, in seq order."""
    records = [s.record for s in journal.records_since(0, [RecordKind.LEDGER])]
    records += [r for r in pending if r.kind is RecordKind.LEDGER]
    return sorted((r for r in records if r.producer == producer), key=lambda r: r.seq)


def last_durable(ledgers: Sequence[JournalRecord]) -> Mapping[str, Any] | None:
    """The `risk` block of the last LEDGER record that has one (None: nothing journaled)."""
    for record in reversed(ledgers):
        if record.kind is not RecordKind.LEDGER:
            continue
        risk = record.data().get("risk")
        if risk is not None:
            return risk if isinstance(risk, Mapping) else {}
    return None
