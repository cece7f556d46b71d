"""Each boundary defect of issue 15 as found: a hostile value is a counted, named rejection.

Before the bounded parser these escaped the "never raises" decoders (decimal.Overflow,
RecursionError, the 4,300-digit ValueError) or were accepted (1e20 shares, the year 5138).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from astra.adapters.polymarket.clob_rest import ClobRestClient
from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.adapters.polymarket.ws_decode import decode_market_frame, decode_market_message
from astra.adapters.spot.rtds_decode import decode_spot_frame
from astra.domain.metrics_port import FEED_REJECTED_FRAMES_TOTAL, CountingMetrics
from astra.domain.reasons import MarketReject, VenueVeto
from tests.adapters.loopback_http import CLOB, GAMMA, LoopbackVenue, load_json
from tests.adapters.test_clob_rest import FAST, book

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket"
TRADE: dict[str, Any] = json.loads(
    (FIXTURES / "ws_market/last_trade_price_2024-08.json").read_text()
)
BOOK: dict[str, Any] = json.loads((FIXTURES / "ws_market/book_snapshot_2026-08.json").read_text())
SPOT: dict[str, Any] = json.loads(
    (FIXTURES / "rtds/crypto_prices_update_btcusdt_2026-06.json").read_text()
)
BOOK_REST = load_json(CLOB / "book_2024-10.json")
GAMMA_MARKET = load_json(GAMMA / "market_btc_updown_5m_2026-03.json")


# The reasons as their metric labels (the enum members are new with the bounded parser).
OUT_OF_RANGE, TOO_DEEP, NUMBER_TOO_LONG = "out_of_range", "too_deep", "number_too_long"


def _nested(depth: int) -> object:
    value: object = "q"
    for _ in range(depth):
        value = [value]
    return value


def _reasons(frame: str) -> list[str]:
    result = decode_market_frame(frame, 0)
    assert result.events == []
    return [reason.value for reason, _ in result.rejects]


def test_exponent_overflow_size_is_a_rejection() -> None:
    # decimal.Overflow escaped: Decimal("1e999999999") * 1_000_000 exceeds the context's Emax.
    assert _reasons(json.dumps({**TRADE, "size": "1e999999999"})) == [OUT_OF_RANGE]


def test_deep_nesting_is_a_rejection() -> None:
    # RecursionError escaped from the rejection detail's repr of the nested value.
    frame = '{"event_type":"book","market":' + "[" * 1000 + "]" * 1000 + "}"
    assert _reasons(frame) == [TOO_DEEP]
    nested: object = "x"
    for _ in range(5000):  # deeper than orjson would ever build: a Python-built message
        nested = [nested]
    reasons = [r.value for r, _ in decode_market_message({**TRADE, "market": nested}, 0).rejects]
    assert reasons == [TOO_DEEP]


def test_4300_digit_integers_are_a_rejection() -> None:
    # ValueError escaped: int() of a digit string longer than Python's 4,300-digit limit.
    assert _reasons(json.dumps({**TRADE, "timestamp": "1" * 5000})) == [NUMBER_TOO_LONG]
    huge = decode_market_message({**TRADE, "size": 10**5000}, 0)
    assert [r.value for r, _ in huge.rejects] == [NUMBER_TOO_LONG]


@pytest.mark.parametrize("size", ["1e13", "1000000000.000001", 1e15, "2e9"])
def test_sizes_above_the_cap_are_rejected(size: object) -> None:
    assert _reasons(json.dumps({**TRADE, "size": size})) == [OUT_OF_RANGE]
    level = {**BOOK, "bids": [{"price": "0.5", "size": size}]}
    assert _reasons(json.dumps(level)) == [OUT_OF_RANGE]


def test_the_size_cap_itself_is_accepted() -> None:
    result = decode_market_frame(json.dumps({**TRADE, "size": "1000000000"}), 0)
    assert result.rejects == []
    assert result.events[0].size == 10**15  # type: ignore[union-attr]


@pytest.mark.parametrize("stamp", ["99999999999999", "4102444800000", "1000", 0])
def test_timestamps_outside_2020_to_2100_are_rejected(stamp: object) -> None:
    assert _reasons(json.dumps({**TRADE, "timestamp": stamp})) == [OUT_OF_RANGE]


def test_spot_value_with_a_huge_exponent_is_a_rejection() -> None:
    # Formatting Decimal("1e400") built a 400-digit "price"; 1e999999999 a gigabyte string.
    payload = {**SPOT["payload"], "value": "1e999999999", "full_accuracy_value": "1e400"}
    result = decode_spot_frame(json.dumps({**SPOT, "payload": payload}), 0)
    assert result.events == []
    assert [r.value for r, _ in result.rejects] == [OUT_OF_RANGE]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("orderMinSize", "1e999999999", MarketReject.BAD_MIN_SIZE),
        ("orderMinSize", "5e9", MarketReject.BAD_MIN_SIZE),
        ("orderPriceMinTickSize", "1e999999999", MarketReject.BAD_TICK),
        ("outcomePrices", json.dumps(["1e999999999", "0"]), MarketReject.BAD_ENCODED_FIELD),
        ("endDate", "5138-11-16T09:46:40Z", MarketReject.BAD_END_DATE),
        ("feeSchedule", {"rate": "9" * 5000, "exponent": 1}, MarketReject.BAD_FEE_SCHEDULE),
        ("question", _nested(40), TOO_DEEP),
    ],
)
def test_gamma_mapper_rejects_instead_of_raising(field: str, value: object, reason: str) -> None:
    raw = {**copy.deepcopy(GAMMA_MARKET), field: value}
    result = map_market(raw)
    assert isinstance(result, Rejection), result
    assert result.reason.value == reason


def test_gamma_mapper_survives_a_huge_integer_id() -> None:
    result = map_market({**copy.deepcopy(GAMMA_MARKET), "id": 10**5000, "orderMinSize": "x"})
    assert isinstance(result, Rejection)
    assert result.market_id == "?"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bids", [{"price": "0.5", "size": "1e999999999"}]),
        ("bids", [{"price": "1e999999999", "size": "1"}]),
        ("asks", [{"price": "0.5", "size": "1e13"}]),
        ("timestamp", "1" * 5000),
        ("timestamp", "99999999999999"),
        ("min_order_size", "1e999999999"),
        ("tick_size", "1e999999999"),
    ],
)
def test_clob_book_mapper_vetoes_instead_of_raising(
    loopback_venue: LoopbackVenue, field: str, value: object
) -> None:
    bad = copy.deepcopy(BOOK_REST)
    bad[field] = value
    loopback_venue.state.books[BOOK_REST["asset_id"]] = bad
    veto = book(loopback_venue, BOOK_REST["asset_id"]).veto
    assert veto is not None
    assert veto.reason is VenueVeto.INVALID_BODY


def test_clob_book_rejection_is_counted(loopback_venue: LoopbackVenue) -> None:
    bad = copy.deepcopy(BOOK_REST)
    bad["bids"] = [{"price": "0.5", "size": "1e999999999"}]
    token = BOOK_REST["asset_id"]
    loopback_venue.state.books[token] = bad
    metrics = CountingMetrics()

    async def fetch() -> object:
        async with ClobRestClient(loopback_venue.url, http=FAST, metrics=metrics) as clob:
            return await clob.book(token)

    anyio.run(fetch)
    assert metrics.counter_sum(FEED_REJECTED_FRAMES_TOTAL) == 1
