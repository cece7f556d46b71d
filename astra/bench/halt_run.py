"""Halt propagation through the running engine: from an injected crash to every cancel-all.

Halt: one MarketActor is crashed (the test-only `Crash` message); the halt-first protocol
halts the RiskActor, which tells every live market to cancel all, and cancels the dead
market's orders from the journal (committed before its restart). The figure is the time from
sending the crash to the later of the last live market's cancel confirmation and the halt
protocol's durable commit (its `HaltEntry.committed_s`). Between rounds
trading is resumed and every market gets fresh events, so orders rest again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from astra.actors.engine import Engine
from astra.actors.runtime.runtime_messages import Crash
from astra.bench.harness import start_engine
from astra.bench.stats import Percentiles, percentiles
from astra.bench.workload import Workload
from astra.domain.events import MarketEvent

_POLL_S = 0.0005


class HaltRunError(RuntimeError):
    """A halt whose cancel-all never reached every market within the deadline."""


class _Cancels:
    """Per halt id: which markets confirmed, the last confirmation time, orders canceled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seen: dict[int, set[str]] = {}
        self.last: dict[int, float] = {}
        self.canceled: dict[int, int] = {}

    def record(self, halt_id: int, market: str, canceled: int) -> None:
        now = time.monotonic()
        with self._lock:
            self.seen.setdefault(halt_id, set()).add(market)
            self.last[halt_id] = now
            self.canceled[halt_id] = self.canceled.get(halt_id, 0) + canceled

    def known(self) -> set[int]:
        with self._lock:
            return set(self.seen)

    def completed(self, markets: int, exclude: set[int]) -> int | None:
        """The newest halt id outside `exclude` that every market has confirmed."""
        with self._lock:
            done = [h for h, seen in self.seen.items() if h not in exclude and len(seen) >= markets]
        return max(done) if done else None


@dataclass(frozen=True, slots=True)
class HaltResult:
    markets: int
    rounds: int
    ms: Percentiles
    orders_canceled_per_round: float


def halt_propagation(workload: Workload, rounds: int, directory: Path) -> HaltResult:
    cancels = _Cancels()
    markets = len(workload.markets)
    running = start_engine(
        workload.markets,
        directory,
        workload.events[0].recv_ms,
        on_canceled=cancels.record,
        restarts=rounds + 10,
    )
    engine = running.engine
    names = engine.market_names()
    batches = _round_batches(workload, rounds)
    samples: list[float] = []
    canceled: list[int] = []
    try:
        for index in range(rounds):
            for event in batches[index]:
                running.clock.set(event.recv_ms)
                engine.feed(event)
            if not engine.drain(timeout_s=120.0):
                raise HaltRunError("the engine did not drain before the crash")
            known = cancels.known()
            entries = len(engine.halt_entries())
            sent = time.monotonic()
            engine.router.tell(names[index % len(names)], Crash("bench halt propagation"))
            # Every market but the crashed one confirms; the crashed one's orders are
            # canceled by the protocol's journal commit.
            halt_id = _wait_halt(known, cancels, markets - 1)
            committed = _wait_entry(engine, entries)
            samples.append((max(cancels.last[halt_id], committed) - sent) * 1000.0)
            canceled.append(cancels.canceled.get(halt_id, 0))
            engine.drain(timeout_s=120.0)
            if not engine.resume("bench", timeout_s=60.0).resumed:
                raise HaltRunError("trading did not resume after a measured halt")
    finally:
        running.close()
    mean_canceled = sum(canceled) / len(canceled) if canceled else 0.0
    return HaltResult(markets, rounds, percentiles(samples), mean_canceled)


def _round_batches(workload: Workload, rounds: int) -> list[list[MarketEvent]]:
    size = max(1, len(workload.events) // max(rounds, 1))
    return [list(workload.events[i * size : (i + 1) * size]) for i in range(rounds)]


def _wait_entry(engine: Engine, before: int) -> float:
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        entries = engine.halt_entries()
        if len(entries) > before:
            return entries[before].committed_s
        time.sleep(_POLL_S)
    raise HaltRunError("the halt protocol did not record the crash within 60 s")


def _wait_halt(known: set[int], cancels: _Cancels, markets: int) -> int:
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        halt_id = cancels.completed(markets, known)
        if halt_id is not None:
            return halt_id
        time.sleep(_POLL_S)
    raise HaltRunError("a halt's cancel-all did not reach every market within 60 s")
