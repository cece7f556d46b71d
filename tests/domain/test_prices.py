"""Exact ticks: every cent price on every grid, and rounding never crosses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.prices import (
    ONE,
    PriceError,
    Side,
    Tick,
    complement,
    format_price,
    in_bounds,
    on_grid,
    round_decimal_to_tick,
    round_float_to_tick,
    round_to_tick,
    to_micros,
    to_pips,
)

CENTS = [f"0.{c:02d}" for c in range(1, 100)]


@pytest.mark.parametrize("tick", list(Tick))
@pytest.mark.parametrize("side", list(Side))
def test_every_cent_price_rounds_correctly_on_every_grid(tick: Tick, side: Side) -> None:
    # The original mis-rounded 10 of these 99 (0.29 -> 0.28, 0.07 -> 0.08, ...).
    for text in CENTS:
        pips = to_pips(text)
        rounded = round_to_tick(pips, tick, side)
        exact = Decimal(text) / tick.decimal
        if exact == exact.to_integral_value():
            assert rounded == pips, (text, tick, side)
        elif side is Side.BUY:
            assert rounded < pips < rounded + tick.pips
        else:
            assert rounded - tick.pips < pips < rounded
        assert on_grid(rounded, tick)
        assert round_decimal_to_tick(Decimal(text), tick, side) == rounded


@pytest.mark.parametrize(("text", "pips"), [("0.29", 2900), ("0.57", 5700), ("0.58", 5800)])
def test_original_float_traps_are_exact(text: str, pips: int) -> None:
    assert round_to_tick(to_pips(text), Tick.T0_01, Side.BUY) == pips
    assert round_to_tick(to_pips(text), Tick.T0_01, Side.SELL) == pips
    assert format_price(pips, Tick.T0_01) == text


@given(
    tick=st.sampled_from(list(Tick)),
    raw=st.integers(1, ONE - 1),
    ask_steps=st.integers(1, 9_999),
    bid_steps=st.integers(1, 9_999),
)
def test_rounded_order_never_reaches_the_opposite_touch(
    tick: Tick, raw: int, ask_steps: int, bid_steps: int
) -> None:
    best_ask = (ask_steps * tick.pips) % ONE or tick.pips
    best_bid = (bid_steps * tick.pips) % ONE or tick.pips
    buy = round_to_tick(raw, tick, Side.BUY)
    sell = round_to_tick(raw, tick, Side.SELL)
    # A price strictly inside the spread stays strictly inside after rounding.
    if raw < best_ask:
        assert buy < best_ask
    if raw > best_bid:
        assert sell > best_bid
    assert on_grid(buy, tick)
    assert on_grid(sell, tick)
    assert 0 <= raw - buy < tick.pips
    assert 0 <= sell - raw < tick.pips


@given(st.sampled_from(list(Tick)), st.integers(-(10**6), 10**6))
def test_in_bounds_is_one_tick_from_each_edge(tick: Tick, pips: int) -> None:
    assert in_bounds(pips, tick) == (tick.pips <= pips <= ONE - tick.pips)
    assert complement(complement(pips)) == pips


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "0.00001", "abc"])
def test_bad_prices_are_refused(bad: str) -> None:
    with pytest.raises(PriceError):
        to_pips(bad)


def test_sizes_are_exact_micros() -> None:
    assert to_micros("3793.8") == 3_793_800_000
    assert to_micros("0.000001") == 1
    with pytest.raises(PriceError):
        to_micros("0.0000001")
    with pytest.raises(PriceError):
        to_micros("-1")


@pytest.mark.parametrize("tick", list(Tick))
def test_tick_round_trips_through_its_text(tick: Tick) -> None:
    assert Tick.parse(str(tick)) is tick


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-2.0, max_value=2.0)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-(10**6), 10**6).map(lambda n: n / 10**4),
    st.sampled_from(list(Tick)),
    st.sampled_from(list(Side)),
)
def test_float_rounding_equals_the_decimal_route(price: float, tick: Tick, side: Side) -> None:
    """The integer route gives exactly what the Decimal of the float's repr gives, for every
    float (prices on and off the grid, exponent reprs, huge and tiny magnitudes)."""
    want = round_decimal_to_tick(Decimal(repr(price)), tick, side)
    assert round_float_to_tick(price, tick, side) == want


@pytest.mark.parametrize("price", [float("nan"), float("inf"), float("-inf")])
def test_float_rounding_refuses_non_finite(price: float) -> None:
    with pytest.raises(PriceError):
        round_float_to_tick(price, Tick.T0_01, Side.BUY)
