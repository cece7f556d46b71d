"""Parity and neg-risk event sums, hand-computed (prices in pips, sizes in micro-shares)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astra.domain.arb_walk import LegBook, walk_sets
from astra.domain.arbitrage import ArbKind, OutcomeBooks, TokenSide, evaluate_event, parity
from astra.domain.events import Level
from astra.domain.market import FeeSchedule
from astra.domain.prices import ONE, Side

SH = 1_000_000  # one share in micro-shares
FREE = FeeSchedule.free()
NEWSOM = FeeSchedule(rate=Decimal("0.04"), exponent=1, rebate_rate=Decimal("0.25"))


def market(
    cid: str,
    *,
    yes_asks: tuple[Level, ...] = (),
    no_asks: tuple[Level, ...] = (),
    yes_bids: tuple[Level, ...] = (),
    no_bids: tuple[Level, ...] = (),
    fees: FeeSchedule = FREE,
    min_size: int = 0,
) -> OutcomeBooks:
    return OutcomeBooks(
        cid,
        cid.upper(),
        TokenSide(f"{cid}-yes", yes_bids, yes_asks),
        TokenSide(f"{cid}-no", no_bids, no_asks),
        fees,
        min_size,
    )


def test_fee_free_parity_walks_two_levels_until_one_side_runs_out() -> None:
    m = market("a", yes_asks=((4800, 100 * SH),), no_asks=((5000, 50 * SH), (5100, 100 * SH)))
    [opp] = parity(m)
    walk = opp.walk
    assert opp.kind is ArbKind.PARITY_BUY
    # 50 sets at 0.48 + 0.50 = 0.98, then 50 at 0.48 + 0.51 = 0.99; YES is then exhausted.
    assert walk.size == 100 * SH
    assert walk.legs[0].levels == ((4800, 100 * SH),)
    assert walk.legs[1].levels == ((5000, 50 * SH), (5100, 50 * SH))
    assert walk.legs[0].notional == 48_000_000
    assert walk.legs[1].notional == 25_000_000 + 25_500_000
    assert walk.settle == 100_000_000
    assert walk.gross == 1_500_000
    assert walk.fee == 0
    assert walk.net == 1_500_000
    assert walk.net_per_share == 15_000  # 150 pips per pair on average
    assert walk.top_gross_pips == 200


def test_fee_enabled_parity_pays_the_taker_fee_on_both_legs() -> None:
    m = market("a", yes_asks=((4500, 10 * SH),), no_asks=((5000, 10 * SH),), fees=NEWSOM)
    [opp] = parity(m)
    # 0.04 × 0.45 × 0.55 = 0.0099 and 0.04 × 0.5 × 0.5 = 0.01 per share.
    assert opp.walk.legs[0].fee == 99_000
    assert opp.walk.legs[1].fee == 100_000
    assert opp.walk.gross == 500_000
    assert opp.walk.net == 301_000
    assert opp.walk.net_per_share == 30_100


def test_fees_larger_than_the_gross_edge_leave_no_opportunity() -> None:
    # 0.49 + 0.50 = 0.99: 100 pips gross, fees 99.96 + 100 pips per share.
    m = market("a", yes_asks=((4900, 10 * SH),), no_asks=((5000, 10 * SH),), fees=NEWSOM)
    assert parity(m) == []
    # The same book without fees is an opportunity.
    assert len(parity(market("a", yes_asks=((4900, 10 * SH),), no_asks=((5000, 10 * SH),)))) == 1


def test_a_sum_of_exactly_one_is_not_an_opportunity() -> None:
    m = market("a", yes_asks=((5000, 10 * SH),), no_asks=((5000, 10 * SH),))
    assert parity(m) == []


def test_a_one_sided_leg_is_not_an_opportunity() -> None:
    assert parity(market("a", yes_asks=((1000, 10 * SH),))) == []


def test_the_fee_stops_the_walk_at_the_first_losing_level() -> None:
    # Level 1: 0.45 + 0.50 nets 301 pips; level 2: 0.49 + 0.50 loses after fees.
    m = market(
        "a",
        yes_asks=((4500, 4 * SH), (4900, 100 * SH)),
        no_asks=((5000, 100 * SH),),
        fees=NEWSOM,
    )
    [opp] = parity(m)
    assert opp.walk.size == 4 * SH


def test_parity_sell_needs_held_pairs_and_is_capped_by_them() -> None:
    m = market("a", yes_bids=((5200, 100 * SH),), no_bids=((5000, 100 * SH),))
    assert parity(m) == []
    [opp] = parity(m, {"a-yes": 30 * SH, "a-no": 20 * SH})
    assert opp.kind is ArbKind.PARITY_SELL
    assert opp.walk.size == 20 * SH
    # 20 × (0.52 + 0.50) received, 20 pairs given up.
    assert opp.walk.net == 20 * 200 * 100


def test_below_min_order_size_is_not_an_opportunity() -> None:
    m = market("a", yes_asks=((4000, 4 * SH),), no_asks=((5000, 10 * SH),), min_size=5 * SH)
    assert parity(m) == []


def test_event_buy_every_yes_with_six_outcomes_limited_by_the_thinnest_book() -> None:
    asks = [1500, 1500, 1500, 1500, 1500, 2000]  # sum 0.95
    depth = [50, 50, 50, 7, 50, 50]
    outcomes = [
        market(f"m{i}", yes_asks=((p, d * SH),))
        for i, (p, d) in enumerate(zip(asks, depth, strict=True))
    ]
    found = evaluate_event("ev", outcomes, neg_risk=True)
    [opp] = found
    assert opp.kind is ArbKind.EVENT_BUY_YES
    assert opp.group == "ev"
    assert opp.walk.size == 7 * SH
    assert opp.walk.net == 7 * 500 * 100
    assert len(opp.walk.legs) == 6


def test_event_sums_need_neg_risk() -> None:
    outcomes = [market(f"m{i}", yes_asks=((3000, 10 * SH),)) for i in range(3)]
    assert evaluate_event("ev", outcomes, neg_risk=False) == []
    assert [o.kind for o in evaluate_event("ev", outcomes, neg_risk=True)] == [
        ArbKind.EVENT_BUY_YES
    ]


def test_event_buy_every_no_pays_n_minus_one() -> None:
    # Three outcomes, NO asks 0.60 + 0.60 + 0.70 = 1.90 < 2.
    outcomes = [
        market("m0", no_asks=((6000, 10 * SH),)),
        market("m1", no_asks=((6000, 10 * SH),)),
        market("m2", no_asks=((7000, 10 * SH),)),
    ]
    [opp] = evaluate_event("ev", outcomes, neg_risk=True)
    assert opp.kind is ArbKind.EVENT_BUY_NO
    assert opp.walk.settle == 20_000_000
    assert opp.walk.net == 1_000_000


def test_event_convert_buys_one_no_and_sells_the_other_yeses() -> None:
    outcomes = [
        market("m0", no_asks=((5500, 10 * SH),)),
        market("m1", yes_bids=((3000, 10 * SH),)),
        market("m2", yes_bids=((3000, 8 * SH),)),
    ]
    [opp] = evaluate_event("ev", outcomes, neg_risk=True)
    assert opp.kind is ArbKind.EVENT_CONVERT
    assert opp.pivot == "m0"
    assert opp.walk.size == 8 * SH
    assert opp.walk.net == 8 * 500 * 100
    assert opp.key == "event_convert:ev:m0"


def test_two_outcome_event_sum_of_exactly_one_is_not_an_opportunity() -> None:
    outcomes = [
        market("m0", yes_asks=((4000, 10 * SH),)),
        market("m1", yes_asks=((6000, 10 * SH),)),
    ]
    assert evaluate_event("ev", outcomes, neg_risk=True) == []


levels = st.lists(
    st.tuples(st.integers(1, ONE - 1), st.integers(1, 1000 * SH)), min_size=0, max_size=5
)


def _sorted(raw: list[tuple[int, int]]) -> tuple[Level, ...]:
    best: dict[int, int] = dict(raw)
    return tuple(sorted(best.items()))


@given(st.lists(levels, min_size=1, max_size=6), st.sampled_from([FREE, NEWSOM]))
def test_walks_are_profitable_bounded_by_depth_and_never_beat_the_top(
    books: list[list[tuple[int, int]]], fees: FeeSchedule
) -> None:
    legs = [LegBook(f"t{i}", f"c{i}", Side.BUY, _sorted(b), fees) for i, b in enumerate(books)]
    walk = walk_sets(legs, settle_pips=ONE)
    if walk is None:
        return
    assert walk.net > 0
    assert all(leg.size == walk.size for leg in walk.legs)
    assert walk.size <= min(sum(s for _, s in leg.levels) for leg in legs)
    # Deeper levels are never better: the average gross edge is at most the first chunk's.
    assert walk.gross * ONE <= walk.top_gross_pips * walk.size + ONE
