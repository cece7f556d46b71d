"""Marking rules: what one token position is worth now, from its book top. Pure.

A position is marked at what closing it would realise, never at a hope (docs/accounting.md):

- A long is worth what it could be sold for: the best bid of its token (0 without a bid).
  Only when the spread is within `mid_max_spread_ticks` ticks is the mid used (floored to a
  pip, so it never rounds up); the default 0 never uses it.
- A short (the venue has no naked shorts; kept for completeness and the fills scenario's
  accounts) costs what buying it back would: the best ask (1.0 without one), or the mid
  (ceiled) under the same spread rule.
- A missing book (never synced, desynced by a reconnect, dropped by a tick-size change) marks
  a long at 0 and a short at 1.0: nothing proves it could be closed better.
- A stale book (synced, but not updated for longer than `stale_after_ms`) is marked at its
  touch only (bid for a long, ask for a short): a stale mid is never used, however tight.

`mark_position` is the one entry point (`top_of` reads a `TokenBook` into a `BookTop`);
`astra fills scenario` and the markets' reports to the RiskActor both call it, so accounts
everywhere follow the same rule.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from astra.domain.book import TokenBook
from astra.domain.prices import ONE


class MarkBasis(enum.StrEnum):
    MID = "mid"  # two-sided, fresh, spread within mid_max_spread_ticks
    BID = "bid"  # a long at its best bid
    ASK = "ask"  # a short at its best ask
    NO_BID = "no_bid"  # a long without a bid: 0
    NO_ASK = "no_ask"  # a short without an ask: 1.0
    STALE = "stale"  # stale book: its touch only (bid/ask, or the no-side value)
    MISSING = "missing"  # no synced book: 0 for a long, 1.0 for a short


@dataclass(frozen=True, slots=True)
class MarkingRule:
    mid_max_spread_ticks: int = 0
    stale_after_ms: int = 300_000

    def __post_init__(self) -> None:
        if self.mid_max_spread_ticks < 0 or self.stale_after_ms <= 0:
            raise ValueError(f"bad marking rule {self!r}")


@dataclass(frozen=True, slots=True)
class BookTop:
    """A token's book as the marking rule needs it: best prices (pips), tick (pips) and the
    time of its last update; `synced` False for a book that is missing or was dropped."""

    bid: int | None
    ask: int | None
    tick_pips: int | None
    last_update_ms: int | None
    synced: bool = True


def top_of(book: TokenBook) -> BookTop:
    """A token book's top as the marking rule reads it."""
    bid, ask, tick = book.best_bid(), book.best_ask(), book.tick
    return BookTop(
        bid=None if bid is None else bid[0],
        ask=None if ask is None else ask[0],
        tick_pips=None if tick is None else tick.pips,
        last_update_ms=book.last_update_ms,
        synced=book.synced,
    )


@dataclass(frozen=True, slots=True)
class Mark:
    pips: int  # 0..ONE
    basis: MarkBasis


def mark_position(top: BookTop | None, size: int, now_ms: int, rule: MarkingRule) -> Mark:
    """The mark (pips) of a position of `size` micro-shares (negative: short) in one token."""
    long = size >= 0
    if top is None or not top.synced or top.last_update_ms is None:
        return Mark(0 if long else ONE, MarkBasis.MISSING)
    bid = top.bid if top.bid is not None and 0 <= top.bid <= ONE else None
    ask = top.ask if top.ask is not None and 0 <= top.ask <= ONE else None
    stale = now_ms - top.last_update_ms > rule.stale_after_ms
    if not stale and bid is not None and ask is not None and bid < ask:
        tick = top.tick_pips
        if tick is not None and tick > 0 and ask - bid <= rule.mid_max_spread_ticks * tick:
            return Mark((bid + ask) // 2 if long else -(-(bid + ask) // 2), MarkBasis.MID)
    if long:
        if bid is None:
            return Mark(0, MarkBasis.STALE if stale else MarkBasis.NO_BID)
        return Mark(bid, MarkBasis.STALE if stale else MarkBasis.BID)
    if ask is None:
        return Mark(ONE, MarkBasis.STALE if stale else MarkBasis.NO_ASK)
    return Mark(ask, MarkBasis.STALE if stale else MarkBasis.ASK)


def position_value(size: int, mark: Mark) -> int:
    """Marked value in micro-collateral, rounded against us: a long floors, a short's
    (negative) value ceils its liability."""
    return (mark.pips * size) // ONE
