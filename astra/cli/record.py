"""`astra record --out FILE`: discover markets, subscribe to their books, write raw frames.

The recording (docs/recording-format.md) starts with a header holding the discovered
markets, then every market-channel frame (and, with --spot, every RTDS frame) exactly as
received with its receive time. When a recorded market's definition contract reads model data
(weather_exceedance: an NWS forecast; rates_event: the `[models]` rates prior), the paper
trader's `ModelPoller` polls it every `[models] model_poll_interval_s` and every frame it
produces is written to the `model` channel at its poll time, so a replay sees the same
forecasts and priors at the same times (a failed source is logged and writes nothing, as
live). Stops cleanly after --duration seconds or on SIGINT/SIGTERM; the file is closed
properly either way. Markets come from the paper trader's discovery
(`app.discovery.discover`), so a recording covers what `astra paper` would trade; a
discovery veto records nothing and exits 3.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio

from astra.actors.engine_parts import WallClock
from astra.actors.model_board import ModelRoutes
from astra.adapters.http_client import HttpSettings
from astra.adapters.polymarket.ws_shards import MarketFeed
from astra.adapters.recording.model_frames import encode_model_frame
from astra.adapters.recording.recorder import RecordingHeader, RecordingWriter
from astra.adapters.spot.rtds import SpotFeed
from astra.app.contracts import settings_contract_plan
from astra.app.discovery import DiscoveryVetoed, discover
from astra.app.model_poller import ModelPoller
from astra.app.ws_config import ws_settings
from astra.cli.common import (
    add_settings_args,
    configure_command_logging,
    settings_from_args,
    writable_data_dir,
)
from astra.cli.main import CommandError
from astra.domain.events import MarketEvent, SpotPrice
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import FEED_REJECTED_FRAMES_TOTAL, CountingMetrics
from astra.domain.models.frames import ModelFrame
from astra.settings import Settings, SettingsError

VETO_EXIT = 3
FLUSH_EVERY_S = 1.0  # bounds what a crash can lose


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("record", help="record live market-channel frames to a file")
    add_settings_args(parser)
    parser.add_argument("--out", metavar="FILE", type=Path, required=True, help="output .jsonl.gz")
    parser.add_argument("--gamma-url", metavar="URL", help="Gamma base URL (default: config)")
    parser.add_argument("--ws-url", metavar="URL", help="market WebSocket URL (default: config)")
    parser.add_argument("--rtds-url", metavar="URL", help="RTDS spot URL (default: config)")
    parser.add_argument("--spot", action="store_true", help="also record RTDS crypto prices")
    parser.add_argument("--tag", metavar="T", help="Gamma tag id (default: config)")
    parser.add_argument("--duration", metavar="S", type=float, help="stop after S seconds")
    parser.add_argument("--max-markets", metavar="N", type=int, help="record at most N markets")
    parser.set_defaults(func=_record)


def _record(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    writable_data_dir(settings)
    configure_command_logging(settings)
    if args.duration is not None and args.duration <= 0:
        raise CommandError("--duration must be positive", exit_code=2)
    if args.out.exists():
        raise CommandError(f"{args.out} exists; refusing to overwrite a recording", exit_code=2)
    markets = _discover(args, settings)
    routes = _model_routes(settings, markets)
    header = RecordingHeader(created_ms=WallClock().now_ms(), source="live", markets=markets)
    with RecordingWriter(args.out, header) as writer:
        metrics, models = anyio.run(_capture, args, settings, markets, routes, writer)
    rejected = int(metrics.counter_sum(FEED_REJECTED_FRAMES_TOTAL))
    print(
        f"recorded {writer.frames} frames ({models} model) from {len(markets)} markets"
        f" to {args.out} ({rejected} rejected)",
        file=sys.stderr,
    )
    return 0


def _model_routes(settings: Settings, markets: tuple[MarketInfo, ...]) -> ModelRoutes:
    """The model keys the recorded markets' contracts read, resolved as `astra paper` does
    (the `[contracts] file` first, then the builders); a bad contracts file exits 2."""
    try:
        plan = settings_contract_plan(settings, markets)
    except SettingsError as exc:
        raise CommandError(str(exc), exit_code=2) from exc
    return ModelRoutes(plan.contracts)


def _discover(args: argparse.Namespace, settings: Settings) -> tuple[MarketInfo, ...]:
    """The paper trader's discovery (`app.discovery`: every configured tag's walk, the
    search, the startup time limit, a veto for any failed walk), with this command's
    --gamma-url, --tag and --max-markets applied to the settings first."""
    venue = replace(settings.venue, gamma_url=args.gamma_url or settings.venue.gamma_url)
    walk = settings.discovery
    if args.tag is not None:
        walk = replace(walk, tags=(args.tag,))
    if args.max_markets is not None:
        walk = replace(walk, max_markets=max(args.max_markets, 0))
    settings = replace(settings, venue=venue, discovery=walk)
    http = HttpSettings(
        timeout_s=settings.venue.http_timeout_s, retries=settings.venue.http_retries
    )
    try:
        return tuple(anyio.run(discover, settings, http, CountingMetrics()))
    except DiscoveryVetoed as exc:
        raise CommandError(str(exc), VETO_EXIT) from exc


async def _capture(
    args: argparse.Namespace,
    settings: Settings,
    markets: tuple[MarketInfo, ...],
    routes: ModelRoutes,
    writer: RecordingWriter,
) -> tuple[CountingMetrics, int]:
    clock, metrics = WallClock(), CountingMetrics()
    models = 0

    def record_model(frame: ModelFrame) -> None:
        nonlocal models
        writer.write_frame(clock.now_ms(), "model", encode_model_frame(frame))
        models += 1

    def ignore(_event: MarketEvent | SpotPrice) -> None:
        """Recording keeps raw frames; decoding here only validates and counts."""

    feed = MarketFeed(
        ws_settings(settings, args.ws_url or settings.venue.ws_url),
        ignore,
        clock=clock,
        metrics=metrics,
        max_per_connection=settings.feed.max_assets_per_connection,
        on_frame=lambda ms, raw: writer.write_frame(ms, "market", raw),
    )
    await feed.subscribe(m.tokens for m in markets)
    async with anyio.create_task_group() as tg:
        tg.start_soon(feed.run)
        if args.spot:
            spot = SpotFeed(
                ws_settings(settings, args.rtds_url or settings.venue.rtds_url),
                ignore,
                clock=clock,
                metrics=metrics,
                symbols=settings.feed.spot_symbols,
                on_frame=lambda ms, raw: writer.write_frame(ms, "spot", raw),
            )
            tg.start_soon(spot.run)
        if routes.frame_keys():
            poller = _model_poller(settings, routes, clock, record_model, metrics)
            tg.start_soon(poller.run)
        tg.start_soon(_flush_periodically, writer)
        await _wait_for_stop(args.duration)
        tg.cancel_scope.cancel()
    return metrics, models


def _model_poller(
    settings: Settings,
    routes: ModelRoutes,
    clock: WallClock,
    record: Callable[[ModelFrame], None],
    metrics: CountingMetrics,
) -> ModelPoller:
    """The paper trader's poller with no engine to feed: each frame it makes is recorded."""
    http = HttpSettings(
        timeout_s=settings.venue.http_timeout_s, retries=settings.venue.http_retries
    )

    def accept(_frame: ModelFrame) -> bool:
        return True

    return ModelPoller(
        routes,
        accept,
        settings.models,
        http,
        clock,
        environ=os.environ,
        on_frame=record,
        metrics=metrics,
    )


async def _flush_periodically(writer: RecordingWriter) -> None:
    while True:
        await anyio.sleep(FLUSH_EVERY_S)
        writer.flush()


async def _wait_for_stop(duration_s: float | None) -> None:
    """Return after `duration_s`, or at the first SIGINT/SIGTERM."""
    with (
        anyio.move_on_after(duration_s),
        anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals,
    ):
        async for _signum in signals:
            return
