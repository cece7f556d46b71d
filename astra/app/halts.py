"""Which halts survive a process restart, recomputed from the committed journal.

A halt is durable when it says something about the market, the money or the operator's
intent (operator, daily loss, drawdown, actor failure, journal outage, escalation, stale
feed). The halts every start and stop produce by construction (startup, a RiskActor coming
up after a restart, shutdown) are not: they describe the process, and the next start
produces its own. An explicit resume (a RISK_EVENT `active`/`resume` from the RiskActor)
clears every durable halt before it.

Only the RiskActor's and the halt protocol's records count: MarketActors journal their own
local gate ("halted"/"restart" on every start), which is not the trading state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.reasons import HaltReason
from astra.domain.risk import PROCESS_HALTS

RISK_PRODUCER = "risk"
SUPERVISION_PRODUCER = "supervision"
TRADING_PRODUCERS = frozenset({RISK_PRODUCER, SUPERVISION_PRODUCER})


@dataclass(frozen=True, slots=True)
class DurableHalt:
    reason: HaltReason
    since_ms: int
    detail: str


def durable_halts(records: Iterable[JournalRecord]) -> dict[HaltReason, DurableHalt]:
    """The durable halts active after `records` (in commit order); empty means none."""
    active: dict[HaltReason, DurableHalt] = {}
    for record in records:
        if record.producer not in TRADING_PRODUCERS:
            continue
        data = record.data()
        if record.kind is RecordKind.HALT:
            reason = HaltReason(data["reason"])
            if reason not in PROCESS_HALTS and reason not in active:
                active[reason] = DurableHalt(reason, record.ts_ms, str(data.get("detail", "")))
        elif record.kind is RecordKind.RISK_EVENT and _is_resume(data):
            active.clear()
    return active


def _is_resume(data: Mapping[str, object]) -> bool:
    return data.get("state") == "active" and data.get("reason") == "resume"
