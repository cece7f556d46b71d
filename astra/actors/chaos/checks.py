"""The chaos suite's invariants over the journal and the live actors (pure functions).

Each check returns an `Invariant` with its figures; `ok` is False on any violation.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from astra.actors.fill_replay import fill_from_record
from astra.actors.market_actor import market_producer
from astra.actors.market_state import open_orders_from_journal
from astra.actors.ports import JournalReader
from astra.actors.risk_book import DomainRiskBook
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.reasons import OrderReason
from astra.domain.risk_limits import RiskLimits


@dataclass(frozen=True, slots=True)
class Invariant:
    key: str
    name: str
    ok: bool
    figures: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "ok": self.ok, "figures": dict(self.figures)}


def all_records(journal: JournalReader) -> list[JournalRecord]:
    return [stored.record for stored in journal.records_since(0)]


def by_producer(records: Sequence[JournalRecord]) -> dict[str, list[JournalRecord]]:
    out: dict[str, list[JournalRecord]] = {}
    for record in records:
        out.setdefault(record.producer, []).append(record)
    for rows in out.values():
        rows.sort(key=lambda r: r.seq)
    return out


def no_submit_while_halted(records: Sequence[JournalRecord]) -> Invariant:
    """(b) Per market, walking its records in sequence: no submit between its halt marker
    and the next resume marker."""
    violations = 0
    submits = 0
    for producer, rows in by_producer(records).items():
        if not producer.startswith(market_producer("")):
            continue
        halted = True  # every market comes up halted
        for record in rows:
            data = record.data()
            if record.kind is RecordKind.RISK_EVENT:
                halted = data["state"] == "halted"
            elif record.kind is RecordKind.ORDER_EVENT and data["reason"] == "submitted":
                submits += 1
                violations += int(halted)
    figures = {"submits": submits, "submits_while_halted": violations}
    return Invariant("b", "no order submitted after a halt until a resume", not violations, figures)


def orders_digest_rows(rows: Sequence[JournalRecord]) -> str:
    """The journal's view of a market's open orders, digested like `MarketState`."""
    still_open = open_orders_from_journal(rows)
    lines = sorted(
        f"{oid}|{d['state']}|{d['price']}|{d['size']}|{d['filled']}"
        for oid, d in still_open.items()
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def replayed_ledger_digest(
    records: Sequence[JournalRecord], limits: RiskLimits, cash: int, now_ms: int
) -> str:
    book = DomainRiskBook(limits, cash, now_ms)
    for record in records:
        if record.kind is RecordKind.FILL:
            book.apply_fill(fill_from_record(record), now_ms)
    return book.digest()


def state_equals_replay(
    records: Sequence[JournalRecord],
    live_orders: Mapping[str, str],
    live_ledger: str | None,
    replayed_ledger: str,
) -> Invariant:
    """(d) Every market's open orders and the RiskActor's ledger equal a journal replay."""
    grouped = by_producer(records)
    mismatched = sorted(
        name
        for name, digest in live_orders.items()
        if orders_digest_rows(grouped.get(name, [])) != digest
    )
    ledger_ok = live_ledger == replayed_ledger
    figures = {
        "markets_compared": len(live_orders),
        "market_mismatches": len(mismatched),
        "first_mismatches": mismatched[:5],
        "ledger_matches": ledger_ok,
    }
    return Invariant(
        "d", "restarted state equals a replay of the journal", ledger_ok and not mismatched, figures
    )


def no_duplicates(records: Sequence[JournalRecord]) -> Invariant:
    """(f) Every submitted order id and every fill id appears once in the whole journal."""
    orders: Counter[str] = Counter()
    fills: Counter[str] = Counter()
    for record in records:
        if record.kind is RecordKind.FILL:
            fills[record.data()["fill_id"]] += 1
        elif record.kind is RecordKind.ORDER_EVENT:
            data = record.data()
            if data["reason"] == OrderReason.SUBMITTED.value:
                orders[data["order_id"]] += 1
    dup_orders = sum(1 for c in orders.values() if c > 1)
    dup_fills = sum(1 for c in fills.values() if c > 1)
    figures = {
        "orders": len(orders),
        "fills": len(fills),
        "duplicate_orders": dup_orders,
        "duplicate_fills": dup_fills,
    }
    return Invariant(
        "f",
        "no duplicate orders or fills after restarts",
        not dup_orders and not dup_fills,
        figures,
    )


def accounting(rows: Mapping[str, tuple[int, int, int, int, int]]) -> Invariant:
    """(e) sent = processed + dead-lettered + fatal + denied, per message kind."""
    broken = {
        kind: {"sent": s, "processed": p, "dead": d, "fatal": f, "denied": n}
        for kind, (s, p, d, f, n) in rows.items()
        if s != p + d + f + n
    }
    figures: dict[str, Any] = {
        kind: {"sent": s, "processed": p, "dead_lettered": d, "fatal": f, "denied": n}
        for kind, (s, p, d, f, n) in rows.items()
    }
    figures["unbalanced"] = sorted(broken)
    return Invariant("e", "sent = processed + dead-lettered + denied", not broken, figures)
