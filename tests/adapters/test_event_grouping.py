"""Event grouping from real Gamma fixtures: event id, neg-risk market id, outcome titles."""

from __future__ import annotations

import dataclasses

from astra.adapters.polymarket.gamma_mapping import map_market
from astra.adapters.recording.market_json import market_info_from_json, market_info_to_json
from astra.app.discovery import event_groups
from astra.domain.market import MarketInfo
from tests.adapters.loopback_http import GAMMA, load_json

NEG_RISK_ID = "0x2c3d7e0eee6f058be3006baabf0d54a07da254ba47fe6e3e095e7990c7814700"


def _event_markets() -> list[MarketInfo]:
    event = load_json(GAMMA / "event_democratic_nominee_2028.json")[0]
    infos = [map_market(m, event) for m in event["markets"]]
    assert all(isinstance(i, MarketInfo) for i in infos)
    return [i for i in infos if isinstance(i, MarketInfo)]


def test_event_markets_carry_event_neg_risk_id_and_outcome() -> None:
    infos = _event_markets()
    assert [i.gamma_event_id for i in infos] == ["30829", "30829"]
    assert [i.neg_risk_market_id for i in infos] == [NEG_RISK_ID, NEG_RISK_ID]
    assert [i.group_item_title for i in infos] == ["Stephen A. Smith", "Gretchen Whitmer"]


def test_markets_of_one_event_know_each_other() -> None:
    infos = _event_markets()
    groups = event_groups(infos)
    assert list(groups) == [NEG_RISK_ID]
    group = groups[NEG_RISK_ID]
    assert group.neg_risk
    assert group.titles == ("Stephen A. Smith", "Gretchen Whitmer")
    assert group.siblings(infos[0].condition_id) == (infos[1].condition_id,)


def test_a_group_mixing_neg_risk_ids_is_not_neg_risk() -> None:
    first, second = _event_markets()
    odd = dataclasses.replace(second, neg_risk_market_id="0xother")
    assert not event_groups([first, odd])[NEG_RISK_ID].neg_risk


def test_a_market_listed_alone_finds_its_event_in_events() -> None:
    raw = load_json(GAMMA / "market_newsom_2028_neg_risk_fees_enabled.json")
    info = map_market(raw)
    assert isinstance(info, MarketInfo)
    assert info.gamma_event_id == "30829"
    assert info.neg_risk_market_id == NEG_RISK_ID
    assert info.event_id == NEG_RISK_ID


def test_grouping_ids_survive_a_recording_round_trip() -> None:
    # Recording headers keep no universe-ranking figures (liquidity, 24 h volume).
    info = dataclasses.replace(_event_markets()[0], liquidity=0, volume_24h=0)
    assert info.gamma_event_id
    assert info.neg_risk_market_id
    assert market_info_from_json(market_info_to_json(info)) == info
    bare = dataclasses.replace(info, gamma_event_id="", neg_risk_market_id="")
    assert "gamma_event_id" not in market_info_to_json(bare)
    assert market_info_from_json(market_info_to_json(bare)) == bare
