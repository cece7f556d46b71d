"""Maker-only paper order manager for one market.

Post-only always; a submit is checked against the live book (grid, bounds, min size,
would-cross) and becomes live after a seeded latency draw. Resting orders advance in the
queue on book changes of either token and fill from either token's prints or a crossed
book (`fill_model`, `order_queue`, `queue_models`). Arrivals, TTL expiry, stale cancels and
in-flight cancels happen at their exact times in `expire_due` (`order_life`). A replace is
a new order (new id, new TTL, back of the queue), bounded by a chase limit measured from
the *first* order of the replace chain, and never improves the price while the flow is
toxic or the spread WIDE/BROKEN.

Every transition yields an `OrderEvent`. Methods return the events they cause, except
`on_trade`, which returns fills and queues its transition events; `sweep` (or
`take_events`) hands the queued events over, first, in order.

Taker escalation (off by default, `OrderConfig.taker_enabled`): `take` executes a
non-post-only intent at once against the visible book (`taker_fill`), with ids from the same
counters. While it is off, a non-post-only intent is rejected `not_post_only`, by `submit`
and by `take` alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from astra.domain.book import MarketBooks, TokenBook
from astra.domain.events import BookSnapshot, LevelChange, PriceChange, TickSizeChange, Trade
from astra.domain.fees import maker_fee
from astra.domain.fill_model import (
    crossing_size,
    draw_latency_ms,
    in_frame,
    level_in_snapshot,
    trade_fill,
)
from astra.domain.market import MarketInfo
from astra.domain.match_legs import MatchLegs
from astra.domain.order_checks import identity_reject, improves, price_reject, taker_reject
from astra.domain.order_life import Due, due_transitions, order_end
from astra.domain.order_queue import QueueState
from astra.domain.orders import OrderEvent, OrderState, PaperOrder
from astra.domain.prices import ONE, Side, notional_micros
from astra.domain.queue_models import QueueModel
from astra.domain.reasons import OrderReason
from astra.domain.taker_fill import execute_taker, match_levels
from astra.domain.toxicity import SpreadRegime
from astra.domain.trading import Fill, Liquidity, OrderIntent

_NO_IMPROVE_REGIMES = frozenset({SpreadRegime.WIDE, SpreadRegime.BROKEN})


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


class OrderManager:
    """Paper orders of one market.

    `id_prefix` makes order ids `<id_prefix>-<n>`. Ids must never repeat for a market (the
    journal and the ledger key on them), so an owner that can restart passes the full
    condition id plus an epoch that only grows across restarts (the actors use
    `<condition id>-e<producer seq at start>`). The default, the first ten characters of the
    condition id, is only unique within one manager's life (tests, one-shot simulations).
    """

    def __init__(
        self,
        market: MarketInfo,
        config: OrderConfig,
        rng: np.random.Generator,
        *,
        id_prefix: str | None = None,
    ) -> None:
        if id_prefix is not None and not id_prefix:
            raise ValueError("an order id prefix must not be empty")
        self.market = market
        self._id_prefix = market.condition_id[:10] if id_prefix is None else id_prefix
        self.config = config
        self._rng = rng
        self._orders: dict[str, PaperOrder] = {}  # open orders only, in submit order
        self._seq = 0
        self._fill_seq = 0
        self._outbox: list[OrderEvent] = []
        self._queues: dict[str, QueueState] = {}
        self._ends: dict[str, int] = {}  # open order id -> when it leaves the venue (order_end)
        self._model = config.queue_model
        self._legs = MatchLegs(market)
        # Its own stream (spawned, the parent's draws unchanged): cancels never shift the
        # placement latencies of a seeded run.
        self._cancel_rng = rng.spawn(1)[0]

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

    # -- submit ------------------------------------------------------------------------
    def _next_id(self) -> str:
        self._seq += 1
        return f"{self._id_prefix}-{self._seq}"

    def submit(
        self,
        intent: OrderIntent,
        book: TokenBook,
        now_ms: int,
        *,
        anchor_price: int | None = None,
        replaces: str = "",
        ttl_ms: int | None = None,
        mirror: TokenBook | None = None,
    ) -> OrderEvent:
        """Place a post-only paper order; the event is SUBMITTED (pending) or REJECTED.
        `ttl_ms` overrides the configured TTL for this order (a scenario's `ttl_s`). With the
        complement's book as `mirror`, the queue starts at the larger of the two views of the
        level (they agree on a mirrored feed; the larger queue never flatters fills)."""
        if book.asset_id != intent.asset_id:
            raise ValueError(f"intent for {intent.asset_id} checked against {book.asset_id}")
        reject = identity_reject(self.market, intent, book) or price_reject(
            self.market, intent, book
        )
        latency = 0 if reject else self._draw_latency()
        queue = book.size_at(intent.side, intent.price)
        if mirror is not None and mirror.synced:
            side, price = in_frame(mirror.asset_id, book.asset_id, intent.side, intent.price)
            queue = max(queue, mirror.size_at(side, price))
        order = self._new_order(intent, now_ms, latency, queue, anchor_price, replaces)
        if ttl_ms is not None:
            order = replace(order, expires_ms=now_ms + ttl_ms)
        if reject is not None:
            return OrderEvent.of(order.moved(OrderState.REJECTED), reject, now_ms)
        self._orders[order.order_id] = order
        self._queues[order.order_id] = QueueState.at_submit(queue)
        self._ends[order.order_id] = order_end(order, self.config.stale_ms)[0]
        return OrderEvent.of(order, OrderReason.SUBMITTED, now_ms)

    def take(
        self, intent: OrderIntent, book: TokenBook, now_ms: int
    ) -> tuple[list[OrderEvent], list[Fill]]:
        """Execute a taker intent (post_only=False) at once against `book`; used only when
        taker escalation is enabled (otherwise the intent is rejected `not_post_only`).

        The order walks the opposite side up to its limit price and size, one TAKER fill per
        level at the venue's taker fee; the unfilled rest is canceled `taker_unfilled`, and
        nothing within the limit is `no_liquidity` (see `taker_fill`). The book is not
        changed: the venue's next update says what really happened. The order is terminal
        when this returns; events and fills are in journal order.
        """
        if book.asset_id != intent.asset_id:
            raise ValueError(f"intent for {intent.asset_id} checked against {book.asset_id}")
        if intent.post_only:
            raise ValueError("take() executes taker intents only; submit() places post-only")
        order = self._new_order(intent, now_ms, 0, 0, None, "")
        reject = taker_reject(self.market, self.config.taker_enabled, intent, book)
        if reject is not None:
            return [OrderEvent.of(order.moved(OrderState.REJECTED), reject, now_ms)], []
        matches = match_levels(book, intent.side, intent.price, intent.size, self.market.fees)
        done = execute_taker(order, matches, now_ms, first_fill_seq=self._fill_seq + 1)
        self._fill_seq += len(done.fills)
        return list(done.events), list(done.fills)

    def _new_order(
        self,
        intent: OrderIntent,
        now_ms: int,
        latency: int,
        queue: int,
        anchor_price: int | None,
        replaces: str,
    ) -> PaperOrder:
        return PaperOrder(
            order_id=self._next_id(),
            market=intent.market,
            asset_id=intent.asset_id,
            side=intent.side,
            price=intent.price,
            size=intent.size,
            filled=0,
            state=OrderState.PENDING_NEW,
            created_ms=now_ms,
            live_at_ms=now_ms + latency,
            expires_ms=now_ms + self.config.ttl_ms,
            queue_ahead=queue,
            refreshed_ms=now_ms,
            anchor_price=intent.price if anchor_price is None else anchor_price,
            strategy=intent.strategy,
            replaces=replaces,
        )

    def _draw_latency(self) -> int:
        return draw_latency_ms(self._rng, self.config.latency_mean_ms, self.config.latency_min_ms)

    # -- transitions -------------------------------------------------------------------
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

    def cancel(self, order_id: str, reason: OrderReason, now_ms: int) -> OrderEvent | None:
        """Cancel an open order at once; None when it is no longer open (filled, expired, ...).
        Halts, desyncs and resolutions use this: the engine stops trusting the order now."""
        order = self._orders.get(order_id)
        if order is None:
            return None
        return self._move(order, OrderState.CANCELED, reason, now_ms)

    def request_cancel(self, order_id: str, reason: OrderReason, now_ms: int) -> OrderEvent | None:
        """Send a cancel that reaches the venue after a seeded cancel latency; the order can
        still fill until then (`expire_due` moves it). With no latency it is `cancel`.
        None when nothing happens now (not open, or a cancel already in flight)."""
        order = self._orders.get(order_id)
        if order is None or order.cancel_at_ms is not None:
            return None
        latency = draw_latency_ms(
            self._cancel_rng, self.config.cancel_latency_mean_ms, self.config.cancel_latency_min_ms
        )
        if latency <= 0:
            return self._move(order, OrderState.CANCELED, reason, now_ms)
        self._orders[order_id] = moved = replace(
            order, cancel_at_ms=now_ms + latency, cancel_reason=reason
        )
        self._ends[order_id] = order_end(moved, self.config.stale_ms)[0]
        return None

    def cancel_all(
        self, reason: OrderReason, now_ms: int, *, asset_id: str | None = None
    ) -> list[OrderEvent]:
        ids = [o.order_id for o in self._orders.values() if asset_id in (None, o.asset_id)]
        return [self._move(self._orders[i], OrderState.CANCELED, reason, now_ms) for i in ids]

    def refresh(self, order_id: str, now_ms: int) -> bool:
        """The strategy still wants this order: push its stale deadline out."""
        order = self._orders.get(order_id)
        if order is None:
            return False
        self._orders[order_id] = moved = replace(order, refreshed_ms=now_ms)
        self._ends[order_id] = order_end(moved, self.config.stale_ms)[0]
        return True

    def replace(
        self,
        order_id: str,
        new_price: int,
        now_ms: int,
        *,
        book: TokenBook,
        toxic: bool,
        regime: SpreadRegime,
    ) -> list[OrderEvent]:
        """Cancel and re-submit at `new_price` (a new order: new TTL, back of the queue)."""
        old = self._orders.get(order_id)
        if old is None:
            return []
        tick = book.tick or self.market.tick
        if improves(old.side, old.price, new_price) and (toxic or regime in _NO_IMPROVE_REGIMES):
            return [self._move(old, OrderState.CANCELED, OrderReason.TOXIC_NO_IMPROVE, now_ms)]
        if abs(new_price - old.anchor_price) > self.config.max_chase_ticks * tick.pips:
            return [self._move(old, OrderState.CANCELED, OrderReason.CHASE_LIMIT, now_ms)]
        canceled = self._move(old, OrderState.CANCELED, OrderReason.REPLACED, now_ms)
        intent = OrderIntent(
            market=old.market,
            asset_id=old.asset_id,
            side=old.side,
            price=new_price,
            size=old.remaining,
            strategy=old.strategy,
            reason=OrderReason.REPLACED,
        )
        fresh = self.submit(
            intent, book, now_ms, anchor_price=old.anchor_price, replaces=old.order_id
        )
        return [canceled, fresh]

    # -- market data -------------------------------------------------------------------
    def on_book_change(
        self,
        change: LevelChange | PriceChange | BookSnapshot,
        books: MarketBooks,
        now_ms: int,
    ) -> list[Fill]:
        """Advance queues after `books` applied `change` (either token, in each order's own
        terms), then fill what a crossed book reaches. Transition events go to the outbox."""
        if not self._orders:  # nothing to advance (most events of most markets)
            return []
        self._outbox.extend(self.expire_due(now_ms, books))
        ts = now_ms if isinstance(change, LevelChange) else change.ts_ms
        touched: set[tuple[str, Side]] | None = None  # None: every side may have changed
        if isinstance(change, BookSnapshot):
            for order in list(self._orders.values()):
                size = level_in_snapshot(change, order.asset_id, order.side, order.price)
                self._level(order, size, ts)
        else:
            levels = (change,) if isinstance(change, LevelChange) else change.changes
            for level in levels:
                self._level_change(level, ts)
            touched = {(level.asset_id, level.side) for level in levels}
        return self._cross_fills(books, ts, now_ms, touched)

    def _level_change(self, level: LevelChange, ts: int) -> None:
        if level.asset_id not in self.market.tokens:
            return
        for order in list(self._orders.values()):
            side, price = in_frame(order.asset_id, level.asset_id, level.side, level.price)
            if side is order.side and price == order.price:
                self._level(order, level.size, ts)

    def _level(self, order: PaperOrder, size: int, ts: int) -> None:
        live = self._at_venue(order, ts)
        queue = self._queues[order.order_id].on_level(size, ts, self._model, live=live)
        self._set_queue(order, queue)

    def _set_queue(self, order: PaperOrder, queue: QueueState) -> None:
        if queue is self._queues[order.order_id]:
            return
        self._queues[order.order_id] = queue
        if queue.ahead != order.queue_ahead:
            self._orders[order.order_id] = replace(order, queue_ahead=queue.ahead)

    def _cross_fills(
        self,
        books: MarketBooks,
        ts: int,
        now_ms: int,
        touched: set[tuple[str, Side]] | None,
    ) -> list[Fill]:
        """A book at or through a live order's price: a real seller (buyer) would have hit
        us, so the order fills at its own price as maker, once per unit of crossing size.
        Orders on one token and side share what crosses them within this event. Only orders
        whose opposite side (or its complement mirror) this event `touched` can have changed."""
        fills: list[Fill] = []
        taken: dict[tuple[str, Side], int] = {}
        for order in list(self._orders.values()):
            if touched is not None and not self._touches(order, touched):
                continue
            if not self._at_venue(order, ts):
                continue
            available = crossing_size(books, order.asset_id, order.side, order.price)
            queue = self._queues[order.order_id]
            key = (order.asset_id, order.side)
            fresh = available - max(queue.crossed, taken.get(key, 0))
            size = min(max(fresh, 0), order.remaining)
            self._set_queue(order, queue.on_cross(available, size))
            if size > 0:
                taken[key] = taken.get(key, 0) + size
                fills.append(self._fill(self._orders[order.order_id], size, now_ms))
        return fills

    def _touches(self, order: PaperOrder, touched: set[tuple[str, Side]]) -> bool:
        mirror = (self.market.complement_of(order.asset_id), order.side)
        return (order.asset_id, order.side.opposite) in touched or mirror in touched

    def on_trade(self, trade: Trade, now_ms: int) -> list[Fill]:
        """Fill resting orders of either token from one print (the complement's in mirror
        terms; both legs of one match count once); transition events go to the outbox."""
        self._outbox.extend(self.expire_due(now_ms))
        if trade.asset_id not in self.market.tokens or self._legs.duplicate(trade):
            return []
        left = trade.size  # our own orders never fill twice from the same volume
        fills: list[Fill] = []
        for order in list(self._orders.values()):
            if left <= 0 or not self._at_venue(order, trade.ts_ms):
                continue
            taker, price = in_frame(order.asset_id, trade.asset_id, trade.taker_side, trade.price)
            queue = self._queues[order.order_id].settled(trade.ts_ms, self._model)
            result = trade_fill(
                order.side, order.price, queue.ahead, order.remaining, price, left, taker
            )
            if price == order.price and taker is not order.side:
                queue = queue.on_trade(left, result.queue_ahead, trade.ts_ms, self._model)
            else:
                queue = queue.with_ahead(result.queue_ahead)
            self._set_queue(order, queue)
            if result.fill > 0:
                left -= result.fill
                fills.append(self._fill(self._orders[order.order_id], result.fill, now_ms))
        return fills

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

    def on_tick_size_change(self, event: TickSizeChange, now_ms: int) -> list[OrderEvent]:
        """Old-grid orders are invalid on the new grid: cancel them."""
        return self.cancel_all(OrderReason.TICK_SIZE_CHANGE, now_ms, asset_id=event.asset_id)

    def sweep(self, now_ms: int, books: MarketBooks | None = None) -> list[OrderEvent]:
        """Queued events, then everything `expire_due` finds due at `now_ms`."""
        events = self.take_events()
        events.extend(self.expire_due(now_ms, books))
        return events

    # -- time ---------------------------------------------------------------------------
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
