"""CLOB REST market data: `/book`, `POST /books`, `/tick-size`, `/fee-rate`.

A book is normalised on the way in: levels arrive in any order (real payloads list the best
level *last*, reference §2), so bids are sorted best (highest) first and asks best (lowest)
first. A venue error is never confused with an empty book: 404 "No orderbook exists" is the
named veto `no_orderbook`, any other failure its own veto, and an empty book is a `BookSnapshot`
with no levels. Every number passes the limits of `astra.adapters.bounded` (digits, exponent,
the per-level size cap, the timestamp window); a body outside them is an `invalid_body` veto.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import anyio

from astra.adapters.bounded import (
    MAX_FEE_RATE_BPS,
    MAX_INT_BITS,
    OutOfBounds,
    bounded_decimal,
    bounded_int,
    bounded_micros,
    bounded_timestamp_ms,
    short,
)
from astra.adapters.http_client import HttpClient, HttpSettings, JsonReply, RequestVeto, Sleep
from astra.domain.events import BookSnapshot, Level
from astra.domain.metrics_port import FEED_REJECTED_FRAMES_TOTAL, MetricsSink
from astra.domain.prices import PriceError, Tick, to_pips
from astra.domain.reasons import VenueVeto

CLOB_URL = "https://clob.polymarket.com"
_NOT_FOUND = 404
_BOOKS_BATCH = 100  # tokens per POST /books request


@dataclass(frozen=True, slots=True)
class BookResult:
    """Exactly one of `book` and `veto` is set."""

    book: BookSnapshot | None
    veto: RequestVeto | None = None
    min_order_size: int | None = None  # micro-shares, when the venue sent it
    neg_risk: bool | None = None


@dataclass(frozen=True, slots=True)
class BooksResult:
    """All requested books, or a veto. `missing` lists requested tokens the venue left out."""

    books: tuple[BookResult, ...]
    missing: tuple[str, ...] = ()
    veto: RequestVeto | None = None


class _BadBook(ValueError):
    """A book body that does not parse exactly."""


class ClobRestClient:
    """Public CLOB market data. Use `async with` to share one connection pool across calls."""

    def __init__(
        self,
        base_url: str = CLOB_URL,
        *,
        http: HttpSettings | None = None,
        metrics: MetricsSink | None = None,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        self._client = HttpClient(
            base_url, http or HttpSettings(), service="clob", metrics=metrics, sleep=sleep
        )
        self._metrics = metrics

    async def __aenter__(self) -> Self:
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def book(self, token_id: str) -> BookResult:
        reply = await self._client.get_json("/book", {"token_id": token_id})
        if isinstance(reply, RequestVeto):
            return BookResult(None, _no_orderbook(reply))
        return self._counted(book_result(reply.body, f"/book {token_id}"))

    async def books(self, token_ids: Sequence[str]) -> BooksResult:
        """Batched books; any failed batch vetoes the whole answer."""
        results: list[BookResult] = []
        for start in range(0, len(token_ids), _BOOKS_BATCH):
            batch = token_ids[start : start + _BOOKS_BATCH]
            reply = await self._client.post_json("/books", [{"token_id": t} for t in batch])
            if isinstance(reply, RequestVeto):
                return BooksResult((), (), reply)
            if not isinstance(reply.body, list):
                return BooksResult((), (), _invalid("/books", "expected a JSON array"))
            for item in reply.body:
                result = self._counted(book_result(item, "/books"))
                if result.veto is not None:
                    return BooksResult((), (), result.veto)
                results.append(result)
        found = {r.book.asset_id for r in results if r.book is not None}
        missing = tuple(t for t in token_ids if t not in found)
        return BooksResult(tuple(results), missing)

    def _counted(self, result: BookResult) -> BookResult:
        """A book body outside the boundary's limits is a counted rejection, like a bad frame."""
        if result.veto is not None and self._metrics is not None:
            self._metrics.inc(FEED_REJECTED_FRAMES_TOTAL, {"reason": result.veto.reason.value})
        return result

    async def tick_size(self, token_id: str) -> Tick | RequestVeto:
        reply = await self._client.get_json("/tick-size", {"token_id": token_id})
        value = _field(reply, "minimum_tick_size")
        if isinstance(value, RequestVeto):
            return value
        try:
            return Tick.parse(bounded_decimal(value, "minimum_tick_size"))
        except (OutOfBounds, PriceError) as exc:
            return _invalid("/tick-size", str(exc))

    async def fee_rate_bps(self, token_id: str) -> int | RequestVeto:
        """The market's base fee in bps (a cap/flag, not the charged rate; reference §5)."""
        reply = await self._client.get_json("/fee-rate", {"token_id": token_id})
        value = _field(reply, "base_fee")
        if isinstance(value, RequestVeto):
            return value
        try:
            return bounded_int(value, "base_fee", 0, MAX_FEE_RATE_BPS)
        except OutOfBounds as exc:
            return _invalid("/fee-rate", f"base_fee is not a whole number of bps: {exc}")


def _invalid(where: str, detail: str) -> RequestVeto:
    return RequestVeto(VenueVeto.INVALID_BODY, f"{where}: {detail}")


def _no_orderbook(veto: RequestVeto) -> RequestVeto:
    """404 with the venue's 'No orderbook exists' error is its own reason, not an HTTP error."""
    body = veto.body
    error = body.get("error") if isinstance(body, Mapping) else None
    if veto.status == _NOT_FOUND and isinstance(error, str) and "no orderbook" in error.lower():
        return RequestVeto(VenueVeto.NO_ORDERBOOK, f"{veto.detail}: {error}", veto.status, body)
    return veto


def _field(reply: JsonReply | RequestVeto, name: str) -> object:
    if isinstance(reply, RequestVeto):
        return reply
    body = reply.body
    if not isinstance(body, Mapping) or name not in body:
        return _invalid(name, f"expected an object with '{name}'")
    value: object = body[name]
    return value


def book_result(body: object, where: str) -> BookResult:
    """One `/book` body (or one `/books` item) as a book or an `invalid_body` veto; never raises."""
    try:
        return _parse_book(body)
    except (_BadBook, PriceError, OutOfBounds) as exc:
        return BookResult(None, _invalid(where, str(exc)))


def _parse_book(body: object) -> BookResult:
    if not isinstance(body, Mapping):
        raise _BadBook("book is not an object")
    market, asset_id, timestamp = (_text(body, k) for k in ("market", "asset_id", "timestamp"))
    tick = _optional(body, "tick_size")
    min_size = _optional(body, "min_order_size")
    neg_risk = body.get("neg_risk")
    snapshot = BookSnapshot(
        market=market,
        asset_id=asset_id,
        ts_ms=bounded_timestamp_ms(timestamp),
        bids=_levels(body.get("bids"), best_first_desc=True),
        asks=_levels(body.get("asks"), best_first_desc=False),
        hash=_optional(body, "hash") or "",
        tick=Tick.parse(bounded_decimal(tick, "tick_size")) if tick else None,
        recv_ms=0,
    )
    return BookResult(
        snapshot,
        None,
        bounded_micros(min_size, "min_order_size") if min_size else None,
        neg_risk if isinstance(neg_risk, bool) else None,
    )


def _text(body: Mapping[str, object], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise _BadBook(f"'{key}' missing or not a string")
    return value


def _optional(body: Mapping[str, object], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _BadBook(f"'{key}' is {type(value).__name__}")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:  # repr() would raise
        raise _BadBook(f"'{key}' is an integer of {value.bit_length()} bits")
    return value if isinstance(value, str) else repr(value)


def _levels(raw: object, *, best_first_desc: bool) -> tuple[Level, ...]:
    """Parse levels exactly, drop zero sizes, refuse duplicates, sort best first."""
    if not isinstance(raw, list):
        raise _BadBook("levels are not an array")
    levels: dict[int, int] = {}
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise _BadBook("a level is not an object")
        number = bounded_decimal(entry.get("price"), "level price")
        if not 0 < number < 1:
            raise _BadBook(f"level price {short(entry.get('price'))} outside (0, 1)")
        price = to_pips(number)
        size = bounded_micros(entry.get("size"), "level size")
        if price in levels:
            raise _BadBook(f"price {short(entry.get('price'))} appears twice")
        if size > 0:
            levels[price] = size
    return tuple(sorted(levels.items(), reverse=best_first_desc))
