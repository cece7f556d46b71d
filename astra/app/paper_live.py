"""The live phase of `astra paper`: feeds running -> feed checks -> burn-in -> trading.

`run_live` subscribes the market feed (and starts the spot feed), waits up to
`run.startup_timeout_s` for every token's first book (and every spot symbol's first print),
runs the feed phase of the startup checklist, then loops: the operator monitor once a second
(heartbeat, alerts), `astra_book_age_seconds` (the stalest token's age, `book_age`) once a
second, and one burn-in round a second until the burn-in is over. It returns why it
stopped: a signal, `--max-runtime`, an escalation, `startup_checks_failed` or
`burn_in_exhausted`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import anyio

from astra.adapters import startup_checks as checks
from astra.adapters.polymarket.ws_shards import MarketFeed
from astra.adapters.spot.rtds import SpotFeed
from astra.app.book_age import max_book_age_s
from astra.app.book_check import BookCheck
from astra.app.burn_in_gate import BurnInGate
from astra.app.model_poller import ModelPoller
from astra.app.operator_monitor import OperatorMonitor
from astra.app.paper_checks import FeedWait, feed_checks
from astra.app.runtime import Runtime
from astra.app.shutdown import ShutdownSignals
from astra.app.status_line import StatusLog
from astra.app.universe import LiveUniverse
from astra.domain.metrics_port import BOOK_AGE_SECONDS, BURN_IN_REMAINING

_log = logging.getLogger("astra.app.paper")
ROUND_S = 1.0
POLL_S = 0.05


@dataclass(slots=True)
class Desyncs:
    """Tokens the market feed reported unsynced (a reconnect, a tick size change).

    The feed holds their deltas back until a fresh `book`; the engine has no input to mark
    its own copy of those books unsynced yet, so this is counted and shown in `status`."""

    tokens: int = 0
    events: int = 0

    def record(self, asset_ids: tuple[str, ...]) -> None:
        self.tokens += len(asset_ids)
        self.events += 1
        _log.warning("market feed unsynced %d tokens (resync pending)", len(asset_ids))


@dataclass(slots=True)
class Live:
    """What the live loop tracks; read by `status` and `/readyz` through the control API."""

    feed: MarketFeed
    assets: tuple[str, ...]
    gate: BurnInGate
    monitor: OperatorMonitor
    stale_after_ms: int
    spot: SpotFeed | None = None
    universe: LiveUniverse | None = None
    model: ModelPoller | None = None  # NWS / rates prior frames for weather and rates markets
    desyncs: Desyncs = field(default_factory=Desyncs)
    book_check: BookCheck | None = None
    checklist: checks.ChecklistReport | None = None
    trading_opened: bool = False
    open_refusal: str | None = None
    started_s: float = field(default_factory=time.monotonic)
    started_ms: int = field(default_factory=lambda: time.time_ns() // 1_000_000)  # wall clock
    status_log: StatusLog = field(default_factory=lambda: StatusLog(60.0, time.monotonic))

    def facts(self) -> dict[str, Any]:
        assets = self.current_assets()
        synced = sum(1 for a in assets if self.feed.synced(a))
        symbols = () if self.spot is None else self.spot.symbols
        return {
            "feed": {"assets": len(assets), "synced": synced, "desyncs": self.desyncs.tokens},
            "spot": {"symbols": list(symbols)},
            "burn_in_rounds_left": self.gate.state.remaining,
            "burn_in": self.gate.to_dict(),
            "startup_checks": None if self.checklist is None else self.checklist.to_dict(),
            "trading_opened": self.trading_opened,
            "open_refusal": self.open_refusal,
            "uptime_s": round(time.monotonic() - self.started_s, 1),
            "universe": None if self.universe is None else self.universe.facts(),
        }

    def current_assets(self) -> tuple[str, ...]:
        """The tokens of the markets trading now (the living universe's, once it changed;
        a market burning in or leaving is not counted)."""
        return self.assets if self.universe is None else self.universe.assets()

    def book_age_s(self, now_ms: int) -> float:
        """The stalest subscribed token's age (wall clock): since its last book update, or
        since the live phase started when it was never heard from."""
        last = (self.feed.last_event_ms(a) for a in self.current_assets())
        return max_book_age_s(last, now_ms, self.started_ms)

    def readiness(self) -> dict[str, bool]:
        """Feeds fresh (every token synced and heard from recently, spot not stale) and the
        journal writable (the monitor's last commit)."""
        now_ms = time.time_ns() // 1_000_000
        synced = all(self.feed.synced(a) for a in self.current_assets())
        books = synced and not self.feed.stale_assets(now_ms, self.stale_after_ms)
        spot = self.spot is None or not self.spot.stale_symbols(now_ms, self.stale_after_ms)
        return {"feeds_fresh": books and spot, "journal_writable": self.monitor.journal_writable}


async def run_live(
    runtime: Runtime,
    live: Live,
    signals: ShutdownSignals,
    base: checks.ChecklistReport,
    max_runtime_s: float | None,
) -> str:
    async with anyio.create_task_group() as tg:
        await live.feed.subscribe(_groups(live.assets))
        tg.start_soon(live.feed.run)
        if live.spot is not None:
            tg.start_soon(live.spot.run)
        if live.book_check is not None:
            tg.start_soon(live.book_check.run)
        if live.model is not None:
            tg.start_soon(live.model.run)
        refused = await _start_checks(runtime, live, signals, base)
        reason = refused or await _watch(runtime, live, signals, max_runtime_s)
        tg.cancel_scope.cancel()
    return reason


def _groups(assets: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(assets[i], assets[i + 1]) for i in range(0, len(assets), 2)]


async def _start_checks(
    runtime: Runtime, live: Live, signals: ShutdownSignals, base: checks.ChecklistReport
) -> str | None:
    """Wait for the first books (bounded), run the feed checks; None when trading may start."""
    settings = runtime.inputs.settings
    started = time.monotonic()
    deadline = started + settings.run.startup_timeout_s
    waited = _waited(live, started)
    while time.monotonic() < deadline and not _ready_to_check(runtime, waited):
        if signals.requested.is_set():
            return "signal" if signals.signum is not None else "requested"
        await anyio.sleep(POLL_S)
        waited = _waited(live, started)
    items = feed_checks(runtime, live.feed, live.spot, waited, settings)
    report = await anyio.to_thread.run_sync(checks.run_checklist, items, runtime.inputs.metrics)
    live.checklist = checks.ChecklistReport(base.results + report.results)
    _log.info("%s", live.checklist.summary())
    return None if live.checklist.ok else "startup_checks_failed"


def _waited(live: Live, started: float) -> FeedWait:
    synced = sum(1 for a in live.assets if live.feed.synced(a))
    spot = live.spot
    missing = () if spot is None else tuple(s for s in spot.symbols if spot.latest(s) is None)
    return FeedWait(synced, len(live.assets), missing, time.monotonic() - started)


def _ready_to_check(runtime: Runtime, waited: FeedWait) -> bool:
    """Every token has a book, every spot symbol a print, and every actor finished starting
    (a MarketActor seeds its books from REST in `on_started`)."""
    feeds = waited.synced == waited.assets and not waited.spot_missing
    return feeds and runtime.engine.all_healthy()


async def _watch(
    runtime: Runtime, live: Live, signals: ShutdownSignals, max_runtime_s: float | None
) -> str:
    deadline = None if max_runtime_s is None else time.monotonic() + max_runtime_s
    next_round = time.monotonic()
    while True:
        if signals.requested.is_set():
            return "signal" if signals.signum is not None else "requested"
        if deadline is not None and time.monotonic() >= deadline:
            return "max_runtime"
        if runtime.engine.escalated:
            live.monitor.escalation()
            return "escalated"
        if time.monotonic() >= next_round:
            next_round += ROUND_S
            await anyio.to_thread.run_sync(live.monitor.tick)
            now_ms = time.time_ns() // 1_000_000
            runtime.engine.metrics.set(BOOK_AGE_SECONDS, live.book_age_s(now_ms))
            if live.universe is not None:  # first round: settle what resolved while down
                await live.universe.step(live.trading_opened)
            if await anyio.to_thread.run_sync(_burn_in_round, runtime, live):
                return "burn_in_exhausted"
            live.status_log.maybe_log(runtime, live.facts)
        await anyio.sleep(POLL_S)


def _burn_in_round(runtime: Runtime, live: Live) -> bool:
    """One round: healthy if every token is synced and every actor healthy, else it restarts
    the count. True when the burn-in is exhausted (never N healthy rounds in a row)."""
    if live.trading_opened or live.open_refusal is not None:
        return False
    synced = all(live.feed.synced(a) for a in live.current_assets())
    healthy = synced and runtime.engine.all_healthy()
    state = live.gate.after_round(healthy)
    runtime.engine.metrics.set(BURN_IN_REMAINING, float(state.remaining))
    _log.info(
        "burn-in round: healthy=%s remaining=%d failures=%d monitoring=%s",
        healthy,
        state.remaining,
        state.failures,
        live.gate.monitoring,
        extra={"event": "burn_in"},
    )
    if state.exhausted:
        _log.error("burn-in exhausted: %d unhealthy rounds; stopping", state.failures)
        return True
    if state.active:
        return False
    result = runtime.open_trading("burn-in")
    if result.resumed:
        live.trading_opened = True
        _log.info("burn-in complete: trading resumed")
    else:
        live.open_refusal = result.detail
        _log.warning(
            "trading stays halted: %s (resume explicitly with astra resume)", result.detail
        )
    return False
