"""Replay a recording (or a plain JSON array of venue messages) through the live engine.

The clock is event time (`ManualClock`, set to each frame's receive time) and every random
draw comes from the seed, so a replay is reproducible: the same file and seed give the same
journal, hence the same `journal_digest`. The journal is a fresh file per replay
(`<data-dir>/replay.sqlite3`; it is derived data, rebuilt from the recording at will).

Determinism with threaded actors: after each event the runner asks the event's market and
then the RiskActor for their status. Mailboxes are FIFO, so the market has handled the event
and the RiskActor every fill it reported before the next event is fed. A halt or a resume
fans out to every market, so when the RiskActor's halt id moved the runner drains the whole
engine instead. Nothing in a replay runs on a timer (no watchdog, no flush ticker); the book
age gauge is published from event time (`book_age`).
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from astra.adapters.journal.runs import RunStatus
from astra.adapters.journal.store import JournalStore
from astra.adapters.recording.replay import ReplayEvent, open_replay
from astra.adapters.startup_checks import journal_ready, run_checklist
from astra.app.book_age import EventTimeBookAges
from astra.app.books import ReplayBooks
from astra.app.journal_stream import JournalRecords
from astra.app.replay_progress import ReplayProgress
from astra.app.runtime import Runtime, RuntimeInputs, build_runtime
from astra.app.strategies import ContractStrategyFactory
from astra.app.summary import summarise
from astra.domain.clock import ManualClock
from astra.domain.events import MarketEvent, SpotPrice
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import (
    FEED_EVENTS_TOTAL,
    HEARTBEAT_TIMESTAMP,
    CountingMetrics,
    MetricsSink,
)
from astra.domain.models.frames import ModelFrame
from astra.settings import Settings

REPLAY_JOURNAL = "replay.sqlite3"


class ReplayError(RuntimeError):
    """A replay that cannot run (unreadable file, no market, engine would not start)."""


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    data_dir: Path
    seed: int
    strategy: ContractStrategyFactory
    paced: bool = False
    speed: float = 1.0
    progress: TextIO | None = None  # a TTY to draw the progress bar on, or None
    on_event: Callable[[int], None] | None = None  # called with the count fed so far


@dataclass(slots=True)
class _Counts:
    fed: int = 0
    unrouted: int = 0
    spot: int = 0
    spot_unrouted: int = 0
    drains: int = 0


def fresh_journal(data_dir: Path) -> JournalStore:
    path = data_dir / REPLAY_JOURNAL
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return JournalStore.open(path)


def run_replay(
    path: Path, settings: Settings, options: ReplayOptions, metrics: MetricsSink | None = None
) -> dict[str, Any]:
    sink = metrics if metrics is not None else CountingMetrics()
    try:
        replay = open_replay(path, sink)
        markets = list(replay.markets)
    except (OSError, ValueError) as exc:
        raise ReplayError(f"cannot read {path}: {exc}") from exc
    if not markets:
        raise ReplayError(f"{path}: no market could be identified in the recording")
    progress = ReplayProgress(options.progress, replay.count_frames(), lambda: replay.frames_read)
    # Streamed: the recording is read as the engine consumes it, never held whole.
    summary = replay_events(replay.events(), markets, settings, options, sink, progress)
    return summary | {
        "source": str(path),
        "rejected_frames": len(replay.rejects),
        "truncated": replay.truncated,
    }


def replay_events(
    events: Iterable[ReplayEvent],
    markets: Sequence[MarketInfo],
    settings: Settings,
    options: ReplayOptions,
    metrics: MetricsSink,
    progress: ReplayProgress | None = None,
) -> dict[str, Any]:
    """Drive the engine over `events`; returns the summary (the journal is closed after)."""
    started = time.monotonic()
    stream = iter(events)
    first = next(stream, None)
    clock = ManualClock(first[0] if first is not None else 0)
    counts = _Counts()
    if progress is None:
        total = len(events) if isinstance(events, Sequence) else None
        progress = ReplayProgress(options.progress, total, lambda: counts.fed)
    stream = itertools.chain([first] if first is not None else [], stream)
    books = ReplayBooks()
    store = fresh_journal(options.data_dir)
    checked = run_checklist([journal_ready("journal_ready", store.path)], metrics)
    if not checked.ok:
        store.close()
        raise ReplayError(checked.summary())
    inputs = RuntimeInputs(
        settings, markets, books, clock, metrics, options.strategy, options.seed, live=False,
        run_id=f"replay-seed-{options.seed}",
    )  # fmt: skip
    runtime = build_runtime(store, inputs)
    try:
        opened = runtime.open_trading("replay")
        if not opened.resumed:
            raise ReplayError(f"trading could not start: {opened.detail}")
        _drive(runtime, stream, progress, clock, books, options, counts)
    finally:
        report = runtime.stop(RunStatus.CLEAN, "replay finished", settings.run.shutdown_timeout_s)
    progress.finish(counts.fed)
    records = _records(options.data_dir / REPLAY_JOURNAL)
    elapsed = time.monotonic() - started
    return summarise(
        records,
        mode="replay",
        seed=options.seed,
        markets=len(markets),
        events=counts.fed,
        unrouted_events=counts.unrouted,
        spot_events=counts.spot,
        spot_unrouted=counts.spot_unrouted,
        contracts=runtime.contracts.facts(),
        full_drains=counts.drains,
        shutdown_s=round(report.seconds, 3),
        elapsed_s=round(elapsed, 3),
        events_per_s=round(counts.fed / elapsed, 1) if elapsed > 0 else None,
        journal=str(options.data_dir / REPLAY_JOURNAL),
    )


def _drive(
    runtime: Runtime,
    events: Iterator[ReplayEvent],
    progress: ReplayProgress,
    clock: ManualClock,
    books: ReplayBooks,
    options: ReplayOptions,
    counts: _Counts,
) -> None:
    engine = runtime.engine
    status = engine.risk_status()
    halt_id = 0 if status is None else status.halt_id
    wall_start, event_start = time.monotonic(), clock.now_ms()
    tokens = (token for market in runtime.inputs.markets for token in market.tokens)
    ages = EventTimeBookAges(tokens, event_start)
    for index, (recv_ms, _channel, event) in enumerate(events):
        if options.paced:
            _pace(wall_start, event_start, recv_ms, options.speed)
        clock.set(recv_ms)
        ages.observe(event, recv_ms)
        ages.publish(runtime.inputs.metrics, clock.now_ms())
        markets = _feed(runtime, event, books, counts)
        if not markets:
            continue
        halt_id = _settle(runtime, markets, halt_id, counts)
        runtime.inputs.metrics.set(HEARTBEAT_TIMESTAMP, time.time())
        if index % 200 == 0:
            progress.update(counts.fed)
        if options.on_event is not None:
            options.on_event(counts.fed)
    ages.publish(runtime.inputs.metrics, clock.now_ms(), force=True)
    if not engine.drain(timeout_s=30.0):
        raise ReplayError("the engine did not become idle at the end of the replay")


def _event_type(event: MarketEvent) -> str:
    """The venue's event type name, as the live decoder labels FEED_EVENTS_TOTAL."""
    name = type(event).__name__
    return _EVENT_TYPES.get(name, name.lower())


_EVENT_TYPES = {
    "BookSnapshot": "book",
    "PriceChange": "price_change",
    "Trade": "last_trade_price",
    "TickSizeChange": "tick_size_change",
    "BestBidAsk": "best_bid_ask",
    "MarketResolved": "market_resolved",
    "NewMarket": "new_market",
}


def _feed(
    runtime: Runtime,
    event: MarketEvent | SpotPrice | ModelFrame,
    books: ReplayBooks,
    counts: _Counts,
) -> tuple[str, ...]:
    """Feed one event; the markets whose handling must be awaited (none: not routed).

    A spot print goes to every market whose contract resolves on its symbol (none when no
    market has such a contract: counted as unrouted spot)."""
    engine = runtime.engine
    metrics = runtime.inputs.metrics
    if isinstance(event, ModelFrame):
        metrics.inc(FEED_EVENTS_TOTAL, {"type": "model_frame"})
        if not engine.feed(event):
            return ()
        return engine.model_routes.markets(event.key)
    if isinstance(event, SpotPrice):
        counts.spot += 1
        metrics.inc(FEED_EVENTS_TOTAL, {"type": "spot_price"})
        if not engine.feed(event):
            counts.spot_unrouted += 1
            return ()
        return engine.spot_routes.markets(event.symbol)
    books.observe(event)
    metrics.inc(FEED_EVENTS_TOTAL, {"type": _event_type(event)})
    if not engine.feed(event):
        counts.unrouted += 1
        return ()
    counts.fed += 1
    return (event.market,)


def _settle(runtime: Runtime, markets: Sequence[str], halt_id: int, counts: _Counts) -> int:
    """Wait until this event's consequences are handled (see the module docstring)."""
    engine = runtime.engine
    answered = all(engine.digest(market) is not None for market in markets)
    status = engine.risk_status()
    if not answered or status is None or status.halt_id != halt_id:
        counts.drains += 1
        if not engine.drain(timeout_s=30.0):
            raise ReplayError("the engine did not become idle after a halt or an actor failure")
        status = engine.risk_status()
    return halt_id if status is None else status.halt_id


def _pace(wall_start: float, event_start: int, recv_ms: int, speed: float) -> None:
    due = wall_start + (recv_ms - event_start) / 1000 / max(speed, 1e-9)
    delay = due - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def _records(path: Path) -> JournalRecords:
    """Streamed from the closed journal on every pass: a summary never holds it whole."""
    return JournalRecords(path)


def progress_stream() -> TextIO | None:
    return sys.stderr if sys.stderr.isatty() else None
