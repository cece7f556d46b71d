"""The live paper trader: discovery -> journal + crash-only start -> engine -> market feed.

Start-up order, each step failing closed with one named reason:
1. discovery (the whole filtered universe or a veto) — before anything is written;
2. the journal, then the engine-free half of the startup checklist (`paper_checks`);
3. the crash-only start (`recovery_start`), the engine (trading HALTED), the alert notifier,
   the metrics endpoint and the control API;
4. the market WebSocket feed, routing validated events into the engine, and the RTDS spot
   feed for the symbols the markets' contracts resolve on (none: no spot connection); the
   feed half of the checklist once every token has its first book (`paper_live`);
5. monitor-only burn-in: `run.burn_in_rounds` consecutive one-second rounds with every token
   synced and every actor healthy, decisions recorded as SKIP/`burn_in` (`burn_in_gate`);
   only then is the startup halt lifted — and only if the journal holds no durable halt
   (an operator or loss halt survives a restart).
Once a second the operator monitor publishes the heartbeat and alerts on halts, resumes,
restarts, escalations, feed disconnects and journal failures (`operator_monitor`). It runs
until a signal, `--max-runtime`, an escalation or an exhausted burn-in, then stops in order.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from prometheus_client import CollectorRegistry

from astra.actors.engine import WallClock
from astra.adapters import startup_checks as checks
from astra.adapters.alerts import AlertNotifier
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
from astra.app.book_check import BookCheck, engine_tops
from astra.app.books import RestBooks, fetch_rest_books
from astra.app.burn_in_gate import BurnInGate, monitored
from astra.app.control_backend import EngineControl
from astra.app.discovery import DiscoveryVetoed, discover_all
from astra.app.halts import durable_halts
from astra.app.model_poller import ModelPoller
from astra.app.operator_monitor import OperatorMonitor
from astra.app.paper_checks import pre_engine_checks
from astra.app.paper_live import Desyncs, Live, run_live
from astra.app.recovery_start import new_run_id
from astra.app.risk_book import HALT_KINDS
from astra.app.runtime import Runtime, RuntimeInputs, StopReport, build_runtime
from astra.app.shutdown import ShutdownSignals
from astra.app.status_line import StatusLog
from astra.app.strategies import ContractStrategyFactory
from astra.app.summary import summarise
from astra.app.universe import LiveUniverse
from astra.app.ws_config import ws_settings
from astra.domain.clock import Clock
from astra.domain.events import BookSnapshot, NewMarket
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import MetricsSink
from astra.domain.universe import plan
from astra.settings import Settings

_log = logging.getLogger("astra.app.paper")
FAILED_STOPS = frozenset({"escalated", "burn_in_exhausted", "startup_checks_failed"})


class PaperError(RuntimeError):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class PaperOptions:
    strategy: ContractStrategyFactory
    max_runtime_s: float | None = None


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
    clock = WallClock()
    run_id = new_run_id(clock.now_ms())
    set_run_id(run_id)  # every log line from here on carries the manifest's run id
    metrics = PrometheusMetrics(CollectorRegistry())
    try:
        found = anyio.run(discover_all, settings, http_settings(settings), metrics)
    except (DiscoveryVetoed, ValueError) as exc:  # a veto, or filter settings out of range
        raise PaperError(str(exc), exit_code=3) from exc
    # The same rule the live universe applies later: none past its end date.
    markets = list(plan([], found, clock.now_ms(), settings.discovery.max_markets).add)
    if not markets:
        raise PaperError("discovery found no market accepting orders before its end", 3)
    data_dir = Path(settings.data.dir)
    store = _open_journal(settings, data_dir)
    base = _pre_engine_checklist(settings, data_dir, store, len(markets), metrics)
    gate = BurnInGate(settings.run.burn_in_rounds, monitoring=not _durable_halts(store))
    first_id = _last_record_id(store)
    strategy = monitored(options.strategy, gate)
    books = RestBooks(settings.venue.clob_url, http_settings(settings), metrics)
    inputs = RuntimeInputs(
        settings, markets, books, clock, metrics, strategy, settings.run.seed, True, run_id
    )
    runtime = build_runtime(store, inputs)
    notifier = AlertNotifier(settings.alerts.webhook_url, metrics, settings.alerts.min_interval_s)
    notifier.start()
    servers: list[MetricsServer | ControlServer] = []
    try:
        live = _live(settings, runtime, gate, notifier, first_id)
        control = EngineControl(runtime, live.facts, live.readiness, gate.end_monitoring)
        servers = _servers(settings, data_dir, metrics, control)
        reason = anyio.run(run_live, runtime, live, signals, base, options.max_runtime_s)
    except BaseException as exc:
        _stop(runtime, servers, notifier, RunStatus.ERROR, f"{type(exc).__name__}: {exc}")
        raise
    failed = reason in FAILED_STOPS
    report = _stop(
        runtime, servers, notifier, RunStatus.ERROR if failed else RunStatus.CLEAN, reason
    )
    if reason == "startup_checks_failed":
        failures = "" if live.checklist is None else live.checklist.summary()
        raise PaperError(failures or reason, exit_code=2)
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
    return (1 if failed else 0), summary


def _pre_engine_checklist(
    settings: Settings, data_dir: Path, store: JournalStore, markets: int, metrics: MetricsSink
) -> checks.ChecklistReport:
    """The checks that need no engine; a blocking failure closes the journal and refuses."""
    items = pre_engine_checks(settings, data_dir, store.path, markets)
    report = checks.run_checklist(items, metrics)
    if not report.ok:
        store.close()
        raise PaperError(report.summary(), exit_code=2)
    return report


def _durable_halts(store: JournalStore) -> list[str]:
    stored = store.records_since(0, HALT_KINDS)
    return sorted(durable_halts(s.record for s in stored))


def _live(
    settings: Settings,
    runtime: Runtime,
    gate: BurnInGate,
    notifier: AlertNotifier,
    start_id: int,
) -> Live:
    clock = runtime.inputs.clock
    desyncs = Desyncs()
    new_market: list[Callable[[], None]] = []
    feed = _feed(settings, runtime, clock, desyncs.record, new_market)

    def connections() -> tuple[int, int]:
        shards = feed.shards
        return sum(1 for s in shards if s.connected), len(shards)

    monitor = OperatorMonitor(runtime, notifier, gate, connections)
    stale_ms = round(settings.feed.stale_after_s * 1000)
    live = Live(
        feed,
        _assets(runtime.inputs.markets),
        gate,
        monitor,
        stale_ms,
        desyncs=desyncs,
        status_log=StatusLog(settings.run.status_interval_s, time.monotonic),
    )
    live.spot = _spot_feed(settings, runtime, clock)
    http = http_settings(settings)

    async def rediscover() -> list[MarketInfo]:
        return await discover_all(settings, http, runtime.engine.metrics)

    live.universe = LiveUniverse(runtime, feed, notifier, http, rediscover, start_id)
    new_market.append(live.universe.on_new_market)
    live.book_check = _book_check(settings, runtime, feed)
    live.model = _model_poller(settings, runtime, clock)
    # An overloaded market's dropped delta means a wrong book: fresh snapshots from the feed.
    runtime.engine.overload.resync = feed.request_resync
    return live


def _book_check(settings: Settings, runtime: Runtime, feed: MarketFeed) -> BookCheck | None:
    if settings.feed.books_check_s <= 0:
        return None
    engine = runtime.engine
    http = http_settings(settings)
    url = settings.venue.clob_url

    async def fetch(token_ids: list[str]) -> list[BookSnapshot] | None:
        return await fetch_rest_books(url, http, token_ids)

    markets = [m.condition_id for m in runtime.inputs.markets]
    return BookCheck(
        engine_tops(markets, engine.digest),
        fetch,
        feed.resync,
        engine.metrics,
        settings.feed.books_check_s,
    )


def _model_poller(settings: Settings, runtime: Runtime, clock: Clock) -> ModelPoller:
    """NWS forecasts and the rates prior for the weather/rates markets. Started even when no
    market reads a model key yet: the living universe may add one (`ModelRoutes.add`), and a
    round over no keys asks nothing."""
    engine = runtime.engine
    return ModelPoller(
        engine.model_routes,
        engine.feed,
        settings.models,
        http_settings(settings),
        clock,
        environ=os.environ,
        metrics=engine.metrics,
    )


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


def _assets(markets: Sequence[MarketInfo]) -> tuple[str, ...]:
    return tuple(t for m in markets for t in m.tokens)


def _feed(
    settings: Settings,
    runtime: Runtime,
    clock: Clock,
    on_desync: Callable[[tuple[str, ...]], None],
    on_new_market: Sequence[Callable[[], None]] = (),
) -> MarketFeed:
    engine = runtime.engine

    def route(event: Any) -> None:
        if isinstance(event, NewMarket):  # the universe rediscovers at its next round
            for callback in on_new_market:
                callback()
            return
        engine.feed(event)  # False = not one of our markets: ignored

    def desynced(asset_ids: tuple[str, ...]) -> None:
        engine.desync(asset_ids)  # markets drop those books and cancel (feed_desync)
        on_desync(asset_ids)

    return MarketFeed(
        ws_settings(settings, settings.venue.ws_url),
        route,
        clock=clock,
        metrics=engine.metrics,
        on_desync=desynced,
        max_per_connection=settings.feed.max_assets_per_connection,
    )


def _spot_feed(settings: Settings, runtime: Runtime, clock: Clock) -> SpotFeed | None:
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
        ws_settings(settings, settings.venue.rtds_url),
        route,
        clock=clock,
        metrics=engine.metrics,
        symbols=symbols,
    )


def _stop(
    runtime: Runtime,
    servers: list[MetricsServer | ControlServer],
    notifier: AlertNotifier,
    status: RunStatus,
    detail: str,
) -> StopReport:
    report = runtime.stop(status, detail, runtime.inputs.settings.run.shutdown_timeout_s)
    for server in servers:
        server.close()
    notifier.close(timeout_s=1.0)
    _log.info(
        "stopped: status=%s detail=%s seconds=%.3f clean_tree=%s flushed=%s",
        report.status,
        detail,
        report.seconds,
        report.clean_tree,
        report.flushed,
    )
    return report
