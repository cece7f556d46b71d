"""Volume-bucketed VPIN: hand-computed buckets, boundary splits, bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.prices import Side
from astra.domain.vpin import Vpin


def test_neutral_before_first_bucket() -> None:
    vpin = Vpin(bucket_volume=100, n_buckets=3)
    vpin.add(99, Side.BUY)
    assert vpin.full_buckets == 0
    assert vpin.value() == 0.0


def test_trade_split_across_bucket_boundary() -> None:
    vpin = Vpin(bucket_volume=100, n_buckets=3)
    vpin.add(60, Side.BUY)
    vpin.add(80, Side.SELL)  # 40 closes bucket 1 (60 buy / 40 sell), 40 opens bucket 2
    assert vpin.full_buckets == 1
    assert vpin.value() == pytest.approx(20 / 100)
    vpin.add(60, Side.SELL)  # bucket 2: 0 buy / 100 sell
    assert vpin.full_buckets == 2
    assert vpin.value() == pytest.approx((20 + 100) / 200)


def test_rolls_over_last_n_buckets() -> None:
    vpin = Vpin(bucket_volume=10, n_buckets=2)
    vpin.add(10, Side.BUY)  # imbalance 10
    vpin.add(5, Side.BUY)
    vpin.add(5, Side.SELL)  # imbalance 0
    vpin.add(10, Side.SELL)  # imbalance 10, the first bucket rolls out
    assert vpin.full_buckets == 2
    assert vpin.value() == pytest.approx(10 / 20)


def test_one_huge_trade_fills_many_buckets() -> None:
    vpin = Vpin(bucket_volume=10, n_buckets=4)
    vpin.add(95, Side.BUY)
    assert vpin.full_buckets == 4
    assert vpin.value() == 1.0


def test_invalid_parameters_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        Vpin(0, 1)
    with pytest.raises(ValueError, match="negative"):
        Vpin(1, 1).add(-1, Side.BUY)


@given(
    st.integers(1, 500),
    st.integers(1, 20),
    st.lists(st.tuples(st.integers(0, 2000), st.sampled_from(list(Side))), max_size=80),
)
def test_vpin_stays_in_unit_interval(bucket: int, n: int, trades: list[tuple[int, Side]]) -> None:
    vpin = Vpin(bucket, n)
    total = 0
    for size, side in trades:
        vpin.add(size, side)
        total += size
        assert 0.0 <= vpin.value() <= 1.0
        assert vpin.full_buckets == min(n, total // bucket)
