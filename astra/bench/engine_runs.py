"""Measurements through the running actor engine: throughput, latency, memory, halt, startup.

Throughput feeds every event as fast as `Engine.feed` takes them and stops the clock when
`drain()` reports every mailbox empty and the journal committed. Latency offers events at a
fixed rate and times each from `feed` to its strategy decision inside the MarketActor
(markets handle their mailbox in order, so a market's k-th decision answers its k-th event).
Memory is the resident-set growth from before the engine starts to after the throughput run,
per market actor (each then holds both books, its orders and strategy state).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from astra.bench.harness import StrategyFactory, default_strategy, start_engine
from astra.bench.stats import Percentiles, percentiles, rss_bytes
from astra.bench.workload import Workload
from astra.domain.market import MarketInfo
from astra.domain.strategies import MarketView, Strategy, StrategyDecision

DRAIN_TIMEOUT_S = 600.0
_MIN_SLEEP_S = 0.001


class BenchRunError(RuntimeError):
    """A measurement that could not complete (the engine never went idle, a halt never ended)."""


@dataclass(frozen=True, slots=True)
class Throughput:
    markets: int
    events: int
    seconds: float
    rss_before: int  # before the engine starts (workload already in memory)
    rss_after: int  # after the last event is handled: every market actor holds its books

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    @property
    def bytes_per_market(self) -> float:
        return (self.rss_after - self.rss_before) / self.markets


def engine_throughput(
    workload: Workload, directory: Path, market_workers: int | None = None
) -> Throughput:
    """Every event fed as fast as the engine takes it; timed until drained and committed."""
    rss_before = rss_bytes()
    running = start_engine(
        workload.markets, directory, workload.events[0].recv_ms, market_workers=market_workers
    )
    try:
        engine, clock = running.engine, running.clock
        started = time.perf_counter()
        for event in workload.events:
            clock.set(event.recv_ms)
            engine.feed(event)
        if not engine.drain(timeout_s=DRAIN_TIMEOUT_S):
            raise BenchRunError("the engine did not drain")
        seconds = time.perf_counter() - started
        rss_after = rss_bytes()
    finally:
        running.close()
    return Throughput(len(workload.markets), len(workload.events), seconds, rss_before, rss_after)


@dataclass(slots=True)
class _DecisionLog:
    """Decision instants per market, appended by the MarketActor threads."""

    times: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    lock: threading.Lock = field(default_factory=threading.Lock)
    recording: bool = False

    def record(self, market: str) -> None:
        now = time.perf_counter()
        if self.recording:
            with self.lock:
                self.times[market].append(now)


class _TimedStrategy:
    """Delegates to the real strategy and notes when each decision is made."""

    def __init__(self, inner: Strategy, market: str, log: _DecisionLog) -> None:
        self._inner = inner
        self._market = market
        self._log = log

    @property
    def name(self) -> str:
        return self._inner.name

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        decision = self._inner.evaluate(view, now_ms)
        self._log.record(self._market)
        return decision


def _timed(factory: StrategyFactory, log: _DecisionLog) -> StrategyFactory:
    def make(info: MarketInfo) -> Strategy:
        return _TimedStrategy(factory(info), info.condition_id, log)

    return make


@dataclass(frozen=True, slots=True)
class LatencyResult:
    offered_per_s: int
    events: int
    achieved_per_s: float
    ms: Percentiles


def decision_latency(
    workload: Workload, rate: int, seconds: float, directory: Path
) -> LatencyResult:
    """Offer `rate` events/s for `seconds`; latency from feed to the strategy's decision."""
    log = _DecisionLog()
    count = min(len(workload.events), max(1, int(rate * seconds)))
    # Warm the books with each market's opening snapshots before timing anything.
    warm = 2 * len(workload.markets)
    events = workload.events[warm : warm + count]
    running = start_engine(
        workload.markets,
        directory,
        workload.events[0].recv_ms,
        strategy=_timed(default_strategy(), log),
    )
    try:
        engine, clock = running.engine, running.clock
        for event in workload.events[:warm]:
            engine.feed(event)
        if not engine.drain(timeout_s=DRAIN_TIMEOUT_S):
            raise BenchRunError("the engine did not drain after warm-up")
        log.recording = True
        fed: dict[str, list[float]] = defaultdict(list)
        interval = 1.0 / rate
        started = time.perf_counter()
        for index, event in enumerate(events):
            due = started + index * interval
            # Sleep, never spin (a spinning feeder takes the GIL from the engine it measures),
            # and only when at least a millisecond early: a sub-millisecond sleep oversleeps,
            # the feeder falls behind and then catches up in one burst. So events arrive in
            # small bursts on a millisecond grid, like frames off a socket.
            if (wait := due - time.perf_counter()) >= _MIN_SLEEP_S:
                time.sleep(wait)
            clock.set(event.recv_ms)
            fed[event.market].append(time.perf_counter())
            engine.feed(event)
        if not engine.drain(timeout_s=DRAIN_TIMEOUT_S):
            raise BenchRunError("the engine did not drain under offered load")
        elapsed = time.perf_counter() - started
    finally:
        running.close()
    samples = [
        (done - sent) * 1000.0
        for market, sent_times in fed.items()
        for sent, done in zip(sent_times, log.times[market], strict=False)
    ]
    return LatencyResult(rate, len(samples), len(events) / elapsed, percentiles(samples))
