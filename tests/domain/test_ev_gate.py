"""EV gate: conservative bound, frictions from the fee schedule, fail-closed validation."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.ev_gate import EvConfig, EvResult, ev_gate
from astra.domain.fees import taker_fee
from astra.domain.frictions import BookContext, FrictionConfig
from astra.domain.market import FeeSchedule
from astra.domain.prices import Side, Tick
from astra.domain.reasons import GateVeto
from astra.domain.trading import Liquidity

CRYPTO = FeeSchedule(rate=Decimal("0.07"), exponent=1, taker_only=True, rebate_rate=Decimal("0.2"))
BOOK = BookContext(spread_ticks=2, tick=Tick.T0_01, depth_micros=5_000_000_000)
CFG = EvConfig()
SHARES_50 = 50_000_000


def gate(**overrides: Any) -> EvResult:
    args: dict[str, Any] = {
        "p_low": 0.75,
        "p_high": 0.80,
        "side": Side.BUY,
        "price_pips": 6000,
        "size_micros": SHARES_50,
        "book": BOOK,
        "toxicity": 0.0,
        "fees": FeeSchedule.free(),
        "config": CFG,
    }
    args.update(overrides)
    return ev_gate(**args)


def test_worked_example_buy() -> None:
    r = gate()
    assert r.passed
    assert r.frictions is not None
    assert r.ev_gross == pytest.approx(0.15)
    # half spread 0.01 × 0.5 + 0.01 × (50 / 5000) ; adverse 0.002
    assert r.frictions.slippage == pytest.approx(0.005 + 0.0001)
    assert r.frictions.adverse == pytest.approx(0.002)
    assert r.ev_lower == pytest.approx(0.15 - 0.0071)
    assert r.as_dict()["reason"] is None


def test_below_threshold_is_a_named_veto_with_the_numbers() -> None:
    r = gate(p_low=0.60, p_high=0.62)
    assert not r.passed
    assert r.verdict.reason == GateVeto.EV_BELOW_THRESHOLD
    assert r.verdict.reason == "ev_below_threshold"
    assert r.ev_lower is not None
    assert r.ev_lower < 0


def test_threshold_is_strict() -> None:
    base = gate(p_low=0.70)
    assert base.ev_lower is not None
    at = gate(p_low=0.70, config=EvConfig(threshold=base.ev_lower))
    assert not at.passed


def test_sell_uses_p_high() -> None:
    r = gate(side=Side.SELL, price_pips=7000, p_low=0.10, p_high=0.60)
    assert r.ev_gross == pytest.approx(0.10)
    assert r.passed
    changed_low = gate(side=Side.SELL, price_pips=7000, p_low=0.0, p_high=0.60)
    assert changed_low.ev_lower == r.ev_lower


def test_taker_fee_comes_from_the_schedule_and_maker_pays_nothing() -> None:
    maker = gate(fees=CRYPTO, liquidity=Liquidity.MAKER)
    taker = gate(fees=CRYPTO, liquidity=Liquidity.TAKER)
    assert maker.frictions is not None
    assert taker.frictions is not None
    assert maker.frictions.fee == 0.0
    assert taker.frictions.fee_micros == taker_fee(CRYPTO, 6000, SHARES_50)
    assert taker.frictions.fee == pytest.approx(0.07 * 0.6 * 0.4)
    assert taker.ev_lower is not None
    assert maker.ev_lower is not None
    assert taker.ev_lower == pytest.approx(maker.ev_lower - 0.07 * 0.24)


def test_non_taker_only_schedule_charges_makers() -> None:
    both = replace(CRYPTO, taker_only=False)
    r = gate(fees=both, liquidity=Liquidity.MAKER)
    assert r.frictions is not None
    assert r.frictions.fee > 0


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"p_low": math.nan}, GateVeto.NON_FINITE_INPUT),
        ({"p_high": math.inf}, GateVeto.NON_FINITE_INPUT),
        ({"toxicity": math.nan}, GateVeto.NON_FINITE_INPUT),
        ({"size_micros": math.nan}, GateVeto.NON_FINITE_INPUT),
        ({"price_pips": math.inf}, GateVeto.NON_FINITE_INPUT),
        ({"book": BookContext(math.nan, Tick.T0_01, 10)}, GateVeto.NON_FINITE_INPUT),  # type: ignore[arg-type]
        ({"book": BookContext(1, Tick.T0_01, math.nan)}, GateVeto.NON_FINITE_INPUT),  # type: ignore[arg-type]
        ({"fees": FeeSchedule(rate=Decimal("NaN"))}, GateVeto.NON_FINITE_INPUT),
        ({"p_low": 0.9, "p_high": 0.8}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"p_low": -0.1}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"p_high": 1.1}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"price_pips": 0}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"price_pips": 10_000}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"price_pips": 6000.5}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"size_micros": 0}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"size_micros": -5}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"toxicity": 1.5}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"toxicity": True}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"side": "BUY_YES"}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"book": BookContext(-1, Tick.T0_01, 10)}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"fees": FeeSchedule(rate=Decimal("-0.1"))}, GateVeto.OUT_OF_RANGE_INPUT),
        ({"book": BookContext(1, Tick.T0_01, 0)}, GateVeto.NO_DEPTH),
    ],
)
def test_bad_inputs_are_named_vetoes(overrides: dict[str, Any], reason: GateVeto) -> None:
    r = gate(**overrides)
    assert not r.passed
    assert r.verdict.reason == reason
    assert r.ev_lower is None
    assert r.frictions is None


probs = st.floats(min_value=0.0, max_value=1.0)
prices = st.integers(min_value=1, max_value=9_999)
sizes = st.integers(min_value=1, max_value=10**12)
depths = st.integers(min_value=1, max_value=10**13)
tox = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=300, deadline=None)
@given(probs, probs, st.sampled_from(list(Side)), prices, sizes, depths, tox, tox)
def test_frictions_only_lower_ev_and_toxicity_is_monotone(
    a: float, b: float, side: Side, price: int, size: int, depth: int, t1: float, t2: float
) -> None:
    lo, hi = min(a, b), max(a, b)
    book = BookContext(3, Tick.T0_001, depth)
    low_tox, high_tox = min(t1, t2), max(t1, t2)
    r1 = gate(p_low=lo, p_high=hi, side=side, price_pips=price, size_micros=size, book=book,
              toxicity=low_tox, fees=CRYPTO, liquidity=Liquidity.TAKER)  # fmt: skip
    r2 = gate(p_low=lo, p_high=hi, side=side, price_pips=price, size_micros=size, book=book,
              toxicity=high_tox, fees=CRYPTO, liquidity=Liquidity.TAKER)  # fmt: skip
    assert r1.ev_lower is not None
    assert r1.ev_gross is not None
    assert r2.ev_lower is not None
    assert r1.ev_lower <= r1.ev_gross
    assert r2.ev_lower <= r1.ev_lower
    assert r1.passed == (r1.ev_lower > CFG.threshold)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["p_low", "p_high", "toxicity", "size_micros", "price_pips"]),
       st.sampled_from([math.nan, math.inf, -math.inf]))  # fmt: skip
def test_no_non_finite_input_is_ever_approved(field: str, bad: float) -> None:
    r = gate(**{field: bad})
    assert not r.passed
    assert r.verdict.reason == GateVeto.NON_FINITE_INPUT


# ---- the seed's EV gate defects (seed_spec §1.24, §1.29, §5.3 B-7, B-9, §5.8 B-35) ----


def test_defect_nan_input_approved() -> None:
    """Seed §1.24: "Any NaN in size, depth, spread, fee or toxicity makes EV_net NaN. NaN ≤
    threshold is false, so the gate **approves** with reason `ev_ok: maker_only`."""
    for overrides in (
        {"size_micros": math.nan},
        {"book": BookContext(1, Tick.T0_01, math.nan)},  # type: ignore[arg-type]
        {"book": BookContext(math.nan, Tick.T0_01, 10**9)},  # type: ignore[arg-type]
        {"fees": FeeSchedule(rate=Decimal("NaN"))},
        {"toxicity": math.nan},
    ):
        r = gate(**overrides)
        assert not r.passed
        assert r.verdict.reason == "non_finite_input"


def test_defect_negative_size_or_spread_raises_ev() -> None:
    """Seed §1.24: "A negative size or spread makes slippage negative and raises EV." """
    assert gate(size_micros=-SHARES_50).verdict.reason == GateVeto.OUT_OF_RANGE_INPUT
    bad_book = BookContext(-5, Tick.T0_01, BOOK.depth_micros)
    assert gate(book=bad_book).verdict.reason == GateVeto.OUT_OF_RANGE_INPUT


def test_defect_flat_fee_not_scaled_by_price() -> None:
    """Seed §5.3 B-7: "The fee is a flat 0.02 probability points regardless of price ...
    Polymarket fees scale with" the price. Ours follows rate·p(1−p)."""
    cheap = gate(price_pips=500, p_low=0.2, p_high=0.3, fees=CRYPTO, liquidity=Liquidity.TAKER)
    mid = gate(price_pips=5000, p_low=0.7, p_high=0.8, fees=CRYPTO, liquidity=Liquidity.TAKER)
    assert cheap.frictions is not None
    assert mid.frictions is not None
    assert cheap.frictions.fee == pytest.approx(0.07 * 0.05 * 0.95)
    assert mid.frictions.fee == pytest.approx(0.07 * 0.25)


def test_defect_maker_charged_the_flat_fee() -> None:
    """Seed §1.35: "Maker orders are fee-free in the simulator but are still charged 2% in the
    EV gate." A post-only order on a taker-only schedule models no fee."""
    r = gate(fees=CRYPTO)
    assert r.frictions is not None
    assert r.frictions.fee == 0.0
    assert r.frictions.fee_micros == 0


def test_defect_spread_relative_to_mid_added_as_points() -> None:
    """Seed §5.3 B-7: "`spread_frac` is relative to mid but is added as absolute probability
    points." A one-tick spread costs the same price units at 0.05 as at 0.50."""
    book = BookContext(1, Tick.T0_01, BOOK.depth_micros)
    cheap = gate(price_pips=500, p_low=0.2, p_high=0.3, book=book)
    mid = gate(price_pips=5000, p_low=0.7, p_high=0.8, book=book)
    assert cheap.frictions is not None
    assert mid.frictions is not None
    assert cheap.frictions.slippage == pytest.approx(mid.frictions.slippage)


def test_defect_depth_floor_raises_thin_books() -> None:
    """Seed §1.24: "Depth clamp: D = max(D, D_floor). **This raises a thin book's depth to
    $100**, which understates slippage." No depth is a veto; thin depth costs more."""
    assert gate(book=BookContext(2, Tick.T0_01, 0)).verdict.reason == GateVeto.NO_DEPTH
    thin = gate(book=BookContext(2, Tick.T0_01, 1_000_000))
    deep = gate(book=BookContext(2, Tick.T0_01, 100_000_000))
    assert thin.frictions is not None
    assert deep.frictions is not None
    assert thin.frictions.slippage - deep.frictions.slippage == pytest.approx(0.01 * (50 - 0.5))


def test_defect_depth_fallback_was_optimistic() -> None:
    """Seed §1.29 / B-9: "The depth fallback is Gamma liquidity or **$5000** ... so it fails
    open." A missing depth (0) never becomes a default depth here."""
    r = gate(book=BookContext(2, Tick.T0_01, 0), p_low=0.99, p_high=0.99)
    assert not r.passed
    assert r.verdict.reason == "no_depth"


def test_defect_only_buy_yes_considered() -> None:
    """Seed §1.29: "The side is **always BUY_YES**; BUY_NO is never considered." Both sides
    are gated with their own conservative bound."""
    buy = gate(side=Side.BUY, price_pips=4000, p_low=0.5, p_high=0.9)
    sell = gate(side=Side.SELL, price_pips=4000, p_low=0.5, p_high=0.9)
    assert buy.passed
    assert not sell.passed
    assert sell.ev_gross == pytest.approx(0.4 - 0.9)


def test_defect_high_toxicity_test_asserted_nothing() -> None:
    """Seed §5.8 B-35: "`test_high_toxicity_raises_buffer` asserts **only if both results are
    non-null**. Both are null (verified), so it **asserts nothing**." This one always asserts."""
    calm = gate(toxicity=0.0)
    toxic = gate(toxicity=1.0)
    assert calm.frictions is not None
    assert toxic.frictions is not None
    assert toxic.frictions.adverse == pytest.approx(2 * calm.frictions.adverse)
    assert calm.ev_lower is not None
    assert toxic.ev_lower is not None
    assert toxic.ev_lower < calm.ev_lower


def test_friction_config_rejects_negative_or_non_finite() -> None:
    with pytest.raises(ValueError, match="k_spread"):
        FrictionConfig(k_spread=-1.0)
    with pytest.raises(ValueError, match="base_buffer"):
        FrictionConfig(base_buffer=math.nan)
    with pytest.raises(ValueError, match="threshold"):
        EvConfig(threshold=math.nan)
