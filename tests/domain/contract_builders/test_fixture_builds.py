"""Every real Gamma and CLOB REST market fixture through the builders: which build, which
veto and why (each expectation read off the fixture's own rules text)."""

from __future__ import annotations

from collections import Counter

import pytest

from astra.adapters.polymarket.gamma_mapping import Rejection
from astra.domain.contract_builders import build_contract
from astra.domain.contracts import definition_gate, lint_contract
from astra.domain.contracts.contract import CryptoThresholdContract, EventOpsContract
from astra.domain.market import MarketInfo
from tests.domain.contract_builders.fixture_markets import FIXTURES, fixture_markets

NEWSOM_EVENT = "0x2c3d7e0eee6f058be3006baabf0d54a07da254ba47fe6e3e095e7990c7814700"

# fixture -> outcome of every market object in it: "builder:category" for a contract,
# "builder:reason" for a veto, "rejected:reason" for what the Gamma mapping refuses.
EXPECTED: dict[str, dict[str, int]] = {
    "clob_rest/book_2024-10.json": {},
    "clob_rest/book_empty_ask_neg_risk_2026-08.json": {},
    "clob_rest/data_trade_2024-09.json": {},
    "clob_rest/market_closed_binary_accepting_false.json": {"rejected:no_order_book": 1},
    "clob_rest/market_closed_binary_accepting_true.json": {"rejected:no_order_book": 1},
    # CLOB REST has no groupItemTitle: a neg-risk leg without its outcome is not understood.
    "clob_rest/market_trump_2024_neg_risk.json": {"event_ops:multi_outcome": 1},
    "clob_rest/markets_page_2024.json": {
        "rejected:no_order_book": 98,
        "rejected:no_token_ids": 1,
        "event_ops:multi_outcome": 1,  # "Which party wins ...?": an open question
    },
    "gamma/event_democratic_nominee_2028.json": {"event_ops:event_ops": 2},
    "gamma/market_btc_updown_5m_2026-03.json": {"crypto_threshold:up_down_market": 1},
    "gamma/market_btc_updown_5m_twap_2026-08_reduced.json": {"crypto_threshold:up_down_market": 1},
    "gamma/market_closed_binary_accepting_false.json": {"event_ops:event_ops": 1},
    "gamma/market_closed_binary_accepting_true.json": {"event_ops:event_ops": 1},
    "gamma/market_closed_nonbinary_legacy.json": {"rejected:no_order_book": 1},
    "gamma/market_closed_zero_zero_legacy.json": {"rejected:no_order_book": 1},
    "gamma/market_newsom_2028_neg_risk_fees_enabled.json": {"event_ops:event_ops": 1},
    "gamma/market_sports_map_handicap_fee_schedule.json": {"event_ops:event_ops": 1},
    "gamma/market_sports_money_line_fee_schedule.json": {"event_ops:event_ops": 1},
    "gamma/public_search_bitcoin_above_on_march_11.json": {"crypto_threshold:crypto_threshold": 1},
    "gamma/tags.json": {"rejected:missing_field": 5},
}


def _outcome(item: MarketInfo | Rejection) -> str:
    if isinstance(item, Rejection):
        return f"rejected:{item.reason}"
    result = build_contract(item)
    if result.contract is None:
        assert result.reason is not None
        assert result.why().startswith(str(result.reason))
        return f"{result.builder}:{result.reason}"
    assert lint_contract(result.contract).ok
    return f"{result.builder}:{result.contract.category}"


def test_every_fixture_file_is_listed() -> None:
    names = {
        f"{p.parent.name}/{p.name}"
        for d in ("gamma", "clob_rest")
        for p in (FIXTURES / d).glob("*.json")
    }
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_outcomes(name: str) -> None:
    assert dict(Counter(_outcome(item) for item in fixture_markets(name))) == EXPECTED[name]


def _built(name: str) -> list[EventOpsContract]:
    out = []
    for item in fixture_markets(name):
        assert isinstance(item, MarketInfo)
        contract = build_contract(item).contract
        assert isinstance(contract, EventOpsContract)
        out.append(contract)
    return out


def test_neg_risk_leg_carries_event_group_and_outcome() -> None:
    (newsom,) = _built("gamma/market_newsom_2028_neg_risk_fees_enabled.json")
    assert newsom.neg_risk_event_id == NEWSOM_EVENT
    assert newsom.outcome == "Gavin Newsom"
    assert newsom.resolution_source == "a consensus of official Democratic Party sources"
    assert newsom.cutoff_ms == 1_857_168_000_000  # endDate 2028-11-07T00:00:00Z
    assert (newsom.early_resolution, newsom.fifty_fifty) == (False, False)
    legs = _built("gamma/event_democratic_nominee_2028.json")
    assert {leg.neg_risk_event_id for leg in legs} == {NEWSOM_EVENT}
    assert len({leg.outcome for leg in legs}) == 2


def test_event_ids_come_from_neg_risk_market_id_else_the_first_event() -> None:
    (newsom,) = fixture_markets("gamma/market_newsom_2028_neg_risk_fees_enabled.json")
    (sports,) = fixture_markets("gamma/market_sports_money_line_fee_schedule.json")
    assert isinstance(newsom, MarketInfo)
    assert isinstance(sports, MarketInfo)
    assert (newsom.neg_risk, newsom.event_id) == (True, NEWSOM_EVENT)
    assert (sports.neg_risk, sports.event_id) == (False, "event:346898")
    assert sports.game_start_ms == 1_775_401_800_000


def test_sports_cutoff_is_the_game_start_and_the_50_50_clause_is_read() -> None:
    (money_line,) = _built("gamma/market_sports_money_line_fee_schedule.json")
    assert money_line.cutoff_ms == 1_775_401_800_000  # gameStartTime 2026-04-05 15:10:00+00
    assert money_line.fifty_fifty is True
    assert money_line.resolution_source == "https://hltv.org"  # Gamma's resolutionSource
    assert money_line.neg_risk_event_id is None
    assert money_line.outcome is None
    before = definition_gate(money_line, now_ms=money_line.cutoff_ms - 1)
    after = definition_gate(money_line, now_ms=money_line.cutoff_ms)
    assert before.passed
    assert not after.passed
    assert after.reason == "market_closed"


def test_ceasefire_early_resolution_and_source_from_the_rules() -> None:
    (ceasefire,) = _built("gamma/market_closed_binary_accepting_true.json")
    assert ceasefire.early_resolution is True
    assert ceasefire.resolution_source == "official announcements from both Russia and Ukraine"


def test_crypto_fixture_builds_the_threshold_contract() -> None:
    (item,) = fixture_markets("gamma/public_search_bitcoin_above_on_march_11.json")
    assert isinstance(item, MarketInfo)
    contract = build_contract(item).contract
    assert isinstance(contract, CryptoThresholdContract)
    assert contract.oracle_feed == "binance:BTCUSDT:1m_close"
