"""Kalshi public market data: `GET /markets/{ticker}/orderbook` (documented, no key).

The documented response wraps the book in `orderbook_fp` with two arrays of *bids*,
`yes_dollars` and `no_dollars`, each level `[price_dollars, count_fp]` as strings (e.g.
`["0.4200", "13.00"]`), sorted ascending so the best bid is last. Kalshi lists no asks: a NO
bid at q is a YES ask at 1 − q. Every number passes `astra.adapters.bounded`; a body that
does not parse exactly is an `invalid_body` veto, never an exception, and is counted in
`astra_arb_cross_venue_rejected_total{venue="kalshi", reason}` by its named reason (the
boundary's `BoundReason`, else `invalid_shape` / `invalid_price`), which also opens the veto's
detail. Requests go through the shared fail-closed `HttpClient` (rate limit, retries,
timeouts, vetoes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

import anyio

from astra.adapters.bounded import BoundReason, OutOfBounds, bounded_decimal, bounded_micros, short
from astra.adapters.http_client import HttpClient, HttpSettings, RequestVeto, Sleep
from astra.domain.cross_venue import VenueQuote
from astra.domain.events import Level
from astra.domain.metrics_port import ARB_CROSS_VENUE_REJECTED_TOTAL, MetricsSink
from astra.domain.prices import ONE, PriceError, to_pips
from astra.domain.reasons import VenueVeto

KALSHI_URL = "https://api.elections.kalshi.com/trade-api/v2"
MAX_TICKER_CHARS = 100


@dataclass(frozen=True, slots=True)
class KalshiBook:
    ticker: str
    yes_bids: tuple[Level, ...]  # best first
    no_bids: tuple[Level, ...]  # best first

    def quote(self) -> VenueQuote:
        yes_bid = self.yes_bids[0][0] if self.yes_bids else None
        yes_ask = ONE - self.no_bids[0][0] if self.no_bids else None
        return VenueQuote(yes_bid, yes_ask)


class _Bad(ValueError):
    pass


class KalshiClient:
    def __init__(
        self,
        base_url: str = KALSHI_URL,
        *,
        http: HttpSettings | None = None,
        metrics: MetricsSink | None = None,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        self._metrics = metrics
        self._client = HttpClient(
            base_url, http or HttpSettings(), service="kalshi", metrics=metrics, sleep=sleep
        )

    async def __aenter__(self) -> Self:
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def orderbook(self, ticker: str) -> KalshiBook | RequestVeto:
        if not ticker or len(ticker) > MAX_TICKER_CHARS or "/" in ticker:
            return RequestVeto(VenueVeto.INVALID_BODY, f"ticker {short(ticker)} is not a ticker")
        reply = await self._client.get_json(f"/markets/{ticker}/orderbook")
        if isinstance(reply, RequestVeto):
            return reply
        return parse_orderbook(ticker, reply.body, self._metrics)


def parse_orderbook(
    ticker: str, body: object, metrics: MetricsSink | None = None
) -> KalshiBook | RequestVeto:
    """One documented orderbook body as a book, or an `invalid_body` veto naming (and
    counting in `metrics`) the rejection's reason; never raises."""
    try:
        book = _book_object(body)
        return KalshiBook(ticker, _bids(book, "yes_dollars"), _bids(book, "no_dollars"))
    except OutOfBounds as exc:
        reason, detail = exc.reason.value, exc.detail
    except _Bad as exc:
        reason, detail = "invalid_shape", str(exc)
    except PriceError as exc:
        reason, detail = "invalid_price", str(exc)
    if metrics is not None:
        metrics.inc(ARB_CROSS_VENUE_REJECTED_TOTAL, {"venue": "kalshi", "reason": reason})
    return RequestVeto(VenueVeto.INVALID_BODY, f"{reason}: kalshi orderbook {ticker}: {detail}")


def _book_object(body: object) -> Mapping[str, object]:
    if not isinstance(body, Mapping):
        raise _Bad("body is not an object")
    book = body.get("orderbook_fp")
    if not isinstance(book, Mapping):
        raise _Bad("'orderbook_fp' missing or not an object")
    return book


def _bids(book: Mapping[str, object], key: str) -> tuple[Level, ...]:
    raw = book.get(key)
    if raw is None:
        return ()  # an empty side may be left out
    if not isinstance(raw, list):
        raise _Bad(f"'{key}' is not an array")
    levels: dict[int, int] = {}
    for entry in raw:
        if not isinstance(entry, list) or len(entry) != 2:
            raise _Bad(f"a '{key}' level is not [price, count]")
        number = bounded_decimal(entry[0], f"{key} price")
        if not 0 < number < 1:
            detail = f"{key} price {short(entry[0])} outside (0, 1)"
            raise OutOfBounds(BoundReason.OUT_OF_RANGE, detail)
        price = to_pips(number)
        if price in levels:
            raise _Bad(f"{key} price {short(entry[0])} appears twice")
        size = bounded_micros(entry[1], f"{key} count")
        if size > 0:
            levels[price] = size
    return tuple(sorted(levels.items(), reverse=True))
