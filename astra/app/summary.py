"""The final JSON summary of a run, computed from the committed journal alone.

`journal_digest` is SHA-256 over every record in (producer, seq) order — producer, seq, kind,
ts, market and payload — with the payload's wall-clock-only fields removed (`run_id`, which
is random per process; run manifests live outside the records table). In a replay every
timestamp is event time, so two replays of the same recording with the same seed produce the
same digest, and any difference in a decision, order, fill, ledger or halt changes it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from astra.app.arb_summary import episodes_of_records, is_arb_record
from astra.app.arb_summary import summary as arb_summary
from astra.app.funnel import funnel, usd
from astra.app.journal_stream import JournalRecords
from astra.domain.journal_record import JournalRecord, RecordKind

WALL_CLOCK_FIELDS = frozenset({"run_id"})
RISK_PRODUCER = "risk"


def journal_digest(records: Iterable[JournalRecord]) -> str:
    digest = hashlib.sha256()
    ordered = (
        records.in_digest_order()  # streamed: no sort of the whole journal in memory
        if isinstance(records, JournalRecords)
        else sorted(records, key=lambda r: (r.producer, r.seq))
    )
    for record in ordered:
        payload = {k: v for k, v in record.data().items() if k not in WALL_CLOCK_FIELDS}
        line = [record.producer, record.seq, record.kind.value, record.ts_ms, record.market]
        digest.update(json.dumps([*line, payload], sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def summarise(records: Collection[JournalRecord], **extra: Any) -> dict[str, Any]:
    """Counts, orders, fills, halts and P&L of the journal's records, plus `extra` fields."""
    # The EventActors' arbitrage transitions are DECISION records too, but no evaluation.
    arb = [r for r in records if is_arb_record(r)]
    kinds = Counter(r.kind for r in records if not is_arb_record(r))
    decisions = Counter(
        r.data().get("action", "?")
        for r in records
        if r.kind is RecordKind.DECISION and not is_arb_record(r)
    )
    summary: dict[str, Any] = {
        **extra,
        "records": len(records),
        "evaluations": kinds[RecordKind.DECISION],
        "decisions": dict(sorted(decisions.items())),
        "orders": _orders(records),
        "fills": kinds[RecordKind.FILL],
        "halts": _halts(records),
        "incidents": kinds[RecordKind.INCIDENT],
        "pnl": _pnl(records),
        "strategies": funnel(records),
        "journal_digest": journal_digest(records),
    }
    if arb:
        summary["arbitrage"] = arb_summary(episodes_of_records(arb))
    return summary


def _orders(records: Collection[JournalRecord]) -> dict[str, Any]:
    final: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.kind is RecordKind.ORDER_EVENT:
            data = record.data()
            final[data["order_id"]] = data
    ends = Counter(f"{d['state']}:{d['reason']}" for d in final.values())
    rejected = sum(1 for d in final.values() if d["state"] == "rejected")
    return {
        "placed": len(final) - rejected,
        "rejected": rejected,
        "final_states": dict(sorted(ends.items())),
    }


def _halts(records: Collection[JournalRecord]) -> list[dict[str, Any]]:
    return [
        {"producer": r.producer, "reason": r.data()["reason"], "ts_ms": r.ts_ms}
        for r in records
        if r.kind is RecordKind.HALT
    ]


def _pnl(records: Collection[JournalRecord]) -> dict[str, Any] | None:
    ledger = None
    for record in records:
        if record.kind is RecordKind.LEDGER and record.producer == RISK_PRODUCER:
            ledger = record.data()
    if ledger is None:
        return None
    positions = ledger.get("positions", {})
    at_cost = sum(int(p["cost"]) for p in positions.values())
    opening = int(ledger["opening_cash"])
    cash = int(ledger["cash"])
    return {
        "opening_cash_usd": usd(opening),
        "cash_usd": usd(cash),
        "realised_usd": usd(int(ledger["realised"])),
        "fees_usd": usd(int(ledger["fees"])),
        "positions": {a: int(p["size"]) for a, p in sorted(positions.items())},
        "equity_at_cost_usd": usd(cash + at_cost),
        "pnl_at_cost_usd": usd(cash + at_cost - opening),
        # Marked (docs/accounting.md): the last ledger record's equity; None in a journal from
        # before equity records, where only the at-cost figures exist.
        "equity_marked_usd": usd(int(ledger["equity"])) if "equity" in ledger else None,
        "pnl_marked_usd": usd(int(ledger["equity"]) - opening) if "equity" in ledger else None,
    }
