"""When a paper order is on the venue, and what is due to happen to it by a given time.

An order reaches the venue at `live_at_ms` (submit + placement latency) and leaves it at the
first of its TTL expiry, its stale deadline (last refresh + stale threshold) and a cancel in
flight reaching the venue. Times are local-clock ms, compared with the venue timestamps of
prints and level changes (the paper trader assumes the two clocks agree).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from astra.domain.orders import OrderState, PaperOrder
from astra.domain.reasons import OrderReason


class Due(enum.IntEnum):
    ARRIVE = 0  # before an end at the same ms: an order lives at least its arrival instant
    END = 1


def order_end(order: PaperOrder, stale_ms: int) -> tuple[int, OrderState, OrderReason]:
    """When the order stops being on the venue, and how: TTL, staleness or a cancel in
    flight, whichever comes first (ties in that order)."""
    end = (order.expires_ms, OrderState.EXPIRED, OrderReason.TTL_EXPIRED)
    stale = order.refreshed_ms + stale_ms
    if stale < end[0]:
        end = (stale, OrderState.CANCELED, OrderReason.STALE)
    cancel_at, reason = order.cancel_at_ms, order.cancel_reason
    if cancel_at is not None and reason is not None and cancel_at < end[0]:
        end = (cancel_at, OrderState.CANCELED, reason)
    return end


def due_transitions(
    orders: Iterable[PaperOrder], now_ms: int, stale_ms: int
) -> list[tuple[int, Due, str]]:
    """(time, what, order id) of every arrival and end due by `now_ms`, in time order (then
    arrival before end, then submit order). An order that ends before it arrives never
    arrives."""
    due: list[tuple[int, Due, int, str]] = []
    for index, order in enumerate(orders):
        end = order_end(order, stale_ms)[0]
        arrives = order.state is OrderState.PENDING_NEW and order.live_at_ms < end
        if arrives and order.live_at_ms <= now_ms:
            due.append((order.live_at_ms, Due.ARRIVE, index, order.order_id))
        if end <= now_ms:
            due.append((end, Due.END, index, order.order_id))
    return [(ts, what, order_id) for ts, what, _, order_id in sorted(due)]
