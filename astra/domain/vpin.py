"""Volume-synchronised probability of informed trading (VPIN), volume-bucketed.

Trades fill equal-volume buckets in arrival order; a trade that overflows a bucket is
split across the boundary. Each full bucket contributes |buy volume - sell volume|, and
VPIN is the mean of that imbalance over the last `n_buckets` full buckets divided by the
bucket volume, so it lies in [0, 1]. Volumes are integer micro-shares and the running
sum is an integer, so the value is exact until the final division. A trade spanning many buckets
costs at most `n_buckets` appends (only those stay in the window), never one step per bucket.
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
        room = self.bucket_volume - self._buy - self._sell
        take = min(room, size)
        self._fill(take, taker_side)
        if take < room:
            return
        self._close_bucket()
        # What is left fills whole one-sided buckets (imbalance = bucket volume each) and then
        # part of one more. Only the last `n_buckets` can be in the window, so at most that many
        # are appended however large the trade: O(n_buckets), not O(size / bucket_volume).
        whole, rest = divmod(size - take, self.bucket_volume)
        for _ in range(min(whole, self.n_buckets)):
            self._close_bucket_of(self.bucket_volume)
        self._fill(rest, taker_side)

    def _fill(self, volume: int, taker_side: Side) -> None:
        if taker_side is Side.BUY:
            self._buy += volume
        else:
            self._sell += volume

    def _close_bucket(self) -> None:
        self._close_bucket_of(abs(self._buy - self._sell))
        self._buy = 0
        self._sell = 0

    def _close_bucket_of(self, imbalance: int) -> None:
        self._buckets.append(imbalance)
        self._imbalance_sum += imbalance
        if len(self._buckets) > self.n_buckets:
            self._imbalance_sum -= self._buckets.popleft()

    @property
    def full_buckets(self) -> int:
        return len(self._buckets)

    def value(self) -> float:
        """VPIN in [0, 1]; 0.0 (neutral) before the first full bucket."""
        if not self._buckets:
            return 0.0
        return self._imbalance_sum / (len(self._buckets) * self.bucket_volume)
