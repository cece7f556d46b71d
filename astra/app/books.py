"""Book sources for a (re)starting MarketActor: the `BookSource` port, live and in replay.

A source answers with fresh full snapshots or with nothing; nothing leaves the actor's books
unsynced, which the strategies treat as missing data (no quotes) until the feed's next `book`.
"""

from __future__ import annotations

import logging
import threading

import anyio

from astra.adapters.http_client import HttpSettings
from astra.adapters.polymarket.clob_rest import ClobRestClient
from astra.domain.events import BookSnapshot, MarketEvent, PriceChange, TickSizeChange
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import MetricsSink

_log = logging.getLogger("astra.app.books")


class ReplayBooks:
    """The latest `book` seen per token in the replayed stream. A later level change or tick
    change makes that snapshot out of date, so the token is then not offered at all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, BookSnapshot] = {}

    def observe(self, event: MarketEvent) -> None:
        with self._lock:
            if isinstance(event, BookSnapshot):
                self._latest[event.asset_id] = event
            elif isinstance(event, PriceChange):
                for change in event.changes:
                    self._latest.pop(change.asset_id, None)
            elif isinstance(event, TickSizeChange):
                self._latest.pop(event.asset_id, None)

    def snapshots(self, market: MarketInfo) -> list[BookSnapshot]:
        with self._lock:
            return [self._latest[t] for t in market.tokens if t in self._latest]


class RestBooks:
    """Live: `POST /books` for the market's tokens. Called on the actor's own thread, so each
    call runs its own short event loop and client; a veto is logged and answered with []."""

    def __init__(
        self, clob_url: str, http: HttpSettings, metrics: MetricsSink | None = None
    ) -> None:
        self._url = clob_url
        self._http = http
        self._metrics = metrics  # counts HTTP outcomes and rejected book bodies

    def snapshots(self, market: MarketInfo) -> list[BookSnapshot]:
        return anyio.run(self._fetch, market)

    async def _fetch(self, market: MarketInfo) -> list[BookSnapshot]:
        async with ClobRestClient(self._url, http=self._http, metrics=self._metrics) as client:
            result = await client.books(list(market.tokens))
        if result.veto is not None:
            _log.warning(
                "book snapshot refused: market=%s reason=%s", market.condition_id, result.veto
            )
            return []
        return [r.book for r in result.books if r.book is not None]


async def fetch_rest_books(
    clob_url: str, http: HttpSettings, token_ids: list[str]
) -> list[BookSnapshot] | None:
    """`POST /books` for these tokens on the event loop; None when the venue vetoed."""
    async with ClobRestClient(clob_url, http=http) as client:
        result = await client.books(token_ids)
    if result.veto is not None:
        _log.warning("book check fetch refused: reason=%s", result.veto)
        return None
    return [r.book for r in result.books if r.book is not None]
