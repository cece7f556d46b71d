"""The universe rule: ranked by liquidity, 24 h volume, time to end (not the input order);
ended or closed markets are not added, and live ones leave when they pass their end date."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from astra.domain.market import MarketInfo
from astra.domain.prices import Tick
from astra.domain.universe import plan, rank

NOW = 1_800_000_000_000
DAY = 86_400_000
USD = 1_000_000


def market(
    cid: str, liquidity: int = 0, volume: int = 0, end: int | None = None, accepting: bool = True
) -> MarketInfo:
    return MarketInfo(
        condition_id=cid,
        question=cid,
        yes_token=f"{cid}-y",
        no_token=f"{cid}-n",
        tick=Tick.T0_01,
        min_size=5_000_000,
        end_date_ms=end,
        accepting_orders=accepting,
        liquidity=liquidity,
        volume_24h=volume,
    )


def test_rank_is_liquidity_then_volume_then_time_to_end() -> None:
    a = market("a", liquidity=5_000 * USD, volume=10 * USD, end=NOW + DAY)
    b = market("b", liquidity=9_000 * USD, volume=1 * USD, end=NOW + DAY)
    c = market("c", liquidity=5_000 * USD, volume=99 * USD, end=NOW + DAY)
    d = market("d", liquidity=5_000 * USD, volume=10 * USD, end=NOW + 30 * DAY)
    e = market("e", liquidity=5_000 * USD, volume=10 * USD, end=None)
    # b: most liquid; c: next on volume; d before a: more time to end; e: no end date last.
    assert [m.condition_id for m in rank([a, e, d, c, b], NOW)] == ["b", "c", "d", "a", "e"]


@given(st.permutations(list(range(6))))
def test_rank_ignores_the_input_order(order: list[int]) -> None:
    markets = [market(f"m{i}", liquidity=(i % 3) * USD, volume=i * USD) for i in range(6)]
    expected = [m.condition_id for m in rank(markets, NOW)]
    assert [m.condition_id for m in rank([markets[i] for i in order], NOW)] == expected


def test_plan_fills_free_places_with_the_best_eligible_markets() -> None:
    live = [market("live1", end=NOW + DAY), market("old", end=NOW - 1)]
    found = [
        market("ended", liquidity=10**12, end=NOW),
        market("closed", liquidity=10**11, accepting=False),
        market("retired", liquidity=10**10),
        market("small", liquidity=1),
        market("big", liquidity=10**9),
        market("live1", liquidity=10**13, end=NOW + DAY),
    ]
    taken = plan(live, found, NOW, max_markets=3, retired={"retired"})
    assert taken.leave == ("old",)  # past its end date
    # 3 places, live1 stays: two free, for the best two eligible not live nor retired.
    assert [m.condition_id for m in taken.add] == ["big", "small"]


def test_plan_never_evicts_a_live_market_for_a_better_one() -> None:
    live = [market(f"l{i}") for i in range(3)]
    taken = plan(live, [market("better", liquidity=10**12)], NOW, max_markets=3)
    assert taken.add == ()
    assert taken.leave == ()
    fewer = plan(live, [replace(live[0], liquidity=10**12)], NOW, max_markets=5)
    assert fewer.add == ()  # already live: not added twice
