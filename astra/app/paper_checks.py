"""The startup checklist of `astra paper`, in two phases (each check: pass/fail + detail).

Before the engine (nothing started yet, the journal open and idle): the settings build an
engine configuration (and their hash), Gamma answered discovery, our clock agrees with the
venue's (the `Date` header of a Gamma response), the data directory is writable with enough
free space, the journal is migrated and writable, `check_journal` finds nothing the crash-only
start cannot repair, and the metrics and control ports are free.

With the feed running: every subscribed token got its first book within
`run.startup_timeout_s` (the CLOB WebSocket is reachable), no book is stale, every spot symbol
the crypto markets' contracts need has a fresh print, the RiskActor answers, a journal commit
through the TelemetryActor succeeds, every actor is healthy, and (warn only: the run then
monitors but stays halted) the journal holds no durable halt from a previous run.

Each check is one log line and one `astra_startup_check_passed{check}` series
(`startup_checks.run_checklist`); the combined report is in `astra status`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from astra.adapters import startup_checks as checks
from astra.adapters.journal.check import check_journal
from astra.adapters.polymarket.ws_shards import MarketFeed
from astra.adapters.spot.rtds import SpotFeed
from astra.app.runtime import Runtime, engine_config
from astra.settings import Settings

MIN_FREE_BYTES = 100 * 1024 * 1024
MAX_CLOCK_SKEW_MS = 2_000
# What the crash-only start repairs: the RiskActor rebuilds the ledger from journaled fills.
REPAIRED_ON_START = frozenset({"ledger_missing", "ledger_behind_fills"})


@dataclass(frozen=True, slots=True)
class FeedWait:
    """How the wait for the first books (and spot prints) ended."""

    synced: int
    assets: int
    spot_missing: tuple[str, ...]
    seconds: float


def pre_engine_checks(
    settings: Settings, data_dir: Path, db: Path, markets: int
) -> list[checks.StartupCheck]:
    venue = settings.venue
    items = [
        checks.condition("config_valid", lambda: _config_valid(settings)),
        checks.condition("gamma_reachable", lambda: (markets > 0, f"{markets} markets discovered")),
        checks.venue_clock("clock_skew", venue.gamma_url, venue.http_timeout_s, MAX_CLOCK_SKEW_MS),
        checks.dir_writable("data_dir_writable", data_dir),
        checks.disk_space("disk_space", data_dir, MIN_FREE_BYTES),
        checks.journal_ready("journal_ready", db),
        checks.condition("journal_check", lambda: _journal_clean(db)),
    ]
    for name, section in (("metrics_port", settings.metrics), ("control_port", settings.control)):
        if section.enabled and section.port != 0:
            items.append(checks.port_bindable(name, section.host, section.port))
    return items


def _config_valid(settings: Settings) -> tuple[bool, str]:
    engine_config(settings, "startup-check", settings.run.seed, live=True)  # raises if invalid
    return True, f"settings_hash={settings.settings_hash()}"


def _journal_clean(db: Path) -> tuple[bool, str]:
    started = time.monotonic()
    report = check_journal(db)
    codes = sorted({p.code for p in report.problems})
    blocking = [c for c in codes if c not in REPAIRED_ON_START]
    records = sum(report.counts.values())
    took = f"{time.monotonic() - started:.2f} s"
    if blocking:
        first = next(p for p in report.problems if p.code in blocking)
        return False, f"problems {','.join(blocking)} ({first.detail}); run astra db check"
    repaired = f", repaired on start: {','.join(codes)}" if codes else ""
    return True, f"{records} records checked in {took}{repaired}"


def feed_checks(
    runtime: Runtime,
    feed: MarketFeed,
    spot: SpotFeed | None,
    waited: FeedWait,
    settings: Settings,
) -> list[checks.StartupCheck]:
    engine = runtime.engine
    now_ms: Callable[[], int] = runtime.inputs.clock.now_ms
    stale_ms = round(settings.feed.stale_after_s * 1000)
    timeout = settings.run.startup_timeout_s
    durable = sorted(runtime.start.durable_halts)
    return [
        checks.condition(
            "ws_first_books",
            lambda: (
                waited.synced == waited.assets,
                f"{waited.synced} of {waited.assets} tokens have a book after "
                f"{waited.seconds:.1f} s (timeout {timeout:.0f} s)",
            ),
        ),
        checks.condition("books_fresh", lambda: _books_fresh(feed, now_ms(), stale_ms)),
        checks.condition("spot_fresh", lambda: _spot_fresh(spot, now_ms(), settings)),
        checks.condition("risk_actor_alive", lambda: _risk_alive(runtime)),
        checks.condition(
            "telemetry_actor_alive",
            lambda: (engine.flush(timeout_s=2.0).ok, "journal commit through the TelemetryActor"),
        ),
        checks.condition(
            "actors_healthy",
            lambda: (engine.all_healthy(), f"{len(engine.market_names())} markets"),
        ),
        checks.condition(
            "no_durable_halt",
            lambda: (not durable, "none" if not durable else f"stays halted: {','.join(durable)}"),
            warn_only=True,
        ),
    ]


def _books_fresh(feed: MarketFeed, now_ms: int, stale_ms: int) -> tuple[bool, str]:
    stale = feed.stale_assets(now_ms, stale_ms)
    if stale:
        return False, f"{len(stale)} tokens without an event in {stale_ms} ms: {stale[0]}, ..."
    return True, f"{feed.asset_count} tokens heard within {stale_ms} ms"


def _spot_fresh(spot: SpotFeed | None, now_ms: int, settings: Settings) -> tuple[bool, str]:
    if spot is None:
        return True, "no market needs a spot feed"
    max_age = round(settings.strategy.spot_stale_s * 1000)
    missing = [s for s in spot.symbols if spot.latest(s) is None]
    stale = spot.stale_symbols(now_ms, max_age)
    bad = sorted({*missing, *stale})
    if bad:
        return False, f"no spot print within {max_age} ms for {','.join(bad)}"
    return True, f"{','.join(spot.symbols)} fresh"


def _risk_alive(runtime: Runtime) -> tuple[bool, str]:
    status = runtime.engine.risk_status(timeout_s=2.0)
    if status is None:
        return False, "the RiskActor did not answer"
    return True, f"state={status.state} fills_applied={status.fills_applied}"
