"""Marking rules (docs/accounting.md), each on a hand-computed book."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.book import TokenBook
from astra.domain.events import BookSnapshot
from astra.domain.marking import (
    BookTop,
    Mark,
    MarkBasis,
    MarkingRule,
    mark_position,
    position_value,
    top_of,
)
from astra.domain.prices import ONE, Tick

T = 1_700_000_000_000
LONG, SHORT = 1_000_000_000, -1_000_000_000  # 1000 shares
RULE = MarkingRule(mid_max_spread_ticks=0, stale_after_ms=60_000)
TIGHT = MarkingRule(mid_max_spread_ticks=2, stale_after_ms=60_000)


def top(bid: int | None, ask: int | None, *, age_ms: int = 0, synced: bool = True) -> BookTop:
    return BookTop(bid, ask, 100, T - age_ms, synced)


def test_a_long_is_marked_at_its_best_bid() -> None:
    assert mark_position(top(4800, 5200), LONG, T, RULE) == Mark(4800, MarkBasis.BID)


def test_a_long_without_a_bid_is_worth_nothing() -> None:
    # YES 1000 @ 0.50 whose bids vanish: 0, not the last mid of 0.50.
    assert mark_position(top(None, 5200), LONG, T, RULE) == Mark(0, MarkBasis.NO_BID)
    assert mark_position(top(None, None), LONG, T, RULE) == Mark(0, MarkBasis.NO_BID)


def test_the_mid_only_within_the_configured_spread() -> None:
    # 0.49/0.51 is two 0.01 ticks: within 2, so the mid 0.50.
    assert mark_position(top(4900, 5100), LONG, T, TIGHT) == Mark(5000, MarkBasis.MID)
    # 0.49/0.52 is three ticks: back to the bid.
    assert mark_position(top(4900, 5200), LONG, T, TIGHT) == Mark(4900, MarkBasis.BID)
    # 0.4900/0.4901 with a 0.0001 tick: the mid 0.49005 floors to 0.4900 for a long ...
    fine = BookTop(4900, 4901, 1, T)
    assert mark_position(fine, LONG, T, TIGHT) == Mark(4900, MarkBasis.MID)
    # ... and ceils to 0.4901 for a short (what buying back could cost).
    assert mark_position(fine, SHORT, T, TIGHT) == Mark(4901, MarkBasis.MID)


def test_the_default_rule_never_uses_the_mid() -> None:
    assert mark_position(top(4900, 5000), LONG, T, MarkingRule()) == Mark(4900, MarkBasis.BID)


def test_a_missing_book_is_marked_conservatively() -> None:
    assert mark_position(None, LONG, T, RULE) == Mark(0, MarkBasis.MISSING)
    unsynced = top(4900, 5100, synced=False)
    assert mark_position(unsynced, LONG, T, TIGHT) == Mark(0, MarkBasis.MISSING)
    assert mark_position(unsynced, SHORT, T, TIGHT) == Mark(ONE, MarkBasis.MISSING)
    never = BookTop(4900, 5100, 100, None)
    assert mark_position(never, LONG, T, TIGHT) == Mark(0, MarkBasis.MISSING)


def test_a_stale_book_is_never_marked_at_its_mid() -> None:
    stale = top(4900, 5100, age_ms=60_001)
    assert mark_position(stale, LONG, T, TIGHT) == Mark(4900, MarkBasis.STALE)
    assert mark_position(stale, SHORT, T, TIGHT) == Mark(5100, MarkBasis.STALE)
    assert mark_position(top(None, 5100, age_ms=90_000), LONG, T, TIGHT).pips == 0
    # Exactly at the limit it is still fresh.
    fresh = top(4900, 5100, age_ms=60_000)
    assert mark_position(fresh, LONG, T, TIGHT) == Mark(5000, MarkBasis.MID)


def test_a_short_is_marked_at_what_buying_it_back_costs() -> None:
    assert mark_position(top(4800, 5200), SHORT, T, RULE) == Mark(5200, MarkBasis.ASK)
    assert mark_position(top(4800, None), SHORT, T, RULE) == Mark(ONE, MarkBasis.NO_ASK)


def test_a_crossed_or_out_of_range_book_never_yields_a_mid() -> None:
    assert mark_position(top(5100, 5000), LONG, T, TIGHT) == Mark(5100, MarkBasis.BID)
    assert mark_position(top(-5, 5000), LONG, T, TIGHT) == Mark(0, MarkBasis.NO_BID)


def test_values_round_against_us() -> None:
    # 3 micro-shares at 0.3333: 0.99999 micro-collateral, floored to 0 for a long ...
    assert position_value(3, Mark(3333, MarkBasis.BID)) == 0
    # ... and a short's liability rounds up to -1.
    assert position_value(-3, Mark(3333, MarkBasis.ASK)) == -1
    assert position_value(LONG, Mark(4800, MarkBasis.BID)) == 480_000_000


def test_a_bad_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="marking rule"):
        MarkingRule(mid_max_spread_ticks=-1)
    with pytest.raises(ValueError, match="marking rule"):
        MarkingRule(stale_after_ms=0)


prices = st.one_of(st.none(), st.integers(0, ONE))


@given(prices, prices, st.integers(0, 5), st.integers(0, 10**6), st.booleans())
def test_a_long_is_never_marked_above_its_mid_nor_above_its_bid_without_a_tight_book(
    bid: int | None, ask: int | None, ticks: int, age: int, synced: bool
) -> None:
    rule = MarkingRule(mid_max_spread_ticks=ticks, stale_after_ms=60_000)
    mark = mark_position(BookTop(bid, ask, 100, T - age, synced), LONG, T, rule)
    assert 0 <= mark.pips <= ONE
    if mark.basis is MarkBasis.MID:
        assert bid is not None
        assert ask is not None
        assert bid <= mark.pips <= (bid + ask) / 2
        assert age <= 60_000
        assert synced
    else:
        assert mark.pips == (bid if (bid is not None and synced) else 0)


def test_top_of_reads_a_token_book() -> None:
    book = TokenBook("yes", Tick.T0_01)
    assert top_of(book) == BookTop(None, None, 100, None, synced=False)
    book.apply_snapshot(
        BookSnapshot("m", "yes", T, ((4800, 10), (4700, 5)), ((5200, 10),), tick=Tick.T0_01)
    )
    assert top_of(book) == BookTop(4800, 5200, 100, T, synced=True)
    assert mark_position(top_of(book), LONG, T, RULE) == Mark(4800, MarkBasis.BID)
    book.desync()
    assert mark_position(top_of(book), LONG, T, RULE) == Mark(0, MarkBasis.MISSING)
