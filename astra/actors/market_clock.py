"""The market clock tick: time drives expiry even when a market hears no event.

`sweep` (TTL expiries, stale cancels) used to run only from `on_event`, so a feed that stays
connected and answers pings but sends nothing left orders resting past their TTL and past
`stale_ms`. `MarketClock.advance(now_ms)` tells every market a `MarketTick` each time `now_ms`
crosses a multiple of `tick_ms`:

- live, a supervised loop child of the root (`loop_child`) advances it on the wall clock
  every `tick_ms` (its death is a halt like any other);
- in a replay (no timers: wall time must not influence a replay), `Engine.feed` advances it
  with the event clock before routing each event, so the ticks a market sees depend only on
  the recording and the replay stays deterministic.

Ticks are idempotent (a sweep at a time already swept finds nothing new), so a live run that
advances from both the timer and the feed is harmless; the lock keeps one tick per boundary.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from astra.actors.messages import MarketTick
from astra.actors.runtime.loop_child import loop_spec
from astra.actors.runtime.supervision import ChildSpec
from astra.domain.clock import Clock

MARKET_CLOCK = "market-clock"


class MarketClock:
    def __init__(
        self,
        markets: Callable[[], Sequence[str]],
        tell: Callable[[str, object], bool],
        tick_ms: int,
    ) -> None:
        if tick_ms <= 0:
            raise ValueError("the market tick must be a positive number of ms")
        self._markets = markets
        self._tell = tell
        self.tick_ms = tick_ms
        self._lock = threading.Lock()
        self._next_ms: int | None = None
        self.ticks = 0

    def advance(self, now_ms: int) -> bool:
        """Tick every market if `now_ms` reached the next boundary; True if it did."""
        with self._lock:
            if self._next_ms is None:
                self._next_ms = (now_ms // self.tick_ms + 1) * self.tick_ms
                return False
            if now_ms < self._next_ms:
                return False
            self._next_ms = (now_ms // self.tick_ms + 1) * self.tick_ms
            self.ticks += 1
        tick = MarketTick(now_ms)
        for name in self._markets():
            self._tell(name, tick)
        return True

    def spec(self, clock: Clock) -> ChildSpec:
        """The live timer: a supervised loop child advancing this clock on `clock`."""
        return loop_spec(MARKET_CLOCK, lambda: self.advance(clock.now_ms()), self.tick_ms / 1000)
