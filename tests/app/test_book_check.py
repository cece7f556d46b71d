"""The periodic REST book check against a loopback CLOB: a top that differs from the venue
is counted and resynced; matching tops are left alone; a failed fetch changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anyio

from astra.actors.chaos.synthetic import book_pair
from astra.actors.engine import Engine
from astra.adapters.http_client import HttpSettings
from astra.app.book_check import BookCheck, engine_tops
from astra.app.books import fetch_rest_books
from astra.domain.events import BookSnapshot
from astra.domain.metrics_port import BOOK_CHECKS_TOTAL, BOOK_MISMATCHES_TOTAL, CountingMetrics
from tests.actors.trading_support import small_engine
from tests.adapters.loopback_http import Fault, LoopbackVenue, VenueState


def _json(snapshot: BookSnapshot) -> dict[str, Any]:
    def levels(side: tuple[tuple[int, int], ...]) -> list[dict[str, str]]:
        return [{"price": f"{p / 10_000:.2f}", "size": f"{s / 1_000_000:.0f}"} for p, s in side]

    return {
        "market": snapshot.market,
        "asset_id": snapshot.asset_id,
        "bids": levels(snapshot.bids),
        "asks": levels(snapshot.asks),
        "hash": "",
        "timestamp": "1728799418260",
    }


def _books(engine: Engine, mid: int) -> dict[str, dict[str, Any]]:
    out = {}
    for info in engine._markets.values():
        for snapshot in book_pair(info, mid, 1):
            engine.feed(snapshot)
            out[snapshot.asset_id] = _json(snapshot)
    assert engine.drain()
    return out


class Resyncs:
    def __init__(self) -> None:
        self.assets: list[str] = []

    async def __call__(self, assets: Iterable[str]) -> None:
        self.assets.extend(assets)


def _check(engine: Engine, url: str, metrics: CountingMetrics, resyncs: Resyncs) -> BookCheck:
    http = HttpSettings(timeout_s=2.0, retries=0)

    async def fetch(tokens: list[str]) -> list[BookSnapshot] | None:
        return await fetch_rest_books(url, http, tokens)

    markets = [m.removeprefix("market:") for m in engine.market_names()]
    return BookCheck(engine_tops(markets, engine.digest), fetch, resyncs, metrics, 60.0)


def test_mismatched_top_is_counted_and_resynced(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=2) as (engine, _store, _stream):
        venue_books = _books(engine, 5000)
        moved = next(iter(venue_books))
        venue_books[moved] = {
            **venue_books[moved],
            "bids": [{"price": "0.47", "size": "50"}],
        }
        metrics = CountingMetrics()
        resyncs = Resyncs()
        with LoopbackVenue(VenueState(books=venue_books)) as http:
            result = anyio.run(_check(engine, http.url, metrics, resyncs).check_once)
        assert result.fetched
        assert result.compared == 4
        assert result.mismatched == (moved,)
        assert resyncs.assets == [moved]
        assert metrics.counter_sum(BOOK_MISMATCHES_TOTAL) == 1
        assert metrics.counter(BOOK_CHECKS_TOTAL, {"outcome": "mismatch"}) == 1


def test_matching_tops_and_failed_fetch_change_nothing(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=2) as (engine, _store, _stream):
        venue_books = _books(engine, 6000)
        metrics = CountingMetrics()
        resyncs = Resyncs()
        with LoopbackVenue(VenueState(books=venue_books)) as http:
            check = _check(engine, http.url, metrics, resyncs)
            assert anyio.run(check.check_once).mismatched == ()
            http.state.faults.append(Fault("/books", status=500))
            failed = anyio.run(check.check_once)
        assert failed.fetched is False
        assert resyncs.assets == []
        assert metrics.counter(BOOK_CHECKS_TOTAL, {"outcome": "ok"}) == 1
        assert metrics.counter(BOOK_CHECKS_TOTAL, {"outcome": "fetch_failed"}) == 1
