"""VPIN with trades spanning many buckets: the same value as bucket-by-bucket, in O(n_buckets).

`Vpin.add` looped once per bucket: a `"size":"1e400"`-scale trade never returned (the market
thread spun and trading stayed halted). The reference below is the old loop, fed only sizes
it can finish.
"""

from __future__ import annotations

import subprocess
import sys
from collections import deque

from hypothesis import given
from hypothesis import strategies as st

from astra.domain.prices import Side
from astra.domain.vpin import Vpin


class _BucketByBucket:
    """The old per-bucket loop, as the specification of the value."""

    def __init__(self, bucket_volume: int, n_buckets: int) -> None:
        self.bucket_volume, self.n_buckets = bucket_volume, n_buckets
        self.buckets: deque[int] = deque(maxlen=n_buckets)
        self.buy = self.sell = 0

    def add(self, size: int, side: Side) -> None:
        remaining = size
        while remaining > 0:
            room = self.bucket_volume - self.buy - self.sell
            take = min(room, remaining)
            if side is Side.BUY:
                self.buy += take
            else:
                self.sell += take
            remaining -= take
            if take == room:
                self.buckets.append(abs(self.buy - self.sell))
                self.buy = self.sell = 0

    def value(self) -> float:
        if not self.buckets:
            return 0.0
        return sum(self.buckets) / (len(self.buckets) * self.bucket_volume)


@given(
    bucket=st.integers(1, 50),
    n=st.integers(1, 6),
    trades=st.lists(st.tuples(st.integers(0, 400), st.sampled_from(Side)), max_size=40),
)
def test_same_value_as_bucket_by_bucket(
    bucket: int, n: int, trades: list[tuple[int, Side]]
) -> None:
    fast, slow = Vpin(bucket, n), _BucketByBucket(bucket, n)
    for size, side in trades:
        fast.add(size, side)
        slow.add(size, side)
        assert fast.value() == slow.value()
        assert fast.full_buckets == len(slow.buckets)


def test_a_huge_trade_returns_at_once_with_a_one_sided_window() -> None:
    # In a child process so that the old per-bucket loop (which never ends) can be killed.
    code = (
        "import time; from astra.domain.vpin import Vpin; from astra.domain.prices import Side\n"
        "v = Vpin(1_000_000, 50); v.add(300_000, Side.SELL); t = time.monotonic()\n"
        "v.add(10**400 * 10**6, Side.BUY)\n"
        "print(v.value(), v.full_buckets, time.monotonic() - t < 0.5)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=True
    )
    # every bucket left in the window is all buys; the first one (0.3 sold) has rolled out
    assert done.stdout.split() == ["1.0", "50", "True"]
