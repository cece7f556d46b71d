"""Reading a resolution from Gamma and CLOB REST: the genuine closed-market fixtures, the NBA
50-50 markets, and every way an answer can be ambiguous (a named veto, never a guess)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from astra.adapters.polymarket.resolution_rest import clob_view, gamma_view
from astra.domain.resolution import (
    Reading,
    ResolutionTarget,
    ResolutionVeto,
    SourceView,
    decide,
    read_source,
    target_from_views,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket"
NOW = 1_800_000_000_000


def load(*parts: str) -> Any:
    return json.loads((FIXTURES.joinpath(*parts)).read_text(encoding="utf-8"))


def gamma(name: str) -> SourceView:
    found = gamma_view(load("gamma", name))
    assert found is not None
    return found[1]


def clob(name: str) -> SourceView:
    found = clob_view(load("clob_rest", name))
    assert found is not None
    return found[1]


def target_of(
    view: SourceView, market: str = "m", neg_risk: bool | None = False
) -> ResolutionTarget:
    assert view.tokens is not None
    return ResolutionTarget(market, (view.tokens[0], view.tokens[1]), neg_risk)


def test_closed_market_no_won_on_both_sources() -> None:
    """Gamma: closed, umaResolutionStatus "resolved", outcomePrices ["0","1"]; CLOB: the No
    token flagged winner. Both name No: it settles, No pays 1."""
    g, c = (
        gamma("market_closed_binary_accepting_false.json"),
        clob("market_closed_binary_accepting_false.json"),
    )
    target = target_of(g)
    answer = decide(target, [read_source(target, g), read_source(target, c)], NOW)
    assert answer.settlement is not None
    assert answer.veto is None
    assert answer.settlement.winning_asset_id == target.tokens[1]
    assert answer.settlement.losing_asset_id == target.tokens[0]
    assert not answer.settlement.split


def test_closed_while_still_accepting_orders_settles_on_prices_and_winner_flag() -> None:
    """No umaResolutionStatus at all, prices ["1","0"], CLOB winner Yes: Yes won."""
    g, c = (
        gamma("market_closed_binary_accepting_true.json"),
        clob("market_closed_binary_accepting_true.json"),
    )
    target = target_of(g)
    answer = decide(target, [read_source(target, g), read_source(target, c)], NOW)
    assert answer.settlement is not None
    assert answer.settlement.winning_asset_id == target.tokens[0]


def test_zero_zero_legacy_prices_are_ambiguous() -> None:
    g = gamma("market_closed_zero_zero_legacy.json")
    target = target_of(g)
    reading = read_source(target, g)
    assert reading.reading is Reading.UNREADABLE
    answer = decide(target, [reading, None], NOW)
    assert answer.settlement is None
    assert answer.veto is ResolutionVeto.AMBIGUOUS


def test_closed_legacy_market_at_fractional_prices_is_pending_not_settled() -> None:
    g = gamma("market_closed_nonbinary_legacy.json")
    target = target_of(g)
    answer = decide(target, [read_source(target, g), None], NOW)
    assert answer.veto is ResolutionVeto.PENDING
    assert answer.settlement is None


def nba_game(number: int) -> dict[str, Any]:
    page = load("clob_rest", "markets_page_2024.json")
    name = f"2022 NBA Finals: Who will win Celtics vs. Warriors Game {number}?"
    return next(m for m in page["data"] if m["question"] == name)


def gamma_like(market: dict[str, Any], prices: list[str], status: str | None) -> dict[str, Any]:
    """A Gamma object for a CLOB market of the page (same ids; Gamma's encodings)."""
    raw: dict[str, Any] = {
        "conditionId": market["condition_id"],
        "closed": True,
        "clobTokenIds": json.dumps([t["token_id"] for t in market["tokens"]]),
        "outcomePrices": json.dumps(prices),
    }
    if status is not None:
        raw["umaResolutionStatus"] = status
    return raw


def test_nba_game_resolving_50_50_is_a_split_settlement() -> None:
    """The NBA fixture's rule: "If for any reason the winner of this game is not decided by
    June 30, 2022 (ET), this market will resolve 50-50." A 50-50 on Gamma (0.5/0.5) with no
    winner flagged on CLOB settles as a split: both tokens pay 0.5."""
    market = nba_game(1)
    assert "will resolve 50-50" in market["description"]
    found_g = gamma_view(gamma_like(market, ["0.5", "0.5"], "resolved"))
    clob_raw = dict(market, tokens=[dict(t, winner=False) for t in market["tokens"]])
    found_c = clob_view(clob_raw)
    assert found_g is not None
    assert found_c is not None
    target = target_of(found_g[1], market["condition_id"])
    readings = [read_source(target, found_g[1]), read_source(target, found_c[1])]
    assert [r.reading for r in readings] == [Reading.SPLIT, Reading.PENDING]
    answer = decide(target, readings, NOW)
    assert answer.settlement is not None
    assert answer.settlement.split
    assert {answer.settlement.winning_asset_id, answer.settlement.losing_asset_id} == set(
        target.tokens
    )


def test_a_split_on_a_neg_risk_or_unknown_market_is_ambiguous() -> None:
    market = nba_game(2)
    found = gamma_view(gamma_like(market, ["0.5", "0.5"], "resolved"))
    assert found is not None
    for neg_risk in (True, None):
        target = target_of(found[1], neg_risk=neg_risk)
        answer = decide(target, [read_source(target, found[1])], NOW)
        assert answer.veto is ResolutionVeto.AMBIGUOUS
        assert answer.settlement is None


@pytest.mark.parametrize(
    ("gamma_prices", "status", "winner_index", "why"),
    [
        (["1", "0"], "resolved", 1, "gamma names Celtics, CLOB names Warriors"),
        (["0.5", "0.5"], "resolved", 0, "gamma 50-50, CLOB a winner"),
        (["1", "0"], "proposed", 0, "UMA has only a proposal"),
        (["1", "0"], "disputed", 0, "UMA dispute"),
        (["0.7", "0.3"], "resolved", None, "resolved at prices that pay nobody"),
    ],
)
def test_contradictions_are_the_named_veto(
    gamma_prices: list[str], status: str, winner_index: int | None, why: str
) -> None:
    market = nba_game(3)
    tokens = [dict(t, winner=(i == winner_index)) for i, t in enumerate(market["tokens"])]
    found_g = gamma_view(gamma_like(market, gamma_prices, status))
    found_c = clob_view(dict(market, tokens=tokens))
    assert found_g is not None
    assert found_c is not None
    target = target_of(found_g[1])
    answer = decide(target, [read_source(target, found_g[1]), read_source(target, found_c[1])], NOW)
    assert answer.settlement is None, why
    assert answer.veto is ResolutionVeto.AMBIGUOUS, why
    assert answer.detail


def test_open_answers_do_nothing_and_silence_is_unavailable() -> None:
    g = gamma("market_btc_updown_5m_2026-03.json")
    target = target_of(g)
    assert decide(target, [read_source(target, g)], NOW).is_open
    assert decide(target, [None, None], NOW).veto is ResolutionVeto.UNAVAILABLE


def test_open_on_one_source_and_settled_on_the_other_is_ambiguous() -> None:
    c = clob("market_closed_binary_accepting_true.json")
    target = target_of(c)
    still_open = SourceView("gamma", closed=False, tokens=target.tokens)
    answer = decide(target, [read_source(target, still_open), read_source(target, c)], NOW)
    assert answer.veto is ResolutionVeto.AMBIGUOUS


def test_views_naming_other_tokens_are_unreadable() -> None:
    g = gamma("market_closed_binary_accepting_false.json")
    target = ResolutionTarget("m", ("a", "b"), False)
    assert read_source(target, g).reading is Reading.UNREADABLE


def test_a_held_market_unknown_to_the_run_takes_its_tokens_from_the_views() -> None:
    g = gamma("market_closed_binary_accepting_false.json")
    assert g.tokens is not None
    target = target_from_views("m", [g.tokens[1]], [None, g])
    assert target is not None
    assert target.tokens == (g.tokens[0], g.tokens[1])
    assert target.neg_risk is False
    assert target_from_views("m", ["elsewhere"], [g]) is None
