from __future__ import annotations

from dataclasses import replace

import pytest

from astra.domain.market import MarketInfo
from astra.domain.prices import Side, Tick
from astra.domain.reasons import GateVeto
from astra.domain.strategies import DecisionAction, MarketView, RestingQuote, TokenView
from astra.domain.strategies.simple_quoter import SimpleQuoter, SimpleQuoterConfig
from astra.domain.toxicity import SpreadRegime

INFO = MarketInfo("m1", "Q?", "yes", "no", Tick.T0_01, min_size=5_000_000)


def token(asset: str, bid: int, ask: int, **kw: object) -> TokenView:
    base = TokenView(
        asset, True, (bid, 10_000_000), (ask, 10_000_000), False, SpreadRegime.NORMAL, 0
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def view(yes: TokenView | None = None, no: TokenView | None = None, **kw: object) -> MarketView:
    base = MarketView(
        INFO, yes or token("yes", 4000, 4200), no or token("no", 5800, 6000), (), False
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_bids_both_tokens_ticks_behind_at_min_size() -> None:
    quoter = SimpleQuoter(SimpleQuoterConfig(ticks_behind=2, size=1_000_000))
    decision = quoter.evaluate(view(), now_ms=1000)
    assert decision.action is DecisionAction.QUOTE
    assert [(t.asset_id, t.side, t.price, t.size) for t in decision.targets] == [
        ("yes", Side.BUY, 3800, 5_000_000),
        ("no", Side.BUY, 5600, 5_000_000),
    ]
    assert decision.targets[0].edge_pips == 400
    assert decision.payload()["targets"][0]["price"] == 3800


@pytest.mark.parametrize(
    ("yes", "veto"),
    [
        (token("yes", 4000, 4200, synced=False), GateVeto.BOOK_NOT_SYNCED),
        (token("yes", 4000, 4200, toxic=True), GateVeto.TOXIC),
        (token("yes", 4000, 4200, regime=SpreadRegime.WIDE), GateVeto.SPREAD_REGIME),
        (token("yes", 4000, 4200, regime=SpreadRegime.BROKEN), GateVeto.SPREAD_REGIME),
        (token("yes", 4000, 4200, last_update_ms=None), GateVeto.BOOK_NOT_SYNCED),
    ],
)
def test_withdraws_with_reason(yes: TokenView, veto: GateVeto) -> None:
    resting = (RestingQuote("o1", "yes", Side.BUY, 3900, 5_000_000),)
    decision = SimpleQuoter().evaluate(view(yes=yes, resting=resting), now_ms=1000)
    assert decision.action is DecisionAction.WITHDRAW
    assert decision.veto is veto
    assert decision.targets == ()


def test_skip_when_nothing_rests_and_stale_book() -> None:
    quoter = SimpleQuoter(SimpleQuoterConfig(max_book_age_ms=500))
    decision = quoter.evaluate(view(), now_ms=501)
    assert decision.action is DecisionAction.SKIP
    assert decision.veto is GateVeto.BOOK_STALE


def test_closed_market_and_price_at_bounds() -> None:
    assert SimpleQuoter().evaluate(view(resolved=True), 0).veto is GateVeto.MARKET_CLOSED
    low = view(yes=token("yes", 100, 300), no=token("no", 9700, 9900))
    decision = SimpleQuoter(SimpleQuoterConfig(ticks_behind=1)).evaluate(low, 0)
    # YES at 100 - 1 tick = 0 is out of bounds: only the NO bid is quoted.
    assert [t.asset_id for t in decision.targets] == ["no"]


def test_rejects_bad_config() -> None:
    with pytest.raises(ValueError, match="ticks_behind"):
        SimpleQuoter(SimpleQuoterConfig(ticks_behind=-1))
    with pytest.raises(ValueError, match="size"):
        SimpleQuoter(SimpleQuoterConfig(size=0))
