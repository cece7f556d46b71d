"""Fees and settlement: hand-computed venue examples, exact to the micro."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.fees import maker_fee, taker_fee
from astra.domain.market import FeeSchedule
from astra.domain.settlement import settlement_payout
from astra.domain.trading import Settlement

CRYPTO = FeeSchedule(rate=Decimal("0.07"), exponent=1, taker_only=True, rebate_rate=Decimal("0.2"))


@pytest.mark.parametrize(
    ("fees", "price", "size", "expected"),
    [
        (CRYPTO, 5000, 100_000_000, 1_750_000),  # docs: 100 × 0.07 × 0.25 = 1.75
        (CRYPTO, 500, 100_000_000, 332_500),  # docs: 100 × 0.07 × 0.0475 = 0.3325
        (CRYPTO, 1, 1_000_000, 0),  # 0.0000069993 < 0.00001 -> nothing
        (CRYPTO, 10, 2_000_000, 140),  # 0.00013986 -> 0.00014
        (FeeSchedule(rate=Decimal("0.0001")), 5000, 3_000_000, 80),  # 0.000075 half-up
        (FeeSchedule(rate=Decimal("0.25"), exponent=2), 5000, 100_000_000, 1_562_500),
        (FeeSchedule.free(), 5000, 100_000_000, 0),
    ],
)
def test_taker_fee_matches_venue_formula(
    fees: FeeSchedule, price: int, size: int, expected: int
) -> None:
    assert taker_fee(fees, price, size) == expected


def test_maker_pays_nothing_without_rebate() -> None:
    assert maker_fee(CRYPTO, 5000, 100_000_000, rebate=False) == 0


def test_maker_rebate_is_negative_share_of_taker_fee() -> None:
    assert maker_fee(CRYPTO, 5000, 100_000_000, rebate=True) == -350_000


def test_rebate_rounds_down_to_fee_quantum() -> None:
    fees = FeeSchedule(rate=Decimal("0.07"), rebate_rate=Decimal("0.25"))
    # taker fee 0.00014; 25 % = 0.000035 -> 0.00003 (never overstate the rebate)
    assert maker_fee(fees, 10, 2_000_000, rebate=True) == -30


def test_non_taker_only_schedule_charges_makers() -> None:
    fees = FeeSchedule(rate=Decimal("0.07"), taker_only=False)
    assert maker_fee(fees, 5000, 100_000_000, rebate=True) == 1_750_000


@pytest.mark.parametrize(
    "fees", [FeeSchedule(rate=Decimal("NaN")), FeeSchedule(rate=Decimal("-0.1"))]
)
def test_invalid_schedule_is_refused(fees: FeeSchedule) -> None:
    with pytest.raises(ValueError, match="invalid fee schedule"):
        taker_fee(fees, 5000, 1_000_000)


def test_invalid_price_and_size_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        taker_fee(CRYPTO, 10_001, 1)
    with pytest.raises(ValueError, match="negative"):
        taker_fee(CRYPTO, 5000, -1)


@given(st.integers(0, 10_000), st.integers(0, 10**12))
def test_fee_is_on_quantum_symmetric_and_bounded(price: int, size: int) -> None:
    fee = taker_fee(CRYPTO, price, size)
    assert fee % 10 == 0
    assert fee == taker_fee(CRYPTO, 10_000 - price, size)
    # never more than rate × shares × 0.25 (the curve's peak), plus half a quantum
    assert 0 <= fee <= size * 7 // 400 + 5


SETTLED = Settlement(market="0xabc", winning_asset_id="yes", losing_asset_id="no", ts_ms=1)


def test_settlement_winner_pays_one_per_share() -> None:
    assert settlement_payout("yes", 12_345_678, SETTLED) == 12_345_678


def test_settlement_loser_pays_nothing() -> None:
    assert settlement_payout("no", 12_345_678, SETTLED) == 0


def test_settlement_of_foreign_asset_is_an_error() -> None:
    with pytest.raises(KeyError, match="not a token"):
        settlement_payout("other", 1, SETTLED)
