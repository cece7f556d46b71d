"""Time as a value. The domain never reads a clock; actors are given one and pass `now` in.

Times are integer milliseconds since the Unix epoch (UTC), like the venue's timestamps.
"""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class ManualClock:
    """A clock that moves only when told to: tests and replays (event time)."""

    def __init__(self, start_ms: int = 0) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def set(self, now_ms: int) -> None:
        # Venue timestamps can repeat, but event time as a clock must be monotone.
        self._now = max(self._now, now_ms)

    def advance(self, delta_ms: int) -> None:
        if delta_ms < 0:
            raise ValueError("a clock does not run backwards")
        self._now += delta_ms
