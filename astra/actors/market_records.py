"""How a market's orders, fills and decisions are written to, and read back from, its
journal, and the digests that compare a market's state with a replay of it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from astra.domain.book import MarketBooks
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.markouts import Markout
from astra.domain.orders import OrderEvent, OrderState, PaperOrder
from astra.domain.strategies import StrategyDecision
from astra.domain.trading import Fill
from astra.domain.verdict import Verdict

DECISION_SCHEMA_VERSION = 1


# Payload builders run for every record: they read a StrEnum's `_value_` (the same str)
# rather than `.value`, an enum descriptor call several times slower.


def order_payload(event: OrderEvent) -> dict[str, Any]:
    return {
        "order_id": event.order_id,
        "asset_id": event.asset_id,
        "side": event.side._value_,
        "price": event.price,
        "size": event.size,
        "filled": event.filled,
        "state": event.state._value_,
        "reason": event.reason._value_,
        "replaces": event.replaces,
    }


def mid_pips(books: MarketBooks, asset_id: str) -> int | None:
    """The token's mid in int pips (half a pip rounds down), None without a two-sided book."""
    touch = books.book(asset_id).touch()
    if touch is None or touch[0] >= touch[1]:
        return None
    return (touch[0] + touch[1]) // 2


def fill_payload(fill: Fill, mid: int | None = None) -> dict[str, Any]:
    """A FILL record; `mid` is the token's mid (pips) when the fill was recorded, or None."""
    return {
        "fill_id": fill.fill_id,
        "order_id": fill.order_id,
        "asset_id": fill.asset_id,
        "side": fill.side.value,
        "price": fill.price,
        "size": fill.size,
        "fee": fill.fee,
        "liquidity": fill.liquidity.value,
        "mid": mid,
    }


def markout_payload(markout: Markout, strategy: str) -> dict[str, Any]:
    """A MARKOUT record: the fill marked at the mid `horizon_ms` later (None: no mid)."""
    fill = markout.fill
    return {
        "fill_id": fill.fill_id,
        "order_id": fill.order_id,
        "asset_id": fill.asset_id,
        "side": fill.side.value,
        "price": fill.price,
        "size": fill.size,
        "fill_ts_ms": fill.ts_ms,
        "strategy": strategy,
        "horizon_ms": markout.horizon_ms,
        "mid": markout.mid,
        "markout": markout.markout,
    }


def open_orders_from_journal(records: Sequence[JournalRecord]) -> dict[str, dict[str, Any]]:
    """The last journaled event of every order that is not terminal: what is still open."""
    last: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.kind is RecordKind.ORDER_EVENT:
            data = record.data()
            last[data["order_id"]] = data
    return {oid: d for oid, d in last.items() if not OrderState(d["state"]).terminal}


def verdict_payload(verdict: Verdict) -> dict[str, Any]:
    return {
        "gate": verdict.gate,
        "passed": verdict.passed,
        "reason": None if verdict.reason is None else verdict.reason._value_,
        "detail": verdict.detail,
    }


def decision_payload(
    decision: StrategyDecision,
    definition: Verdict,
    gates: Sequence[Verdict],
    *,
    run_id: str,
    definition_hash: str | None,
) -> dict[str, Any]:
    """One evaluation's record: the strategy's payload, the definition gate's verdict (always)
    and the gate chain of each placement (`gates`)."""
    payload = decision.payload()
    payload.update(
        run_id=run_id,
        definition_hash=definition_hash,
        definition=verdict_payload(definition),
        schema_version=DECISION_SCHEMA_VERSION,
        gates=[verdict_payload(v) for v in gates],
    )
    return payload


def book_digest(books: MarketBooks, tokens: Iterable[str]) -> str:
    parts = []
    for token in tokens:
        book = books.book(token)
        parts.append(f"{token}|{book.synced}|{book.bids()}|{book.asks()}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def orders_digest(orders: Iterable[PaperOrder]) -> str:
    rows = sorted(f"{o.order_id}|{o.state.value}|{o.price}|{o.size}|{o.filled}" for o in orders)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
