"""Time drives expiry: a market that hears nothing still expires its orders on time.

Before the market clock, `sweep` ran only from `on_event`: a market whose feed went quiet
kept its orders resting past their TTL and past `stale_ms`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import book_pair
from astra.actors.engine import Engine, EngineConfig
from astra.actors.market_clock import MarketClock
from astra.actors.market_state import MarketConfig, open_orders_from_journal
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.order_manager import OrderConfig

from .trading_support import small_engine, wait_for

_TTL_MS = 5_000


def _config(*, live: bool) -> EngineConfig:
    base = chaos_engine_config()
    orders = OrderConfig(latency_mean_ms=0, ttl_ms=_TTL_MS, stale_ms=60_000)
    # The synthetic markets have no contracts: this checks the clock, not the definition gate.
    market = MarketConfig(orders=orders, require_contract=False)
    return replace(
        base,
        market=market,
        watchdog=None,
        market_tick_ms=1_000 if not live else 50,
        flush_interval_s=0.02 if live else None,
    )


def _reasons(store: JournalStore, name: str) -> list[str]:
    return [
        r.data()["reason"] for r in store.producer_records(name) if r.kind.value == "order_event"
    ]


def _quote(engine: Engine, now_ms: int) -> None:
    for info in engine._markets.values():
        for snapshot in book_pair(info, 5000, now_ms):
            assert engine.feed(snapshot)
    assert engine.drain()


def test_replay_event_clock_expires_a_silent_markets_orders(tmp_path: Path) -> None:
    clock = ManualClock(1_000_000)
    config = _config(live=False)
    with small_engine(tmp_path, markets=2, config=config, clock=clock) as (engine, store, _):
        assert engine.resume("test").resumed
        _quote(engine, clock.now_ms())
        quiet, busy = engine.market_names()
        assert open_orders_from_journal(store.producer_records(quiet))
        # Only the busy market hears events; the event clock passes the quiet one's TTL.
        busy_info = engine._markets[busy.removeprefix("market:")]
        for step in range(1, 8):
            clock.set(1_000_000 + step * 1_000)
            for snapshot in book_pair(busy_info, 5000, clock.now_ms()):
                engine.feed(snapshot)
        assert engine.drain()
        assert open_orders_from_journal(store.producer_records(quiet)) == {}
        assert "ttl_expired" in _reasons(store, quiet)
        assert engine.market_clock is not None
        assert engine.market_clock.ticks >= 6


def test_live_timer_expires_orders_with_no_event_at_all(tmp_path: Path) -> None:
    config = _config(live=True)
    orders = replace(config.market.orders, ttl_ms=300)
    fast = replace(config, market=replace(config.market, orders=orders))
    with small_engine(tmp_path, markets=2, config=fast) as (engine, store, _):
        assert engine.resume("test").resumed
        _quote(engine, engine.clock.now_ms())
        names = engine.market_names()
        assert all(open_orders_from_journal(store.producer_records(n)) for n in names)
        # No event at all from here on: the market clock alone expires them.
        assert wait_for(
            lambda: (
                engine.flush().ok
                and all(not open_orders_from_journal(store.producer_records(n)) for n in names)
            ),
            5.0,
        )
        assert all("ttl_expired" in _reasons(store, n) for n in names)


def test_market_clock_ticks_once_per_boundary() -> None:
    told: list[tuple[str, object]] = []

    def tell(name: str, message: object) -> bool:
        told.append((name, message))
        return True

    clock = MarketClock(lambda: ["a", "b"], tell, 1_000)
    assert clock.advance(10_500) is False  # the first call only sets the next boundary
    assert clock.advance(10_999) is False
    assert clock.advance(11_000) is True
    assert clock.advance(11_400) is False
    assert clock.advance(14_100) is True  # a gap is one tick, not three
    assert [name for name, _ in told] == ["a", "b", "a", "b"]
    assert clock.ticks == 2
