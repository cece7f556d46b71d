"""Sell and merge arithmetic by hand: realised P&L on partial sells, pairs merged at exactly 1,
and the risk caps with pairs and event groups."""

from __future__ import annotations

from dataclasses import replace

from astra.domain.ledger import EntryKind, Ledger
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto
from astra.domain.risk import RiskState
from astra.domain.risk_exposure import netted_values
from astra.domain.risk_limits import RiskLimits
from astra.domain.trading import Fill, Liquidity, OrderIntent, Settlement

USD = 1_000_000
SHARE = 1_000_000
DAY0 = 20_000 * 86_400_000
_ids = iter(range(10**9))


def fill(side: Side, price: int, shares: float, asset: str = "yes", market: str = "m1") -> Fill:
    size = round(shares * SHARE)
    return Fill(f"f{next(_ids)}", "o", market, asset, side, price, size, 0, Liquidity.MAKER, 1)


def test_partial_sells_realise_against_the_average_cost() -> None:
    led = Ledger(10_000 * USD)
    led.apply_fill(fill(Side.BUY, 4000, 10))  # 10 @ 0.40 = 4.00
    led.apply_fill(fill(Side.BUY, 5000, 10))  # 10 @ 0.50 = 5.00; 20 shares cost 9.00
    led.apply_fill(fill(Side.SELL, 6000, 5))  # 5 @ 0.60 = 3.00 for 9.00 * 5/20 = 2.25
    pos = led.position("yes")
    assert pos is not None
    assert (pos.size, pos.cost) == (15 * SHARE, 6_750_000)
    assert led.realized == 750_000
    led.apply_fill(fill(Side.SELL, 3000, 15))  # 15 @ 0.30 = 4.50 for the remaining 6.75
    assert led.position("yes") is None
    assert led.realized == 750_000 - 2_250_000
    assert led.cash == 10_000 * USD - 9 * USD + 3 * USD + 4_500_000


def test_a_pair_merges_into_collateral_at_exactly_one() -> None:
    led = Ledger(10_000 * USD)
    led.apply_fill(fill(Side.BUY, 4500, 10, "yes"))  # 4.50
    led.apply_fill(fill(Side.BUY, 5200, 6, "no"))  # 3.12
    (entry,) = led.merge_pairs("m1", 7)
    assert (entry.kind, entry.amount, entry.ref) == (EntryKind.MERGE, 6 * USD, "m1")
    # 6 pairs pay 6.00; their cost is 4.50 * 6/10 = 2.70 of YES plus all 3.12 of NO.
    assert led.realized == 6 * USD - 2_700_000 - 3_120_000
    yes = led.position("yes")
    assert yes is not None
    assert (yes.size, yes.cost) == (4 * SHARE, 1_800_000)
    assert led.position("no") is None
    assert led.cash == 10_000 * USD - 4_500_000 - 3_120_000 + 6 * USD
    assert led.merged == {"m1": 6 * SHARE}
    assert led.merge_pairs("m1", 8) == ()  # nothing left to pair
    assert led.equity({"yes": 5000}) == led.cash + 2 * USD


def test_merge_rounding_never_invents_pnl() -> None:
    led = Ledger(USD)
    led.apply_fill(fill(Side.BUY, 3333, 3, "yes"))  # ceil(0.9999) = 999,900
    led.apply_fill(fill(Side.BUY, 6667, 1, "no"))  # 666,700
    led.merge_pairs("m1", 1)
    # YES cost removed: floor(999,900 / 3) = 333,300; 1,000,000 - 333,300 - 666,700 = 0.
    assert led.realized == 0
    yes = led.position("yes")
    assert yes is not None
    assert yes.cost == 999_900 - 333_300


def test_no_merge_without_both_legs_or_after_settlement() -> None:
    led = Ledger(USD)
    led.apply_fill(fill(Side.BUY, 5000, 1, "yes"))
    assert led.merge_pairs("m1", 1) == ()
    led.apply_fill(fill(Side.BUY, 5000, 1, "no"))
    led.settle(Settlement("m1", "yes", "no", 2))
    assert led.merge_pairs("m1", 3) == ()


def test_snapshot_keeps_the_merged_pairs() -> None:
    led = Ledger(10 * USD)
    led.apply_fill(fill(Side.BUY, 5000, 2, "yes"))
    led.apply_fill(fill(Side.BUY, 5000, 2, "no"))
    led.merge_pairs("m1", 1)
    back = Ledger.restore(led.snapshot())
    assert back.merged == {"m1": 2 * SHARE}
    assert back.cash == led.cash


LIMITS = RiskLimits(
    max_order_notional=500 * USD,
    market_cap_frac=0.05,
    default_category_cap_frac=0.8,
    event_cap_frac=0.08,
    max_orders_per_window=1_000,
)


def order(market: str, asset: str, price: int, shares: int, event: str = "") -> OrderIntent:
    return OrderIntent(
        market, asset, Side.BUY, price, shares * SHARE, "s", "t", category="politics",
        event_id=event,
    )  # fmt: skip


def _filled(rs: RiskState, intent: OrderIntent) -> None:
    assert rs.check_intent(intent, DAY0).passed
    rs.on_fill(
        Fill(f"f{next(_ids)}", "o", intent.market, intent.asset_id, intent.side, intent.price,
             intent.size, 0, Liquidity.MAKER, DAY0),
        DAY0,
    )  # fmt: skip


def test_a_pair_counts_at_its_worst_case_zero() -> None:
    led = Ledger(1_000 * USD)
    led.apply_fill(fill(Side.BUY, 4000, 30, "yes"))
    led.apply_fill(fill(Side.BUY, 5000, 20, "no"))
    # 20 pairs are worth 0 at risk; 10 unpaired YES at the 0.40 mark are 4.00.
    assert netted_values(led, {"yes": 4000, "no": 6000}) == {"yes": 4 * USD, "no": 0}
    # Unmarked: the unpaired YES carried at pro-rata cost, 12.00 * 10/30.
    assert netted_values(led, {}) == {"yes": 4 * USD, "no": 0}


def test_fills_merge_in_the_risk_state_and_free_the_market_cap() -> None:
    rs = RiskState(LIMITS, Ledger(1_000 * USD), DAY0)  # market cap 5% = 50.00
    _filled(rs, order("m1", "yes", 5000, 90))  # 45.00 of YES
    assert rs.check_intent(order("m1", "yes", 5000, 20), DAY0).reason is (
        GateVeto.MARKET_EXPOSURE_CAP
    )
    # A BUY of the complement up to what is held only makes pairs: it passes the caps ...
    _filled(rs, order("m1", "no", 5000, 90))
    # ... and the fill merges the 90 pairs into 90.00 of collateral.
    assert rs.ledger.positions == {}
    assert rs.ledger.merged == {"m1": 90 * SHARE}
    assert rs.ledger.cash == 1_000 * USD
    assert rs.exposure(market="m1") == 0
    assert rs.check_intent(order("m1", "yes", 5000, 20), DAY0).passed


def test_event_groups_are_capped_on_their_worst_case() -> None:
    rs = RiskState(LIMITS, Ledger(1_000 * USD), DAY0)  # event cap 8% = 80.00
    event = "0x" + "ab" * 32
    _filled(rs, order("a", "a-yes", 5000, 90, event))  # 45.00, inside a's market cap
    # b alone is inside its market cap (40.00 < 50.00) but the event would hold 85.00.
    vetoed = rs.check_intent(order("b", "b-yes", 5000, 80, event), DAY0)
    assert vetoed.reason is GateVeto.EVENT_EXPOSURE_CAP
    assert rs.check_intent(order("b", "b-yes", 5000, 60, event), DAY0).passed  # 75.00
    # A market of another event is not in the group.
    assert rs.check_intent(order("c", "c-yes", 5000, 80, "other"), DAY0).passed


def test_event_groups_survive_a_snapshot() -> None:
    rs = RiskState(LIMITS, Ledger(1_000 * USD), DAY0)
    _filled(rs, order("a", "a-yes", 5000, 90, "ev"))
    back = RiskState.restore(rs.snapshot(), LIMITS)
    vetoed = back.check_intent(replace(order("b", "b-yes", 5000, 80), event_id="ev"), DAY0)
    assert vetoed.reason is GateVeto.EVENT_EXPOSURE_CAP
