"""The live paper trader: discovery -> journal + crash-only start -> engine -> market feed.

Start-up order, each step failing closed with one named reason:
1. discovery (the whole filtered universe or a veto) — before anything is written;
2. the journal and the crash-only start (`recovery_start`), then the startup checklist;
3. the engine (trading HALTED), the metrics endpoint and the control API;
4. the market WebSocket feed, routing validated events into the engine, and the RTDS spot
   feed for the symbols the markets' contracts resolve on (none: no spot connection);
5. burn-in: `run.burn_in_rounds` consecutive one-second rounds with every subscribed token
   synced and every actor healthy; only then is the startup halt lifted — and only if the
   journal holds no durable halt (an operator or loss halt survives a restart).
It runs until a signal, `--max-runtime` or an escalation, then stops in order (`shutdown`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from prometheus_client import CollectorRegistry

from astra.actors.engine import WallClock
from astra.adapters import startup_checks as checks
from astra.adapters.control_api import ControlServer, load_or_create_token, start_control_server
from astra.adapters.http_client import HttpSettings
from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.runs import RunStatus
from astra.adapters.journal.store import JournalStore, Synchronous, connect_readonly, read_records
from astra.adapters.logging_setup import set_run_id
from astra.adapters.metrics_prometheus import MetricsServer, PrometheusMetrics
from astra.adapters.metrics_prometheus import start_metrics_server as start_metrics
from astra.adapters.polymarket.ws_shards import MarketFeed
from astra.adapters.spot.rtds import SpotFeed
from astra.adapters.ws_session import WsSettings
from astra.app.books import RestBooks
from astra.app.control_backend import EngineControl
from astra.app.discovery import DiscoveryVetoed, discover
from astra.app.runtime import Runtime, RuntimeInputs, StopReport, build_runtime
from astra.app.shutdown import ShutdownSignals
from astra.app.strategies import ContractStrategyFactory
from astra.app.summary import summarise
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import BURN_IN_REMAINING
from astra.settings import Settings

_log = logging.getLogger("astra.app.paper")
ROUND_S = 1.0
POLL_S = 0.05
MIN_FREE_BYTES = 100 * 1024 * 1024


class PaperError(RuntimeError):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class PaperOptions:
    strategy: ContractStrategyFactory
    max_runtime_s: float | None = None


@dataclass(slots=True)
class _Desyncs:
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
class _Live:
    """What the watch loop tracks; read by `status` through the control API."""

    feed: MarketFeed
    assets: tuple[str, ...]
    rounds_left: int
    spot: SpotFeed | None = None
    desyncs: _Desyncs = field(default_factory=_Desyncs)
    trading_opened: bool = False
    open_refusal: str | None = None
    started_s: float = field(default_factory=time.monotonic)

    def facts(self) -> dict[str, Any]:
        synced = sum(1 for a in self.assets if self.feed.synced(a))
        symbols = () if self.spot is None else self.spot.symbols
        return {
            "feed": {"assets": len(self.assets), "synced": synced, "desyncs": self.desyncs.tokens},
            "spot": {"symbols": list(symbols)},
            "burn_in_rounds_left": self.rounds_left,
            "trading_opened": self.trading_opened,
            "open_refusal": self.open_refusal,
            "uptime_s": round(time.monotonic() - self.started_s, 1),
        }


def http_settings(settings: Settings) -> HttpSettings:
    return HttpSettings(
        timeout_s=settings.venue.http_timeout_s,
        retries=settings.venue.http_retries,
        seed=settings.run.seed,
    )


def run_paper(
    settings: Settings, options: PaperOptions, signals: ShutdownSignals
) -> tuple[int, dict[str, Any]]:
    """Run until stopped; returns (exit code, summary). PaperError for a refused start."""
    metrics = PrometheusMetrics(CollectorRegistry())
    try:
        markets = anyio.run(discover, settings, http_settings(settings), metrics)
    except (DiscoveryVetoed, ValueError) as exc:  # a veto, or filter settings out of range
        raise PaperError(str(exc), exit_code=3) from exc
    data_dir = Path(settings.data.dir)
    store = _open_journal(settings, data_dir)
    clock = WallClock()
    first_id = _last_record_id(store)
    inputs = RuntimeInputs(
        settings,
        markets,
        RestBooks(settings.venue.clob_url, http_settings(settings)),
        clock,
        metrics,
        options.strategy,
        settings.run.seed,
        live=True,
    )
    runtime = build_runtime(store, inputs)
    set_run_id(runtime.run_id)
    servers: list[MetricsServer | ControlServer] = []
    try:
        _checklist(settings, data_dir, metrics, store.path)
        desyncs = _Desyncs()
        feed = _feed(settings, runtime, clock, desyncs.record)
        live = _Live(feed, _assets(markets), settings.run.burn_in_rounds, desyncs=desyncs)
        live.spot = _spot_feed(settings, runtime, clock)
        servers = _servers(settings, data_dir, metrics, EngineControl(runtime, live.facts))
        reason = anyio.run(_run_live, runtime, live, signals, options.max_runtime_s)
    except BaseException as exc:
        _stop(runtime, servers, RunStatus.ERROR, f"{type(exc).__name__}: {exc}", settings)
        raise
    status = RunStatus.ERROR if reason == "escalated" else RunStatus.CLEAN
    report = _stop(runtime, servers, status, reason, settings)
    records = _records_after(store.path, first_id)
    summary = summarise(
        records,
        mode="paper",
        run_id=runtime.run_id,
        markets=len(markets),
        stop_reason=reason,
        shutdown_s=round(report.seconds, 3),
        restart_canceled=len(runtime.start.restart_canceled),
        crashed_runs=list(runtime.start.crashed_runs),
    )
    return (1 if reason == "escalated" else 0), summary


def _open_journal(settings: Settings, data_dir: Path) -> JournalStore:
    sync: Synchronous = "NORMAL" if settings.journal.synchronous.upper() == "NORMAL" else "FULL"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        return JournalStore.open(journal_path(data_dir), synchronous=sync)
    except (OSError, RuntimeError, ValueError) as exc:
        raise PaperError(f"journal unavailable: {exc}", exit_code=2) from exc


def _records_after(path: Path, first_id: int) -> list[Any]:
    conn = connect_readonly(path)
    try:
        return [s.record for s in read_records(conn, first_id)]
    finally:
        conn.close()


def _last_record_id(store: JournalStore) -> int:
    with store.reading() as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
    return int(row[0])


def _checklist(settings: Settings, data_dir: Path, metrics: PrometheusMetrics, db: Path) -> None:
    items = [
        checks.dir_writable("data_dir_writable", data_dir),
        checks.disk_space("disk_space", data_dir, MIN_FREE_BYTES),
        checks.journal_ready("journal_ready", db),
    ]
    for name, section in (("metrics_port", settings.metrics), ("control_port", settings.control)):
        if section.enabled and section.port != 0:
            items.append(checks.port_bindable(name, section.host, section.port))
    report = checks.run_checklist(items, metrics)
    if not report.ok:
        raise PaperError(report.summary(), exit_code=2)


def _servers(
    settings: Settings, data_dir: Path, metrics: PrometheusMetrics, control: EngineControl
) -> list[MetricsServer | ControlServer]:
    servers: list[MetricsServer | ControlServer] = []
    if settings.metrics.enabled:
        servers.append(
            start_metrics(settings.metrics.host, settings.metrics.port, metrics.registry)
        )
    if settings.control.enabled:
        token = load_or_create_token(data_dir, os.environ, settings.control.token_env)
        servers.append(
            start_control_server(control, token, settings.control.host, settings.control.port)
        )
    return servers


def _assets(markets: list[MarketInfo]) -> tuple[str, ...]:
    return tuple(t for m in markets for t in m.tokens)


def _ws_settings(settings: Settings, url: str) -> WsSettings:
    feed = settings.feed
    return WsSettings(
        url=url,
        ping_interval_s=feed.ping_interval_s,
        backoff_initial_s=feed.reconnect_min_s,
        backoff_max_s=max(feed.reconnect_max_s, feed.reconnect_min_s),
        seed=settings.run.seed,
    )


def _feed(
    settings: Settings,
    runtime: Runtime,
    clock: WallClock,
    on_desync: Callable[[tuple[str, ...]], None],
) -> MarketFeed:
    engine = runtime.engine

    def route(event: Any) -> None:
        engine.feed(event)  # False = not one of our markets (e.g. new_market): ignored

    return MarketFeed(
        _ws_settings(settings, settings.venue.ws_url),
        route,
        clock=clock,
        metrics=engine.metrics,
        on_desync=on_desync,
        max_per_connection=settings.feed.max_assets_per_connection,
    )


def _spot_feed(settings: Settings, runtime: Runtime, clock: WallClock) -> SpotFeed | None:
    """RTDS prices for the symbols the markets' contracts resolve on (and are configured)."""
    engine = runtime.engine
    wanted = engine.spot_routes.symbols()
    configured = {s.lower() for s in settings.feed.spot_symbols}
    symbols = [s for s in wanted if s in configured]
    for symbol in sorted(set(wanted) - configured):
        _log.warning(
            "no spot feed for %s (not in feed.spot_symbols): its markets skip no_spot", symbol
        )
    if not symbols:
        return None

    def route(event: Any) -> None:
        engine.feed(event)

    return SpotFeed(
        _ws_settings(settings, settings.venue.rtds_url),
        route,
        clock=clock,
        metrics=engine.metrics,
        symbols=symbols,
    )


async def _run_live(
    runtime: Runtime, live: _Live, signals: ShutdownSignals, max_runtime_s: float | None
) -> str:
    async with anyio.create_task_group() as tg:
        await live.feed.subscribe(_groups(live.assets))
        tg.start_soon(live.feed.run)
        if live.spot is not None:
            tg.start_soon(live.spot.run)
        reason = await _watch(runtime, live, signals, max_runtime_s)
        tg.cancel_scope.cancel()
    return reason


def _groups(assets: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(assets[i], assets[i + 1]) for i in range(0, len(assets), 2)]


async def _watch(
    runtime: Runtime, live: _Live, signals: ShutdownSignals, max_runtime_s: float | None
) -> str:
    deadline = None if max_runtime_s is None else time.monotonic() + max_runtime_s
    next_round = time.monotonic() + ROUND_S
    while True:
        if signals.requested.is_set():
            return "signal" if signals.signum is not None else "requested"
        if deadline is not None and time.monotonic() >= deadline:
            return "max_runtime"
        if runtime.engine.escalated:
            return "escalated"
        if time.monotonic() >= next_round:
            next_round += ROUND_S
            await anyio.to_thread.run_sync(_burn_in_round, runtime, live)
        await anyio.sleep(POLL_S)


def _burn_in_round(runtime: Runtime, live: _Live) -> None:
    """One round: count it if every token is synced and every actor healthy, else restart."""
    if live.trading_opened or live.open_refusal is not None:
        return
    ready = all(live.feed.synced(a) for a in live.assets) and runtime.engine.all_healthy()
    live.rounds_left = (
        max(live.rounds_left - 1, 0) if ready else runtime.inputs.settings.run.burn_in_rounds
    )
    runtime.engine.metrics.set(BURN_IN_REMAINING, float(live.rounds_left))
    if live.rounds_left > 0:
        return
    result = runtime.open_trading("burn-in")
    if result.resumed:
        live.trading_opened = True
        _log.info("burn-in complete: trading resumed")
    else:
        live.open_refusal = result.detail
        _log.warning(
            "trading stays halted: %s (resume explicitly with astra resume)", result.detail
        )


def _stop(
    runtime: Runtime,
    servers: list[MetricsServer | ControlServer],
    status: RunStatus,
    detail: str,
    settings: Settings,
) -> StopReport:
    report = runtime.stop(status, detail, settings.run.shutdown_timeout_s)
    for server in servers:
        server.close()
    _log.info(
        "stopped: status=%s detail=%s seconds=%.3f clean_tree=%s flushed=%s",
        report.status,
        detail,
        report.seconds,
        report.clean_tree,
        report.flushed,
    )
    return report
