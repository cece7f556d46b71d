"""The open paper orders of one market and their clock: what `OrderManager` builds on.

`OrderStore` holds the open orders (with their queue states and cached venue-exit times),
the outbox of queued transition events, the fill counter, and the time-driven transitions:
arrivals, TTL expiries, stale cancels and in-flight cancels, each applied at its exact time
(`expire_due`, docs/fills.md). Every transition goes through `_move` (the state machine's
check) and every fill through `_fill`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astra.domain.book import MarketBooks
from astra.domain.fees import maker_fee
from astra.domain.fill_model import crossing_size
from astra.domain.market import MarketInfo
from astra.domain.order_life import Due, due_transitions, order_end
from astra.domain.order_queue import QueueState
from astra.domain.orders import OrderEvent, OrderState, PaperOrder
from astra.domain.prices import ONE, Side, notional_micros
from astra.domain.queue_models import QueueModel
from astra.domain.reasons import OrderReason
from astra.domain.trading import Fill, Liquidity


@dataclass(frozen=True, slots=True)
class OrderConfig:
    ttl_ms: int = 120_000
    stale_ms: int = 60_000
    max_chase_ticks: int = 3
    latency_mean_ms: float = 50.0
    latency_min_ms: int = 0
    rebate: bool = False
    taker_enabled: bool = False  # taker escalation: `take` may cross (else `not_post_only`)
    cancel_latency_mean_ms: float = 0.0
    cancel_latency_min_ms: int = 0
    queue_model: QueueModel = field(default_factory=QueueModel)

    def __post_init__(self) -> None:
        if self.ttl_ms <= 0 or self.stale_ms <= 0:
            raise ValueError("order TTL and stale threshold must be positive")
        latencies = (self.latency_min_ms, self.latency_mean_ms, self.cancel_latency_min_ms,
                     self.cancel_latency_mean_ms)  # fmt: skip
        if self.max_chase_ticks < 0 or min(latencies) < 0:
            raise ValueError("chase ticks and latency must be non-negative")


class OrderStore:
    def __init__(self, market: MarketInfo, config: OrderConfig) -> None:
        self.market = market
        self.config = config
        self._orders: dict[str, PaperOrder] = {}  # open orders only, in submit order
        self._queues: dict[str, QueueState] = {}
        self._ends: dict[str, int] = {}  # open order id -> when it leaves the venue (order_end)
        self._fill_seq = 0
        self._outbox: list[OrderEvent] = []
        self._venue_ms: int | None = None  # the latest venue time of a print or level seen

    # -- the venue clock ---------------------------------------------------------------
    def observe_venue(self, ts_ms: int) -> None:
        """A print, level change or snapshot stamped `ts_ms` (venue time) was received."""
        if self._venue_ms is None or ts_ms > self._venue_ms:
            self._venue_ms = ts_ms

    def venue_clock(self, now_ms: int) -> int:
        """How far arrivals and ends are applied on the event path: the latest venue time
        seen, never past `now_ms` (our clock; before any print or level, `now_ms`). An order
        whose end the venue clock has not passed may still fill from a print stamped before
        it that is received later, whether it comes before or after its level change (venue
        time decides, docs/fills.md); the live timer tick ends orders by `now_ms` alone."""
        return now_ms if self._venue_ms is None else min(now_ms, self._venue_ms)

    # -- queries ---------------------------------------------------------------------
    def open_orders(self) -> list[PaperOrder]:
        return list(self._orders.values())

    def resting_notional(self) -> int:
        """What the open orders would add to exposure if they all filled (micro-collateral;
        a sell counts as a buy of the other side, like the risk caps count it)."""
        total = 0
        for order in self._orders.values():
            price = order.price if order.side is Side.BUY else ONE - order.price
            total += notional_micros(price, order.remaining)
        return total

    def order(self, order_id: str) -> PaperOrder | None:
        return self._orders.get(order_id)

    def take_events(self) -> list[OrderEvent]:
        events, self._outbox = self._outbox, []
        return events

    def _move(
        self, order: PaperOrder, state: OrderState, reason: OrderReason, now_ms: int
    ) -> OrderEvent:
        moved = order.moved(state)
        if moved.state.terminal:
            del self._orders[order.order_id]
            self._queues.pop(order.order_id, None)
            self._ends.pop(order.order_id, None)
        else:
            self._orders[order.order_id] = moved
        return OrderEvent.of(moved, reason, now_ms)

    def _fill(self, order: PaperOrder, size: int, now_ms: int) -> Fill:
        self._fill_seq += 1
        moved, reason = order.filled_by(size)
        if moved.state is OrderState.FILLED:
            del self._orders[order.order_id]
            self._queues.pop(order.order_id, None)
            self._ends.pop(order.order_id, None)
        else:
            self._orders[order.order_id] = moved
        self._outbox.append(OrderEvent.of(moved, reason, now_ms))
        fee = maker_fee(self.market.fees, order.price, size, rebate=self.config.rebate)
        return order.fill(self._fill_seq, order.price, size, fee, Liquidity.MAKER, now_ms)

    def sweep(self, now_ms: int, books: MarketBooks | None = None) -> list[OrderEvent]:
        """Queued events, then everything `expire_due` finds due at `now_ms`."""
        events = self.take_events()
        events.extend(self.expire_due(now_ms, books))
        return events

    def _end(self, order: PaperOrder) -> tuple[int, OrderState, OrderReason]:
        return order_end(order, self.config.stale_ms)

    def _at_venue(self, order: PaperOrder, ts: int) -> bool:
        """Venue time `ts` falls in the order's life at the venue: arrived, not yet ended
        (`order_life.order_end`, cached per order)."""
        return order.state.live and order.live_at_ms <= ts < self._ends[order.order_id]

    def expire_due(self, now_ms: int, books: MarketBooks | None = None) -> list[OrderEvent]:
        """Every arrival, TTL expiry, stale cancel and in-flight cancel due by `now_ms`, each
        stamped with its exact time and applied in time order, so nothing later can fill an
        order that had already ended. An order that arrives onto a book crossing it is
        rejected `would_cross` (post-only) when `books` is given. The public expiry path:
        replays call it before each event, the live per-market tick on its timer."""
        if not self._orders or self._next_due() > now_ms:
            return []
        events: list[OrderEvent] = []
        for ts, kind, order_id in due_transitions(
            self._orders.values(), now_ms, self.config.stale_ms
        ):
            order = self._orders.get(order_id)
            if order is None:
                continue
            if kind is Due.ARRIVE:
                events.append(self._arrive(order, ts, books))
            else:
                _, state, reason = self._end(order)
                events.append(self._move(order, state, reason, ts))
        return events

    def _next_due(self) -> int:
        """The earliest arrival or end of any open order (a cheap test before the sweep)."""
        ends = self._ends
        return min(
            min(o.live_at_ms, ends[o.order_id]) if o.state is OrderState.PENDING_NEW
            else ends[o.order_id]
            for o in self._orders.values()
        )  # fmt: skip

    def _arrive(self, order: PaperOrder, ts: int, books: MarketBooks | None) -> OrderEvent:
        crossed = books is not None and (
            crossing_size(books, order.asset_id, order.side, order.price) > 0
        )
        if crossed:
            return self._move(order, OrderState.REJECTED, OrderReason.WOULD_CROSS, ts)
        return self._move(order, OrderState.RESTING, OrderReason.ACCEPTED, ts)
