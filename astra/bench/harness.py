"""The engine as the bench runs it: production configuration, a fresh journal, event time.

Built like `astra replay` builds it (`engine_config(..., live=False)`: no watchdog, no flush
timer, `drain()` commits) with the default strategy table, so the figures are the replay
engine's. Only the restart budget can be raised, for the repeated-crash halt measurement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from astra.actors.engine import Engine, EngineParts
from astra.actors.market_actor import CancelObserver
from astra.actors.runtime.supervision import Intensity
from astra.adapters.journal.store import JournalStore
from astra.app.books import ReplayBooks
from astra.app.gc_policy import release_heap, settle_heap
from astra.app.risk_book import RiskBookFactory
from astra.app.runtime import engine_config
from astra.app.strategies import strategy_factory
from astra.domain.clock import ManualClock
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.strategies import Strategy
from astra.settings import Settings

StrategyFactory = Callable[[MarketInfo], Strategy]


class BenchEngineError(RuntimeError):
    """The engine would not start or open trading: nothing to measure."""


@dataclass(slots=True)
class RunningEngine:
    engine: Engine
    store: JournalStore
    clock: ManualClock
    books: ReplayBooks

    def close(self) -> None:
        try:
            self.engine.shutdown(timeout_s=30.0)
        finally:
            self.store.close()
            release_heap()


def default_strategy() -> StrategyFactory:
    return strategy_factory(Settings(), fallback="simple_quoter")


def bench_settings() -> Settings:
    """The defaults, except that contracts are not required: the benchmark's synthetic
    markets carry none, and it measures the quoting pipeline (the same work as before the
    default changed), not the definition gate's SKIPs."""
    base = Settings()
    return replace(base, strategy=replace(base.strategy, require_contract=False))


def start_engine(
    markets: Sequence[MarketInfo],
    directory: Path,
    start_ms: int,
    *,
    strategy: StrategyFactory | None = None,
    on_canceled: CancelObserver | None = None,
    restarts: int | None = None,
    market_workers: int | None = None,
) -> RunningEngine:
    """A started engine over `markets` with trading open (resumed), journal in `directory`.
    `market_workers` overrides the pool size (0: pykka's thread per market, for comparison)."""
    config = engine_config(bench_settings(), "bench", seed=1, live=False)
    if market_workers is not None:
        config = replace(config, market_workers=market_workers)
    if restarts is not None:
        # Repeated measured crashes: room in the restart budget, and no resume cooldown
        # (the halts are the measurement, not a risk event to sit out).
        pool = replace(config.markets, intensity=Intensity(restarts, 60_000))
        limits = replace(config.risk_limits, cooldown_ms=0)
        config = replace(config, markets=pool, risk_limits=limits)
    path = directory / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = JournalStore.open(path)
    clock = ManualClock(start_ms)
    books = ReplayBooks()
    risk = RiskBookFactory(store, config.risk_limits, config.initial_cash, clock.now_ms)
    parts = EngineParts(
        strategy=strategy or default_strategy(), risk_book=risk, on_canceled=on_canceled
    )
    engine = Engine(
        markets, store, books, clock=clock, metrics=CountingMetrics(), config=config, parts=parts
    )
    running = RunningEngine(engine, store, clock, books)
    try:
        engine.start()
        opened = engine.resume("bench", timeout_s=60.0)
    except BaseException:
        running.close()
        raise
    if not opened.resumed:
        running.close()
        raise BenchEngineError(f"trading did not open: {opened.detail}")
    settle_heap(Settings().run.gc_threshold0)  # as `astra paper` and `astra replay` do
    return running
