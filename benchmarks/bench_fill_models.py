"""Per-event cost of the paper fill path, for each queue model.

Four orders rest at all times (YES and NO, bid and ask, refilled when they fill) while a
seeded stream of mirrored price_changes (80 %) and prints at the resting prices (20 %) is
applied to the books and the order manager, with the exact-expiry sweep after each event,
as `MarketState` runs it. Reports the best-of-REPEATS mean microseconds per event.
Run: .venv/bin/python -m benchmarks.bench_fill_models [EVENTS]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from astra.domain.book import MarketBooks
from astra.domain.events import BookSnapshot, LevelChange, PriceChange, Trade
from astra.domain.market import MarketInfo
from astra.domain.order_manager import OrderConfig, OrderManager
from astra.domain.prices import ONE, Side, Tick
from astra.domain.queue_models import QueueModel, QueueModelName
from astra.domain.trading import OrderIntent

S = 1_000_000
INFO = MarketInfo("0x" + "aa" * 32, "bench", "Y", "N", Tick.T0_01, S)
RESTING = (
    ("Y", Side.BUY, 4800),
    ("Y", Side.SELL, 5200),
    ("N", Side.BUY, 4800),
    ("N", Side.SELL, 5200),
)
REPEATS = 3


def _events(n: int, seed: int) -> list[PriceChange | Trade]:
    rng = np.random.default_rng(seed)
    out: list[PriceChange | Trade] = []
    for i in range(n):
        ts = 2_000 + i
        if rng.random() < 0.8:
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            price = (
                (4800 - 100 * int(rng.integers(0, 3)))
                if side is Side.BUY
                else (5200 + 100 * int(rng.integers(0, 3)))
            )
            size = int(rng.integers(50, 200)) * S
            mirror = LevelChange("N", side.opposite, ONE - price, size)
            out.append(
                PriceChange(
                    INFO.condition_id, ts, (LevelChange("Y", side, price, size), mirror), ts
                )
            )
        else:
            asset = "Y" if rng.random() < 0.5 else "N"
            taker = Side.SELL if rng.random() < 0.5 else Side.BUY
            price = 4800 if taker is Side.SELL else 5200
            out.append(
                Trade(
                    INFO.condition_id,
                    asset,
                    ts,
                    price,
                    int(rng.integers(1, 30)) * S,
                    taker,
                    f"t{i}",
                    recv_ms=ts,
                )
            )
    return out  # fmt: skip


def _books() -> MarketBooks:
    books = MarketBooks(INFO)
    for token in INFO.tokens:
        books.apply(BookSnapshot(INFO.condition_id, token, 0, ((4800, 100 * S), (4700, 100 * S)),
                                 ((5200, 100 * S), (5300, 100 * S))))  # fmt: skip
    return books


def _refill(mgr: OrderManager, books: MarketBooks, now: int) -> None:
    have = {(o.asset_id, o.side, o.price) for o in mgr.open_orders()}
    for asset, side, price in RESTING:
        if (asset, side, price) not in have:
            intent = OrderIntent(INFO.condition_id, asset, side, price, 10 * S, "bench", "b")
            mirror = books.book(INFO.complement_of(asset))
            mgr.submit(intent, books.book(asset), now, mirror=mirror)


def per_event_us(model: QueueModel, events: list[PriceChange | Trade]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        books = _books()
        config = OrderConfig(ttl_ms=10**9, stale_ms=10**9, latency_mean_ms=0, queue_model=model)
        mgr = OrderManager(INFO, config, np.random.default_rng(1))
        _refill(mgr, books, 1_000)
        start = time.perf_counter()
        for event in events:
            now = event.ts_ms
            books.apply(event)
            if isinstance(event, Trade):
                mgr.on_trade(event, now)
            else:
                mgr.on_book_change(event, books, now)
            mgr.sweep(now, books)
            if len(mgr.open_orders()) < len(RESTING):
                _refill(mgr, books, now)
        best = min(best, (time.perf_counter() - start) / len(events) * 1e6)
    return best


def main(argv: list[str]) -> int:
    events = _events(int(argv[0]) if argv else 20_000, seed=13)
    for name in QueueModelName:
        print(f"{name.value:>14}: {per_event_us(QueueModel(name), events):6.1f} us/event")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
