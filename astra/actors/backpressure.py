"""Backpressure for market mailboxes: conflate book deltas, veto lagging decisions, halt on
overload (the policy; the mechanism is `runtime.inbox.InboxBound`).

At ~20k events/s offered, unbounded mailboxes queued 230k messages while strategies quoted
on books seconds behind. Now a market's mailbox is bounded for *data* (feed events and spot
prints; cancels, queries and ticks always get through):

- from `conflate_depth` queued messages on, a book delta is merged into a book delta queued
  just before it (the latest size of each level wins: sizes are absolute), and a book
  snapshot replaces a queued snapshot or delta of only its own token (a snapshot is the whole
  truth for it). Trades are never merged or dropped, and nothing is merged across a trade, so
  fills see the book they happened on;
- a decision on an event handled more than `max_lag_ms` after it was received is vetoed
  `lagging` (the market's own gate, before the RiskActor is asked);
- a full mailbox (`capacity`) that cannot conflate refuses the event (a dead letter): the
  engine then halts with reason `overload` and desyncs that market (a lost delta means a
  wrong book), rather than trading stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from astra.actors.messages import FeedEvent, SpotFeed
from astra.actors.runtime.inbox import InboxBound
from astra.domain.events import BookSnapshot, LevelChange, PriceChange


@dataclass(frozen=True, slots=True)
class BackpressureConfig:
    capacity: int = 4_096  # data messages a market mailbox holds before it refuses (overload)
    conflate_depth: int = 64  # from this depth on, book deltas are merged
    max_lag_ms: int = 2_000  # a decision on an older event is vetoed `lagging`

    def __post_init__(self) -> None:
        if not 0 < self.conflate_depth <= self.capacity or self.max_lag_ms <= 0:
            raise ValueError("backpressure needs 0 < conflate_depth <= capacity, max_lag_ms > 0")


def is_data(message: object) -> bool:
    return isinstance(message, FeedEvent | SpotFeed)


def merge_feed(last: object, new: object) -> object | None:
    """`new` folded into the queued `last`, or None when they must both be handled."""
    if not (isinstance(last, FeedEvent) and isinstance(new, FeedEvent)):
        return None
    a, b = last.event, new.event
    if isinstance(a, PriceChange) and isinstance(b, PriceChange) and a.market == b.market:
        levels: dict[tuple[str, str, int], LevelChange] = {}
        for change in (*a.changes, *b.changes):
            levels[change.asset_id, change.side.value, change.price] = change
        return FeedEvent(PriceChange(b.market, b.ts_ms, tuple(levels.values()), b.recv_ms))
    if isinstance(b, BookSnapshot) and _only_asset(a, b.asset_id):
        return new
    return None


def _only_asset(event: object, asset_id: str) -> bool:
    if isinstance(event, BookSnapshot):
        return event.asset_id == asset_id
    if isinstance(event, PriceChange):
        return all(c.asset_id == asset_id for c in event.changes)
    return False


def market_bound(
    config: BackpressureConfig,
    on_conflated: Callable[[object], None],
    on_overflow: Callable[[object], None],
) -> InboxBound:
    return InboxBound(
        capacity=config.capacity,
        conflate_depth=config.conflate_depth,
        is_data=is_data,
        merge=merge_feed,
        on_conflated=on_conflated,
        on_overflow=on_overflow,
    )
