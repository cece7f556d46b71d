"""CLOB REST against the loopback server: normalised books, vetoes never confused with empties."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import pytest

from astra.adapters.http_client import HttpSettings, RequestVeto
from astra.adapters.polymarket.clob_rest import BookResult, BooksResult, ClobRestClient
from astra.domain.prices import Tick
from astra.domain.reasons import VenueVeto
from tests.adapters.loopback_http import CLOB, Fault, LoopbackVenue, load_json

T = TypeVar("T")
FAST = HttpSettings(
    timeout_s=0.3, retries=1, backoff_base_s=0.001, backoff_max_s=0.002, rate_per_s=1e4, burst=100
)
BOOK_2024 = load_json(CLOB / "book_2024-10.json")
BOOK_2026 = load_json(CLOB / "book_empty_ask_neg_risk_2026-08.json")
TOKEN_2024 = BOOK_2024["asset_id"]
TOKEN_2026 = BOOK_2026["asset_id"]


async def _no_wait(_seconds: float) -> None:
    return None


def call(venue: LoopbackVenue, fn: Callable[[ClobRestClient], Awaitable[T]]) -> T:
    async def run() -> T:
        async with ClobRestClient(venue.url, http=FAST, sleep=_no_wait) as clob:
            return await fn(clob)

    return anyio.run(run)


def book(venue: LoopbackVenue, token: str) -> BookResult:
    return call(venue, lambda clob: clob.book(token))


def test_unordered_levels_are_normalised_best_first(loopback_venue: LoopbackVenue) -> None:
    result = book(loopback_venue, TOKEN_2024)
    assert result.veto is None
    snap = result.book
    assert snap is not None
    assert snap.market == BOOK_2024["market"]
    assert snap.asset_id == TOKEN_2024
    assert snap.ts_ms == 1728799418260
    assert snap.hash == "2fc4a3d6a98bc164e057589bcb74981852b87412"
    # The venue lists the best level last; we hold bids high->low and asks low->high.
    assert snap.bids == (
        (1000, 125_000_000),
        (900, 294_000_000),
        (800, 120_000_000),
        (600, 200_000_000),
        (100, 1_000_000_000),
    )
    assert snap.asks[0] == (1400, 705_000_000)
    assert snap.asks[1] == (2000, 70_000_000)
    assert snap.asks[-1] == (9800, 5_000_000_000)
    assert [p for p, _ in snap.asks] == sorted(p for p, _ in snap.asks)
    assert snap.tick is None  # 2024 responses had no tick_size
    assert result.min_order_size is None


def test_empty_side_is_a_book_not_an_error(loopback_venue: LoopbackVenue) -> None:
    result = book(loopback_venue, TOKEN_2026)
    assert result.veto is None
    assert result.book is not None
    assert result.book.asks == ()
    assert result.book.bids == ((20, 6_990_000), (10, 667_120_000))
    assert result.book.tick is Tick.T0_001
    assert result.min_order_size == 5_000_000
    assert result.neg_risk is True


def test_no_orderbook_404_is_its_own_veto(loopback_venue: LoopbackVenue) -> None:
    result = book(loopback_venue, "12345")
    assert result.book is None
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.NO_ORDERBOOK
    assert result.veto.status == 404


def test_server_error_is_an_http_veto_not_an_empty_book(loopback_venue: LoopbackVenue) -> None:
    loopback_venue.state.faults.append(Fault("/book", status=500))
    result = book(loopback_venue, TOKEN_2024)
    assert result.book is None
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.HTTP_STATUS


def test_timeout_and_invalid_json_are_vetoes(loopback_venue: LoopbackVenue) -> None:
    loopback_venue.state.faults.append(Fault("/book", kind="hang", times=2))
    assert book(loopback_venue, TOKEN_2024).veto == RequestVeto(
        VenueVeto.TIMEOUT, "GET /book: ReadTimeout (after 2 attempts)"
    )
    loopback_venue.state.faults.append(Fault("/book", kind="invalid_json"))
    veto = book(loopback_venue, TOKEN_2024).veto
    assert veto is not None
    assert veto.reason is VenueVeto.INVALID_BODY


@pytest.mark.parametrize(
    "levels",
    [
        [{"price": "abc", "size": "1"}],
        [{"price": "0.5", "size": "-1"}],
        [{"price": "1.5", "size": "1"}],
        [{"price": "0", "size": "1"}],
        [{"price": "0.123456", "size": "1"}],
        [{"price": "0.5", "size": "1"}, {"price": "0.50", "size": "2"}],
        [{"price": 0.5}],
        ["0.5"],
    ],
)
def test_malformed_levels_are_invalid_body(
    loopback_venue: LoopbackVenue, levels: list[object]
) -> None:
    bad = copy.deepcopy(BOOK_2024)
    bad["bids"] = levels
    loopback_venue.state.books[TOKEN_2024] = bad
    veto = book(loopback_venue, TOKEN_2024).veto
    assert veto is not None
    assert veto.reason is VenueVeto.INVALID_BODY


@pytest.mark.parametrize(("field", "value"), [("timestamp", "soon"), ("asset_id", None)])
def test_malformed_header_fields_are_invalid_body(
    loopback_venue: LoopbackVenue, field: str, value: object
) -> None:
    bad = copy.deepcopy(BOOK_2024)
    bad[field] = value
    loopback_venue.state.books[TOKEN_2024] = bad
    veto = book(loopback_venue, TOKEN_2024).veto
    assert veto is not None
    assert veto.reason is VenueVeto.INVALID_BODY


def test_zero_size_levels_are_dropped(loopback_venue: LoopbackVenue) -> None:
    zero = copy.deepcopy(BOOK_2026)
    zero["bids"].append({"price": "0.003", "size": "0"})
    loopback_venue.state.books[TOKEN_2026] = zero
    result = book(loopback_venue, TOKEN_2026)
    assert result.book is not None
    assert [p for p, _ in result.book.bids] == [20, 10]


def test_books_batch_returns_found_and_missing(loopback_venue: LoopbackVenue) -> None:
    result: BooksResult = call(
        loopback_venue, lambda clob: clob.books([TOKEN_2024, "999", TOKEN_2026])
    )
    assert result.veto is None
    assert [r.book.asset_id for r in result.books if r.book] == [TOKEN_2024, TOKEN_2026]
    assert result.missing == ("999",)
    assert loopback_venue.state.paths("/books")[0].body == [
        {"token_id": TOKEN_2024},
        {"token_id": "999"},
        {"token_id": TOKEN_2026},
    ]


def test_books_failure_is_a_veto_for_the_whole_batch(loopback_venue: LoopbackVenue) -> None:
    loopback_venue.state.faults.append(Fault("/books", status=503))
    result = call(loopback_venue, lambda clob: clob.books([TOKEN_2024]))
    assert result.books == ()
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.HTTP_STATUS


def test_tick_size(loopback_venue: LoopbackVenue) -> None:
    assert call(loopback_venue, lambda clob: clob.tick_size(TOKEN_2026)) is Tick.T0_001
    veto = call(loopback_venue, lambda clob: clob.tick_size("999"))
    assert isinstance(veto, RequestVeto)
    assert veto.status == 404


@pytest.mark.parametrize(("raw", "expected"), [(1000, 1000), ("1000", 1000), (0, 0)])
def test_fee_rate_accepts_number_or_string(
    loopback_venue: LoopbackVenue, raw: object, expected: int
) -> None:
    loopback_venue.state.fee_rates[TOKEN_2024] = raw
    assert call(loopback_venue, lambda clob: clob.fee_rate_bps(TOKEN_2024)) == expected


@pytest.mark.parametrize("raw", ["abc", 1.5, True, None])
def test_bad_fee_rate_is_invalid_body(loopback_venue: LoopbackVenue, raw: object) -> None:
    loopback_venue.state.fee_rates[TOKEN_2024] = raw
    veto = call(loopback_venue, lambda clob: clob.fee_rate_bps(TOKEN_2024))
    assert isinstance(veto, RequestVeto)
    assert veto.reason is VenueVeto.INVALID_BODY


def test_client_works_without_async_with(loopback_venue: LoopbackVenue) -> None:
    async def run() -> BookResult:
        clob = ClobRestClient(loopback_venue.url, http=FAST)
        try:
            return await clob.book(TOKEN_2024)
        finally:
            await clob.aclose()

    assert anyio.run(run).book is not None
