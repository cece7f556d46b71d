"""Maker-only paper order manager for one market.

Post-only always; a submit is checked against the live book (grid, bounds, min size,
would-cross) and becomes live after a seeded latency draw. Resting orders advance in the
queue on book changes of either token and fill from either token's prints or a crossed
book (`fill_model`, `order_queue`, `queue_models`). Arrivals, TTL expiry, stale cancels and
in-flight cancels happen at their exact times in `expire_due` (`order_store`, `order_life`;
the open orders, the outbox and the clock live in the `OrderStore` base). A replace is
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

from dataclasses import replace

import numpy as np

from astra.domain.book import MarketBooks, TokenBook
from astra.domain.events import BookSnapshot, LevelChange, PriceChange, TickSizeChange, Trade
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
from astra.domain.order_life import order_end
from astra.domain.order_queue import QueueState
from astra.domain.order_store import OrderConfig, OrderStore
from astra.domain.orders import OrderEvent, OrderState, PaperOrder
from astra.domain.prices import Side
from astra.domain.reasons import OrderReason
from astra.domain.taker_fill import execute_taker, match_levels
from astra.domain.toxicity import SpreadRegime
from astra.domain.trading import Fill, OrderIntent

__all__ = ["OrderConfig", "OrderManager"]

_NO_IMPROVE_REGIMES = frozenset({SpreadRegime.WIDE, SpreadRegime.BROKEN})


class OrderManager(OrderStore):
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
        super().__init__(market, config)
        self._id_prefix = market.condition_id[:10] if id_prefix is None else id_prefix
        self._rng = rng
        self._seq = 0
        self._model = config.queue_model
        self._legs = MatchLegs(market)
        # Its own stream (spawned, the parent's draws unchanged): cancels never shift the
        # placement latencies of a seeded run.
        self._cancel_rng = rng.spawn(1)[0]

    # -- queries ---------------------------------------------------------------------

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
        ts = now_ms if isinstance(change, LevelChange) else change.ts_ms
        self.observe_venue(ts)
        if not self._orders:  # nothing to advance (most events of most markets)
            return []
        self._outbox.extend(self.expire_due(self.venue_clock(now_ms), books))
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
        terms; both legs of one match count once); transition events go to the outbox.
        Arrivals and ends are applied up to the venue clock (`venue_clock`), not `now_ms`."""
        self.observe_venue(trade.ts_ms)
        self._outbox.extend(self.expire_due(self.venue_clock(now_ms)))
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

    def on_tick_size_change(self, event: TickSizeChange, now_ms: int) -> list[OrderEvent]:
        """Old-grid orders are invalid on the new grid: cancel them."""
        return self.cancel_all(OrderReason.TICK_SIZE_CHANGE, now_ms, asset_id=event.asset_id)
