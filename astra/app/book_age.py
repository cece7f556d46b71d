"""`astra_book_age_seconds`: how old the stalest live book is (the `AstraBookStale` input).

A token's book age is `now` minus the time of its last book update (a `book`, a level change,
a trade print, a tick size change or a best bid/ask — what the market feed counts as hearing
from a token); a token never heard from counts from when its subscription started. The gauge
is the maximum over the subscribed tokens, in seconds.

`astra paper` publishes it once a second on the wall clock from the market feed's
`last_event_ms`; `astra replay` publishes it from event time with `EventTimeBookAges`, which
tracks the same updates from the replayed stream (a resolved market's tokens leave the set:
their books are no longer live), once per event-time second and once at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

from astra.domain.events import (
    MarketEvent,
    MarketResolved,
    NewMarket,
    SpotPrice,
    asset_ids_of,
)
from astra.domain.metrics_port import BOOK_AGE_SECONDS, MetricsSink
from astra.domain.models.frames import ModelFrame


def max_book_age_s(last_update_ms: Iterable[int | None], now_ms: int, since_ms: int) -> float:
    """The largest age over the tokens (None: never heard, counted from `since_ms`); 0.0 for
    no tokens. Never negative (a clock step back is not a negative age)."""
    oldest = min((since_ms if last is None else last for last in last_update_ms), default=now_ms)
    return max(0, now_ms - oldest) / 1000


class EventTimeBookAges:
    """The last book update per subscribed token, in event time (replay)."""

    def __init__(self, assets: Iterable[str], since_ms: int) -> None:
        self._since_ms = since_ms
        self._last: dict[str, int | None] = dict.fromkeys(assets)
        self._published_second: int | None = None

    def observe(self, event: MarketEvent | SpotPrice | ModelFrame, recv_ms: int) -> None:
        if isinstance(event, SpotPrice | NewMarket | ModelFrame):
            return  # not a book update of a subscribed token
        if isinstance(event, MarketResolved):
            for asset_id in event.asset_ids:
                self._last.pop(asset_id, None)
            return
        for asset_id in asset_ids_of(event):
            self._touch(asset_id, recv_ms)

    def _touch(self, asset_id: str, recv_ms: int) -> None:
        if asset_id in self._last:
            self._last[asset_id] = recv_ms

    def max_age_s(self, now_ms: int) -> float:
        return max_book_age_s(self._last.values(), now_ms, self._since_ms)

    def publish(self, metrics: MetricsSink, now_ms: int, *, force: bool = False) -> None:
        """Set the gauge once per event-time second (`force`: now, e.g. at the end)."""
        second = now_ms // 1000
        if force or second != self._published_second:
            self._published_second = second
            metrics.set(BOOK_AGE_SECONDS, self.max_age_s(now_ms))
