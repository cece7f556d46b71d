"""Ledger: exact cash, cost, fees, P&L, settlement; recomputation and cash-movement properties."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.ledger import EntryKind, Ledger, LedgerError, buy_cost, sell_proceeds
from astra.domain.prices import Side
from astra.domain.trading import Fill, Liquidity, Settlement

USD = 1_000_000
SHARE = 1_000_000
_counter = iter(range(10**9))


def fill(
    side: Side,
    price: int,
    size: int,
    fee: int = 0,
    asset: str = "yes",
    market: str = "m1",
    fill_id: str | None = None,
) -> Fill:
    fid = fill_id or f"f{next(_counter)}"
    return Fill(fid, "o1", market, asset, side, price, size, fee, Liquidity.MAKER, 1_000)


def test_buy_then_partial_sell_books_cost_fees_and_realised_pnl() -> None:
    led = Ledger(100 * USD)
    led.apply_fill(fill(Side.BUY, 4000, 10 * SHARE, fee=20_000))
    pos = led.position("yes")
    assert pos is not None
    assert (pos.size, pos.cost) == (10 * SHARE, 4 * USD)
    assert pos.avg_price == Fraction(4, 10)
    assert led.cash == 100 * USD - 4 * USD - 20_000
    led.apply_fill(fill(Side.SELL, 5000, 4 * SHARE))
    pos = led.position("yes")
    assert pos is not None
    assert (pos.size, pos.cost) == (6 * SHARE, 2_400_000)
    assert led.realized == 2 * USD - 1_600_000
    assert led.fees_paid == 20_000
    assert led.realized_net() == 400_000 - 20_000
    assert led.equity({"yes": 5000}) == led.cash + 3 * USD
    assert led.unrealized({"yes": 5000}) == 3 * USD - 2_400_000


def test_rounding_is_conservative_and_exact() -> None:
    assert buy_cost(3333, 3) == 1  # 0.9999 micro rounds up against us
    assert sell_proceeds(3333, 3) == 0
    led = Ledger(USD)
    led.apply_fill(fill(Side.BUY, 3333, 3))
    assert led.cash == USD - 1


def test_maker_rebate_is_a_negative_fee_that_adds_cash() -> None:
    led = Ledger(USD)
    led.apply_fill(fill(Side.BUY, 5000, SHARE, fee=-350))
    assert led.cash == USD - 500_000 + 350
    assert [e.kind for e in led.entries] == [EntryKind.FILL, EntryKind.FEE]


def test_full_close_removes_all_cost() -> None:
    led = Ledger(USD)
    led.apply_fill(fill(Side.BUY, 3333, 7))
    led.apply_fill(fill(Side.SELL, 3333, 3))
    led.apply_fill(fill(Side.SELL, 3333, 4))
    assert led.position("yes") is None
    assert led.equity({}) == led.initial_cash + led.realized - led.fees_paid


def test_duplicate_fill_id_is_ignored() -> None:
    led = Ledger(USD)
    f = fill(Side.BUY, 5000, SHARE, fill_id="dup")
    assert len(led.apply_fill(f)) == 1
    assert led.apply_fill(f) == ()
    assert led.cash == USD // 2


def test_refusals() -> None:
    led = Ledger(USD)
    with pytest.raises(LedgerError, match="selling"):
        led.apply_fill(fill(Side.SELL, 5000, SHARE))
    with pytest.raises(LedgerError, match="out of range"):
        led.apply_fill(fill(Side.BUY, 0, SHARE))
    with pytest.raises(LedgerError, match="must be int"):
        led.apply_fill(fill(Side.BUY, 5000, 1.5))  # type: ignore[arg-type]
    led.apply_fill(fill(Side.BUY, 5000, SHARE))
    with pytest.raises(LedgerError, match="belongs to"):
        led.apply_fill(fill(Side.BUY, 5000, SHARE, market="m2"))
    led.settle(Settlement("m1", "yes", "no", 2_000))
    with pytest.raises(LedgerError, match="already settled"):
        led.apply_fill(fill(Side.BUY, 5000, SHARE))
    assert led.cash == USD // 2 + SHARE


def test_settlement_pays_winners_and_zeroes_losers_once() -> None:
    led = Ledger(10 * USD)
    led.apply_fill(fill(Side.BUY, 3000, 5 * SHARE, asset="yes"))
    led.apply_fill(fill(Side.BUY, 6000, 2 * SHARE, asset="no"))
    entries = led.settle(Settlement("m1", "yes", "no", 5_000))
    assert {(e.asset_id, e.amount) for e in entries} == {("yes", 5 * USD), ("no", 0)}
    assert led.cash == 10 * USD - 1_500_000 - 1_200_000 + 5 * USD
    assert led.realized == 3_500_000 - 1_200_000
    assert led.positions == {}
    assert led.settle(Settlement("m1", "yes", "no", 6_000)) == ()
    assert led.is_settled("m1")


def test_conservative_equity_marks_longs_at_the_bid() -> None:
    led = Ledger(USD)
    led.apply_fill(fill(Side.BUY, 5000, SHARE))
    assert led.equity({"yes": 5200}) == USD // 2 + 520_000
    assert led.conservative_equity({"yes": 5100}) == USD // 2 + 510_000
    assert led.conservative_equity({}) == USD // 2  # no bid: worth nothing
    assert led.equity({}) == USD  # no mid: carried at cost


def test_snapshot_round_trips_through_json() -> None:
    led = Ledger(10 * USD)
    led.apply_fill(fill(Side.BUY, 3000, 5 * SHARE, fee=100, fill_id="a"))
    led.settle(Settlement("m0", "x", "y", 1))
    back = Ledger.restore(json.loads(json.dumps(led.snapshot())))
    assert back.snapshot() == led.snapshot()
    assert back.apply_fill(fill(Side.BUY, 3000, 5 * SHARE, fill_id="a")) == ()
    assert back.equity({"yes": 4000}) == led.equity({"yes": 4000})


# ---- independent recomputation and the cash-movement invariant ----


@dataclass
class Reference:
    """A deliberately naive recomputation: totals only, no ledger code."""

    cash: int
    sizes: dict[str, int] = field(default_factory=dict)


ASSETS = {
    "a_yes": ("A", "a_no"),
    "a_no": ("A", "a_yes"),
    "b_yes": ("B", "b_no"),
    "b_no": ("B", "b_yes"),
}
op = st.one_of(
    st.tuples(
        st.just("buy"),
        st.sampled_from(sorted(ASSETS)),
        st.integers(1, 9999),
        st.integers(1, 10**9),
        st.integers(-1000, 10**5),
    ),
    st.tuples(
        st.just("sell"),
        st.sampled_from(sorted(ASSETS)),
        st.integers(1, 9999),
        st.floats(0.01, 1.0),
        st.integers(0, 10**5),
    ),
    st.tuples(
        st.just("settle"), st.sampled_from(sorted(ASSETS)), st.just(0), st.just(0), st.just(0)
    ),
)


def _apply(led: Ledger, ref: Reference, settled: set[str], step: tuple[object, ...]) -> None:
    kind, asset, price, amount, fee = step
    assert isinstance(asset, str)
    assert isinstance(price, int)
    assert isinstance(fee, int)
    market, other = ASSETS[asset]
    if market in settled:
        return
    if kind == "settle":
        led.settle(Settlement(market, asset, other, 9))
        ref.cash += ref.sizes.pop(asset, 0)  # 1 collateral per share, in micros
        ref.sizes.pop(other, None)
        settled.add(market)
        return
    if kind == "buy":
        assert isinstance(amount, int)
        led.apply_fill(fill(Side.BUY, price, amount, fee, asset, market))
        ref.cash -= -((-price * amount) // 10_000) + fee
        ref.sizes[asset] = ref.sizes.get(asset, 0) + amount
        return
    assert isinstance(amount, float)
    size = int(ref.sizes.get(asset, 0) * amount)
    if size <= 0:
        return
    led.apply_fill(fill(Side.SELL, price, size, fee, asset, market))
    ref.cash += (price * size) // 10_000 - fee
    ref.sizes[asset] -= size


@settings(max_examples=200, deadline=None)
@given(
    st.lists(op, max_size=40),
    st.dictionaries(st.sampled_from(sorted(ASSETS)), st.integers(0, 10_000)),
)
def test_equity_matches_an_independent_recomputation(
    steps: list[tuple[object, ...]], marks: dict[str, int]
) -> None:
    led = Ledger(1_000 * USD)
    ref = Reference(cash=1_000 * USD)
    settled: set[str] = set()
    for step in steps:
        _apply(led, ref, settled, step)
        # cash never moves without a fill, fee or settlement entry
        assert led.cash == led.base_cash + sum(e.amount for e in led.entries)
        assert all(e.kind in set(EntryKind) for e in led.entries)
        after = led.cash
        led.equity(marks)
        led.conservative_equity(marks)
        led.snapshot()
        assert led.cash == after == ref.cash  # reading never moves cash
    full_marks = {a: marks.get(a, 5000) for a in ASSETS}
    expected = ref.cash + sum((full_marks[a] * s) // 10_000 for a, s in ref.sizes.items() if s)
    assert led.equity(full_marks) == expected
    assert led.equity(full_marks) == (
        led.initial_cash + led.realized - led.fees_paid + led.unrealized(full_marks)
    )
    restored = Ledger.restore(json.loads(json.dumps(led.snapshot())))
    assert restored.equity(full_marks) == expected


# ---- the seed's portfolio defects (seed_spec §2.3, §5.1 B-2, §5.4 B-44) ----


def test_defect_cash_reset_on_every_start() -> None:
    """Seed §2.3 / B-2: "`cash = BANKROLL (5000)` and `invested = 0` **on every start**,
    whatever the open positions are." A restore keeps cash and positions together."""
    led = Ledger(5_000 * USD)
    led.apply_fill(fill(Side.BUY, 5000, 100 * SHARE))
    back = Ledger.restore(led.snapshot())
    assert back.cash == 4_950 * USD
    assert back.position("yes") == led.position("yes")
    assert back.equity({"yes": 5000}) == 5_000 * USD


def test_defect_stake_never_returned_to_cash() -> None:
    """Seed §5.1 B-2: "Every resolution therefore goes through 'disappeared for ≥ 4 h' ...
    There is no outcome, no P&L, and **the stake is never returned to cash**." """
    led = Ledger(100 * USD)
    led.apply_fill(fill(Side.BUY, 4000, 50 * SHARE))
    led.settle(Settlement("m1", "yes", "no", 10))
    assert led.cash == 100 * USD - 20 * USD + 50 * USD
    assert led.realized == 30 * USD


def test_defect_outcome_guessed_from_last_price() -> None:
    """Seed §5.1 B-2: "the outcome is guessed from the last price (`yes_price ≥ 0.5`) ... not
    taken from the venue's resolution." The payout follows the Settlement only."""
    led = Ledger(100 * USD)
    led.apply_fill(fill(Side.BUY, 9000, 10 * SHARE))
    assert led.equity({"yes": 9900}) > led.initial_cash  # the market "looked" like a YES
    led.settle(Settlement("m1", "no", "yes", 10))
    assert led.cash == 100 * USD - 9 * USD


def test_defect_instant_fill_without_fee() -> None:
    """Seed §2.3: "fill **instantly at the Gamma outcome price**, with no spread, fee or
    slippage." The ledger books exactly the fill's price and fee."""
    led = Ledger(100 * USD)
    led.apply_fill(fill(Side.BUY, 5100, 10 * SHARE, fee=175_000))
    assert led.cash == 100 * USD - 5_100_000 - 175_000
    assert led.fees_paid == 175_000


def test_defect_unreadable_portfolio_starts_empty() -> None:
    """Seed §5.4 B-44: "An unreadable positions file silently starts an empty portfolio."
    A malformed snapshot is an error."""
    good = Ledger(USD).snapshot()
    for broken in ({}, {**good, "cash": "1"}, {**good, "positions": [{"market": "m"}]}):
        with pytest.raises(LedgerError):
            Ledger.restore(broken)
