"""Volume-synchronised probability of informed trading (VPIN), volume-bucketed.

Trades fill equal-volume buckets in arrival order; a trade that overflows a bucket is
split across the boundary. Each full bucket contributes |buy volume - sell volume|, and
VPIN is the mean of that imbalance over the last `n_buckets` full buckets divided by the
bucket volume, so it lies in [0, 1]. Volumes are integer micro-shares and the running
sum is an integer, so each update is O(1) and the value is exact until the final division.
"""

from __future__ import annotations

from collections import deque

from astra.domain.prices import Side


class Vpin:
    """Rolling VPIN over the last `n_buckets` buckets of `bucket_volume` micro-shares."""

    __slots__ = ("_buckets", "_buy", "_imbalance_sum", "_sell", "bucket_volume", "n_buckets")

    def __init__(self, bucket_volume: int, n_buckets: int) -> None:
        if bucket_volume <= 0 or n_buckets <= 0:
            raise ValueError("VPIN needs a positive bucket volume and bucket count")
        self.bucket_volume = bucket_volume
        self.n_buckets = n_buckets
        self._buckets: deque[int] = deque()
        self._imbalance_sum = 0
        self._buy = 0
        self._sell = 0

    def add(self, size: int, taker_side: Side) -> None:
        """Add one trade of `size` micro-shares whose taker bought (BUY) or sold (SELL)."""
        if size < 0:
            raise ValueError(f"trade size {size} is negative")
        remaining = size
        while remaining > 0:
            room = self.bucket_volume - self._buy - self._sell
            take = min(room, remaining)
            if taker_side is Side.BUY:
                self._buy += take
            else:
                self._sell += take
            remaining -= take
            if take == room:
                self._close_bucket()

    def _close_bucket(self) -> None:
        imbalance = abs(self._buy - self._sell)
        self._buckets.append(imbalance)
        self._imbalance_sum += imbalance
        if len(self._buckets) > self.n_buckets:
            self._imbalance_sum -= self._buckets.popleft()
        self._buy = 0
        self._sell = 0

    @property
    def full_buckets(self) -> int:
        return len(self._buckets)

    def value(self) -> float:
        """VPIN in [0, 1]; 0.0 (neutral) before the first full bucket."""
        if not self._buckets:
            return 0.0
        return self._imbalance_sum / (len(self._buckets) * self.bucket_volume)
