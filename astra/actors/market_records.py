"""How a market's orders and fills are written to, and read back from, its journal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.orders import OrderEvent, OrderState
from astra.domain.trading import Fill


def order_payload(event: OrderEvent) -> dict[str, Any]:
    return {
        "order_id": event.order_id,
        "asset_id": event.asset_id,
        "side": event.side.value,
        "price": event.price,
        "size": event.size,
        "filled": event.filled,
        "state": event.state.value,
        "reason": event.reason.value,
        "replaces": event.replaces,
    }


def fill_payload(fill: Fill) -> dict[str, Any]:
    return {
        "fill_id": fill.fill_id,
        "order_id": fill.order_id,
        "asset_id": fill.asset_id,
        "side": fill.side.value,
        "price": fill.price,
        "size": fill.size,
        "fee": fill.fee,
        "liquidity": fill.liquidity.value,
    }


def open_orders_from_journal(records: Sequence[JournalRecord]) -> dict[str, dict[str, Any]]:
    """The last journaled event of every order that is not terminal: what is still open."""
    last: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.kind is RecordKind.ORDER_EVENT:
            data = record.data()
            last[data["order_id"]] = data
    return {oid: d for oid, d in last.items() if not OrderState(d["state"]).terminal}
