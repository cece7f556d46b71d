"""Cross-venue gaps, hand-computed (pips in, micro-USD out)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from astra.domain.cross_venue import VenueQuote, gaps, kalshi_taker_fee
from astra.domain.market import FeeSchedule

NEWSOM = FeeSchedule(rate=Decimal("0.04"), exponent=1)


def test_kalshi_fee_rounds_up_to_the_cent() -> None:
    rate = Decimal("0.07")
    assert kalshi_taker_fee(rate, 5000, 100) == 1_750_000  # 0.07 × 100 × 0.25 = 1.75
    assert kalshi_taker_fee(rate, 5000, 1) == 20_000  # 0.0175 -> 0.02
    assert kalshi_taker_fee(rate, 100, 1) == 10_000  # 0.000693 -> 0.01
    assert kalshi_taker_fee(Decimal(0), 5000, 1) == 0
    with pytest.raises(ValueError, match="out of range"):
        kalshi_taker_fee(rate, 10_001, 1)


def test_both_directions_after_both_fees() -> None:
    pm = VenueQuote(yes_bid=4000, yes_ask=4100)
    kalshi = VenueQuote(yes_bid=4200, yes_ask=4500)
    first, second = gaps(pm, NEWSOM, kalshi)
    # PM YES 0.41 (fee 0.04 × 0.41 × 0.59 = 0.009676 -> 0.00968) + Kalshi NO 0.58 (0.02).
    assert first.direction == "buy_pm_yes_kalshi_no"
    assert (first.pm_price, first.kalshi_price) == (4100, 5800)
    assert first.fees == 9_680 + 20_000
    assert first.gap == 1_000_000 - 990_000 - 29_680
    # Kalshi YES 0.45 (0.02) + PM NO 0.60 (0.04 × 0.6 × 0.4 = 0.0096).
    assert second.direction == "buy_kalshi_yes_pm_no"
    assert second.gap == 1_000_000 - 1_050_000 - 29_600


def test_a_real_gap_and_a_one_sided_book() -> None:
    [gap] = gaps(VenueQuote(None, 4000), FeeSchedule.free(), VenueQuote(5000, None))
    # PM YES 0.40 + Kalshi NO 0.50 = 0.90; Kalshi fee at 0.50 is 0.02.
    assert gap.gap == 100_000 - 20_000
    assert gaps(VenueQuote(None, None), FeeSchedule.free(), VenueQuote(5000, 5100)) == []
