"""Rebuilding state from the journal: pure functions over committed records.

Recovery is the start path (crash-only design): the RiskActor, the MarketActors and the crash
harness all call these on the records `JournalStore.records_since` returns (commit order).
Nothing here touches the database, so an independent recomputation can use the same readers
on a copy of the journal. "Latest" always means last committed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.prices import Side, notional_micros
from astra.domain.reasons import OrderReason
from astra.domain.trading import Fill, Liquidity

# An order in one of these states rests no longer; anything else is open.
TERMINAL_ORDER_STATES = frozenset({"filled", "canceled", "cancelled", "rejected", "expired"})
HALTED_STATE = "HALTED"
# MarketActors journal their own local gate ("halted"/"restart" on every start, "active"/
# "resume") under this producer prefix; that is not the trading state.
MARKET_PRODUCER_PREFIX = "market:"
# The kinds a restart needs (decisions are the bulk of the journal and are not needed).
RECOVERY_KINDS = (
    RecordKind.ORDER_EVENT,
    RecordKind.FILL,
    RecordKind.LEDGER,
    RecordKind.RISK_EVENT,
    RecordKind.HALT,
)


@dataclass(frozen=True, slots=True)
class OrderState:
    """An order as its last committed order event left it."""

    order_id: str
    market: str | None
    asset_id: str
    side: str
    price: int
    size: int
    filled: int
    state: str
    reason: str
    ts_ms: int

    @property
    def is_open(self) -> bool:
        return self.state.lower() not in TERMINAL_ORDER_STATES


@dataclass(frozen=True, slots=True)
class RiskState:
    """The last committed risk event or halt."""

    state: str
    reason: str
    detail: Any
    snapshot: Any
    ts_ms: int

    @property
    def halted(self) -> bool:
        return self.state.upper() == HALTED_STATE


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A stored ledger snapshot (docs/journal.md: ledger payload)."""

    cash: int
    fees: int
    realised: int
    positions: Mapping[str, Mapping[str, int]]
    opening_cash: int
    fills: int
    settled: Mapping[str, int]
    ts_ms: int
    merged: Mapping[str, int] = field(default_factory=dict)  # market -> pairs merged

    def sizes(self) -> dict[str, int]:
        """Non-zero position sizes per asset."""
        return {a: int(p["size"]) for a, p in self.positions.items() if int(p["size"]) != 0}


@dataclass(frozen=True, slots=True)
class LedgerTotals:
    """What fills and settlements alone determine: cash, fees and position sizes."""

    cash: int
    fees: int
    sizes: dict[str, int] = field(default_factory=dict)


def _of(records: Iterable[JournalRecord], *kinds: RecordKind) -> Iterable[JournalRecord]:
    return (r for r in records if r.kind in kinds)


def order_state(record: JournalRecord) -> OrderState:
    d = record.data()
    return OrderState(
        d["order_id"],
        record.market,
        d["asset_id"],
        d["side"],
        d["price"],
        d["size"],
        d["filled"],
        d["state"],
        d["reason"],
        record.ts_ms,
    )


def latest_orders(records: Iterable[JournalRecord]) -> dict[str, OrderState]:
    """Every order id's last committed state."""
    return {s.order_id: s for s in map(order_state, _of(records, RecordKind.ORDER_EVENT))}


def open_orders(records: Iterable[JournalRecord]) -> dict[str, OrderState]:
    """Orders whose last committed state is not terminal (they were resting)."""
    return {oid: s for oid, s in latest_orders(records).items() if s.is_open}


def restart_cancel_payload(order: OrderState) -> dict[str, Any]:
    """The order_event payload that cancels an order found resting at restart.

    Its market data was not observed while the process was down, so it cannot be known
    whether it would have filled; the paper order is canceled with reason `restart`.
    """
    return {
        "order_id": order.order_id,
        "asset_id": order.asset_id,
        "side": order.side,
        "price": order.price,
        "size": order.size,
        "filled": order.filled,
        "state": "canceled",
        "reason": OrderReason.RESTART.value,
    }


def to_fill(record: JournalRecord) -> Fill:
    d = record.data()
    return Fill(
        d["fill_id"],
        d["order_id"],
        record.market or "",
        d["asset_id"],
        Side(d["side"]),
        d["price"],
        d["size"],
        d["fee"],
        Liquidity(d["liquidity"]),
        record.ts_ms,
    )


def fills(records: Iterable[JournalRecord]) -> list[Fill]:
    """Every committed fill in commit order (duplicates are kept: see `duplicate_fill_ids`)."""
    return [to_fill(r) for r in _of(records, RecordKind.FILL)]


def fills_by_market(records: Iterable[JournalRecord]) -> dict[str, dict[str, list[Fill]]]:
    """Fills grouped by market, then token."""
    grouped: dict[str, dict[str, list[Fill]]] = {}
    for f in fills(records):
        grouped.setdefault(f.market, {}).setdefault(f.asset_id, []).append(f)
    return grouped


def duplicate_fill_ids(all_fills: Iterable[Fill]) -> list[str]:
    counts = Counter(f.fill_id for f in all_fills)
    return sorted(fid for fid, n in counts.items() if n > 1)


def sequence_numbers(records: Iterable[JournalRecord]) -> dict[str, int]:
    """Each producer's highest committed sequence number; the next record is that + 1."""
    seqs: dict[str, int] = {}
    for r in records:
        seqs[r.producer] = max(seqs.get(r.producer, 0), r.seq)
    return seqs


def last_risk_state(records: Iterable[JournalRecord]) -> RiskState | None:
    """The last risk event or halt of the trading state (the RiskActor's, the halt
    protocol's; not a MarketActor's own gate); `halted` tells whether a restart must come
    up HALTED."""
    last: RiskState | None = None
    for r in _of(records, RecordKind.RISK_EVENT, RecordKind.HALT):
        if r.producer.startswith(MARKET_PRODUCER_PREFIX):
            continue
        d = r.data()
        last = RiskState(d["state"], d["reason"], d.get("detail"), d.get("snapshot"), r.ts_ms)
    return last


def ledger_entry(record: JournalRecord) -> LedgerEntry:
    d = record.data()
    return LedgerEntry(
        d["cash"],
        d["fees"],
        d["realised"],
        d["positions"],
        d["opening_cash"],
        d["fills"],
        d.get("settled", {}),
        record.ts_ms,
        {str(m): int(n) for m, n in d.get("merged", {}).items()},
    )


def last_ledger(records: Iterable[JournalRecord]) -> LedgerEntry | None:
    last: JournalRecord | None = None
    for r in _of(records, RecordKind.LEDGER):
        last = r
    return None if last is None else ledger_entry(last)


def recompute_ledger(
    all_fills: Iterable[Fill],
    opening_cash: int,
    settled: Mapping[str, int],
    merged: Mapping[str, int] | None = None,
) -> LedgerTotals:
    """Cash, fees and sizes from fills, settlement payouts and merges alone (order-independent
    sums).

    Notional is `notional_micros` (floor) on both sides; a fee is paid (a rebate is negative);
    a settled token's position is closed and its payout is cash; `merged` pairs of a market
    (micro-shares) left both of its tokens and paid exactly 1 each.
    """
    merged = merged or {}
    cash = opening_cash + sum(settled.values()) + sum(merged.values())
    fees, sizes = 0, Counter[str]()
    fills_list = list(all_fills)
    assets = {(f.market, f.asset_id) for f in fills_list}
    for market, pairs in merged.items():
        for fill_market, asset in assets:
            if fill_market == market:
                sizes[asset] -= pairs
    for f in fills_list:
        notional = notional_micros(f.price, f.size)
        signed = f.size if f.side is Side.BUY else -f.size
        cash += -notional if f.side is Side.BUY else notional
        cash -= f.fee
        fees += f.fee
        sizes[f.asset_id] += signed
    return LedgerTotals(cash, fees, {a: s for a, s in sizes.items() if s != 0 and a not in settled})


@dataclass(frozen=True, slots=True)
class Recovered:
    """Everything a restart rebuilds, from one pass over the committed records."""

    open_orders: dict[str, OrderState]
    fills: list[Fill]
    ledger: LedgerEntry | None
    risk: RiskState | None
    seqs: dict[str, int]

    @property
    def halted(self) -> bool:
        return self.risk is not None and self.risk.halted


def recover(records: Iterable[JournalRecord]) -> Recovered:
    rows = list(records)
    return Recovered(
        open_orders(rows),
        fills(rows),
        last_ledger(rows),
        last_risk_state(rows),
        sequence_numbers(rows),
    )
