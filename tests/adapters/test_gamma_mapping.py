"""Gamma JSON -> MarketInfo on every recorded fixture, and rejections for broken objects."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.prices import Tick
from astra.domain.reasons import MarketReject
from tests.adapters.loopback_http import GAMMA, load_json

BTC_5M = "market_btc_updown_5m_2026-03.json"


def market(name: str) -> dict[str, Any]:
    data = load_json(GAMMA / name)
    assert isinstance(data, dict)
    return data


def mapped(raw: object, event: dict[str, Any] | None = None) -> MarketInfo:
    result = map_market(raw, event)
    assert isinstance(result, MarketInfo), result
    return result


def rejected(raw: object) -> Rejection:
    result = map_market(raw)
    assert isinstance(result, Rejection), result
    return result


# file -> expected outcome: a MarketInfo spot check, or the rejection reason of each object.
EXPECTED_MARKETS = {
    BTC_5M: "map",
    "market_btc_updown_5m_twap_2026-08_reduced.json": "map",
    "market_closed_binary_accepting_false.json": "map",
    "market_closed_binary_accepting_true.json": "map",
    "market_newsom_2028_neg_risk_fees_enabled.json": "map",
    "market_sports_map_handicap_fee_schedule.json": "map",
    "market_sports_money_line_fee_schedule.json": "map",
    # 2020 AMM markets: token ids present but no order book, tick or minimum size.
    "market_closed_nonbinary_legacy.json": MarketReject.NO_ORDER_BOOK,
    "market_closed_zero_zero_legacy.json": MarketReject.NO_ORDER_BOOK,
}
OTHER_FILES = {
    "event_democratic_nominee_2028.json",
    "public_search_bitcoin_above_on_march_11.json",
    "tags.json",
}


def test_every_gamma_fixture_is_covered() -> None:
    names = {path.name for path in Path(GAMMA).glob("*.json")}
    assert names == set(EXPECTED_MARKETS) | OTHER_FILES


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_MARKETS.items()))
def test_market_fixture_maps_or_is_rejected_with_reason(name: str, expected: object) -> None:
    raw = market(name)
    result = map_market(raw)
    if expected == "map":
        assert isinstance(result, MarketInfo), result
        tokens = json.loads(raw["clobTokenIds"])
        assert result.tokens == (tokens[0], tokens[1])
        assert result.condition_id == raw["conditionId"]
        assert result.accepting_orders is raw["acceptingOrders"]
    else:
        assert isinstance(result, Rejection)
        assert result.reason is expected
        assert result.market_id == raw["id"]


def test_btc_5m_fields() -> None:
    info = mapped(market(BTC_5M))
    assert info.yes_token.startswith("1042398980")
    assert info.no_token.startswith("7118396081")
    assert info.outcomes == ("Up", "Down")
    assert info.tick is Tick.T0_01
    assert info.min_size == 5_000_000
    assert info.end_date_ms == 1773307500000  # 2026-03-12T09:25:00Z
    assert info.category == "crypto"  # from feeType crypto_fees
    assert info.resolution_source == "https://data.chain.link/streams/btc-usd"
    assert info.neg_risk is False
    # feesEnabled without a schedule: no parameters to charge, makers pay nothing anyway.
    assert info.fees == FeeSchedule.free()


def test_fee_schedule_is_exact() -> None:
    info = mapped(market("market_btc_updown_5m_twap_2026-08_reduced.json"))
    assert info.fees == FeeSchedule(
        rate=Decimal("0.07"), exponent=1, taker_only=True, rebate_rate=Decimal("0.2")
    )


def test_neg_risk_politics_market() -> None:
    info = mapped(market("market_newsom_2028_neg_risk_fees_enabled.json"))
    assert info.neg_risk is True
    assert info.tick is Tick.T0_001
    assert info.fees.rate == Decimal("0.04")
    assert info.fees.rebate_rate == Decimal("0.25")
    assert info.category == "politics"
    assert info.group_item_title == "Gavin Newsom"


def test_event_markets_take_tags_and_category_from_the_event() -> None:
    event = load_json(GAMMA / "event_democratic_nominee_2028.json")[0]
    infos = [mapped(m, event) for m in event["markets"]]
    assert len(infos) == 2
    assert all(i.neg_risk for i in infos)
    assert "Politics" in infos[0].tags
    assert infos[0].category == "politics"


def test_search_threshold_market() -> None:
    search = load_json(GAMMA / "public_search_bitcoin_above_on_march_11.json")
    event = search["events"][0]
    info = mapped(event["markets"][0], event)
    assert info.group_item_title == "64,000"
    assert info.category == "crypto"
    assert info.tick is Tick.T0_001


def test_tag_objects_are_not_markets() -> None:
    for tag in load_json(GAMMA / "tags.json"):
        assert rejected(tag).reason is MarketReject.MISSING_FIELD


def test_closed_market_keeps_its_accepting_flag() -> None:
    assert mapped(market("market_closed_binary_accepting_true.json")).accepting_orders is True
    assert mapped(market("market_closed_binary_accepting_false.json")).accepting_orders is False


def broken(**changes: object) -> dict[str, Any]:
    raw = copy.deepcopy(market(BTC_5M))
    for key, value in changes.items():
        if value is ...:
            raw.pop(key)
        else:
            raw[key] = value
    return raw


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"clobTokenIds": ...}, MarketReject.NO_TOKEN_IDS),
        ({"clobTokenIds": "[]"}, MarketReject.NO_TOKEN_IDS),
        ({"clobTokenIds": '["1", ""]'}, MarketReject.NO_TOKEN_IDS),
        ({"clobTokenIds": '["1", "2", "3"]'}, MarketReject.NOT_BINARY),
        ({"clobTokenIds": "[1, 2"}, MarketReject.BAD_ENCODED_FIELD),
        ({"clobTokenIds": '["1", "1"]'}, MarketReject.BAD_ENCODED_FIELD),
        ({"clobTokenIds": 12}, MarketReject.BAD_ENCODED_FIELD),
        ({"outcomes": '["A", "B", "C"]'}, MarketReject.NOT_BINARY),
        ({"outcomes": ...}, MarketReject.MISSING_FIELD),
        ({"outcomePrices": '["0.5", "NaN"]'}, MarketReject.BAD_ENCODED_FIELD),
        ({"outcomePrices": '["0.5", "x"]'}, MarketReject.BAD_ENCODED_FIELD),
        ({"conditionId": "0xabc123"}, MarketReject.BAD_CONDITION_ID),
        ({"conditionId": ...}, MarketReject.MISSING_FIELD),
        ({"question": ...}, MarketReject.MISSING_FIELD),
        ({"enableOrderBook": False}, MarketReject.NO_ORDER_BOOK),
        ({"orderPriceMinTickSize": 0.005}, MarketReject.BAD_TICK),
        ({"orderPriceMinTickSize": "x"}, MarketReject.BAD_TICK),
        ({"orderPriceMinTickSize": True}, MarketReject.BAD_TICK),
        ({"orderPriceMinTickSize": ...}, MarketReject.MISSING_FIELD),
        ({"orderMinSize": 0}, MarketReject.BAD_MIN_SIZE),
        ({"orderMinSize": -5}, MarketReject.BAD_MIN_SIZE),
        ({"orderMinSize": ...}, MarketReject.MISSING_FIELD),
        ({"feeSchedule": {"rate": "x"}}, MarketReject.BAD_FEE_SCHEDULE),
        ({"feeSchedule": {"rate": 1.5}}, MarketReject.BAD_FEE_SCHEDULE),
        ({"feeSchedule": {"rate": 0.07, "exponent": 1.5}}, MarketReject.BAD_FEE_SCHEDULE),
        ({"feeSchedule": {"rate": 0.07, "takerOnly": "yes"}}, MarketReject.BAD_FEE_SCHEDULE),
        ({"feeSchedule": [1]}, MarketReject.BAD_FEE_SCHEDULE),
        ({"endDate": "tomorrow"}, MarketReject.BAD_END_DATE),
        ({"endDate": "2026-03-12T09:25:00"}, MarketReject.BAD_END_DATE),
        ({"negRisk": "true"}, MarketReject.BAD_FIELD),
        ({"description": 5}, MarketReject.BAD_FIELD),
    ],
)
def test_broken_objects_are_rejected_with_reason(
    changes: dict[str, object], reason: MarketReject
) -> None:
    result = rejected(broken(**changes))
    assert result.reason is reason
    assert result.market_id == "1557558"


def test_not_an_object() -> None:
    assert rejected([1, 2]).reason is MarketReject.NOT_AN_OBJECT
    assert rejected(None).market_id == "?"


def test_explicitly_disabled_fees_override_a_schedule() -> None:
    raw = broken(feesEnabled=False, feeSchedule={"rate": 0.07, "exponent": 1})
    assert mapped(raw).fees == FeeSchedule.free()


def test_missing_optional_fields_have_safe_defaults() -> None:
    info = mapped(broken(negRisk=..., acceptingOrders=..., endDate=..., feeType=...))
    assert info.neg_risk is False
    assert info.accepting_orders is False  # unknown -> not accepting (fail closed)
    assert info.end_date_ms is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(market(BTC_5M))), json_values, max_size=8))
def test_arbitrary_field_values_never_crash(overrides: dict[str, object]) -> None:
    raw = {**market(BTC_5M), **overrides}
    result = map_market(raw)
    assert isinstance(result, MarketInfo | Rejection)


def test_ranking_figures_are_exact_micros_and_unknown_is_zero() -> None:
    """liquidityNum 20328.3747 -> 20,328,374,700 micros; volume24hr 9.999997 -> 9,999,997.
    A legacy market without them (or a string, NaN, negative) ranks with 0, not rejected."""
    info = mapped(market(BTC_5M))
    assert info.liquidity == 20_328_374_700
    assert info.volume_24h == 9_999_997
    for bad in ("x", float("nan"), -5, None, True):
        raw = dict(market(BTC_5M), liquidityNum=bad)
        assert mapped(raw).liquidity == 0
