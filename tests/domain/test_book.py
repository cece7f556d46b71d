"""TokenBook / MarketBooks semantics and a reference-model property test."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.book import BookError, MarketBooks, TokenBook
from astra.domain.events import (
    BookSnapshot,
    LevelChange,
    MarketResolved,
    PriceChange,
    TickSizeChange,
    Trade,
)
from astra.domain.market import MarketInfo
from astra.domain.prices import Side, Tick

MARKET = MarketInfo(
    condition_id="0xmarket",
    question="q",
    yes_token="Y",
    no_token="N",
    tick=Tick.T0_01,
    min_size=5_000_000,
)


def snap(asset: str, bids: list[tuple[int, int]], asks: list[tuple[int, int]]) -> BookSnapshot:
    return BookSnapshot(
        market="0xmarket", asset_id=asset, ts_ms=1, bids=tuple(bids), asks=tuple(asks)
    )


def tick_change(new: Tick) -> TickSizeChange:
    return TickSizeChange(
        market="0xmarket", asset_id="Y", ts_ms=9, old_tick=Tick.T0_01, new_tick=new
    )


def chg(asset: str, side: Side, price: int, size: int, hash_: str = "") -> LevelChange:
    return LevelChange(asset_id=asset, side=side, price=price, size=size, hash=hash_)


def test_snapshot_in_any_order_gives_best_first() -> None:
    book = TokenBook("Y", Tick.T0_01)
    book.apply_snapshot(snap("Y", [(100, 5), (4800, 7), (3000, 1)], [(9900, 2), (5200, 3)]))
    assert book.bids() == [(4800, 7), (3000, 1), (100, 5)]
    assert book.asks() == [(5200, 3), (9900, 2)]
    assert book.best_bid() == (4800, 7)
    assert book.best_ask() == (5200, 3)
    assert book.mid() == Decimal("0.5")
    assert book.spread_pips() == 400
    assert book.spread_ticks() == 4
    assert book.spread_fraction() == Decimal("0.08")
    assert book.synced


def test_change_sets_absolute_size_and_zero_removes() -> None:
    book = TokenBook("Y", Tick.T0_01)
    book.apply_snapshot(snap("Y", [(4800, 7)], [(5200, 3)]))
    assert book.apply_change(chg("Y", Side.BUY, 4800, 9, "h1"), ts_ms=5)
    assert book.size_at(Side.BUY, 4800) == 9
    assert book.apply_change(chg("Y", Side.BUY, 4900, 2))
    assert book.best_bid() == (4900, 2)
    assert book.apply_change(chg("Y", Side.BUY, 4900, 0))
    assert book.best_bid() == (4800, 9)
    assert book.size_at(Side.BUY, 4900) == 0
    assert book.last_hash == "h1"
    assert book.last_update_ms == 5


def test_unsynced_book_ignores_changes() -> None:
    book = TokenBook("Y")
    assert not book.apply_change(chg("Y", Side.BUY, 4800, 9))
    assert book.best_bid() is None
    assert book.mid() is None


def test_tick_size_change_drops_book_until_snapshot() -> None:
    book = TokenBook("Y", Tick.T0_01)
    book.apply_snapshot(snap("Y", [(300, 7)], [(500, 3)]))
    book.on_tick_size_change(tick_change(Tick.T0_001))
    assert not book.synced
    assert book.tick is Tick.T0_001
    assert book.best_bid() is None
    assert not book.apply_change(chg("Y", Side.BUY, 310, 1))
    book.apply_snapshot(snap("Y", [(310, 1)], [(320, 1)]))
    assert book.spread_ticks() == 1


def test_crossed_locked_and_one_sided() -> None:
    book = TokenBook("Y", Tick.T0_01)
    book.apply_snapshot(snap("Y", [(5000, 1)], [(5000, 1)]))
    assert book.is_locked()
    assert not book.is_crossed()
    assert book.mid() is None
    book.apply_change(chg("Y", Side.BUY, 5100, 1))
    assert book.is_crossed()
    assert book.spread_ticks() == -1
    book.apply_snapshot(snap("Y", [(5000, 1)], []))
    assert not book.is_crossed()
    assert book.touch() is None
    assert book.spread_ticks() is None


def test_depth_within_ticks() -> None:
    book = TokenBook("Y", Tick.T0_01)
    book.apply_snapshot(snap("Y", [(5000, 1), (4900, 2), (4700, 4)], [(5100, 8), (5300, 16)]))
    assert book.depth_within(Side.BUY, 0) == 1
    assert book.depth_within(Side.BUY, 1) == 3
    assert book.depth_within(Side.BUY, 3) == 7
    assert book.depth_within(Side.SELL, 1) == 8
    assert book.depth_within(Side.SELL, 2) == 24


@pytest.mark.parametrize(("price", "size"), [(0, 1), (10_000, 1), (5000, -1)])
def test_invalid_levels_are_refused(price: int, size: int) -> None:
    book = TokenBook("Y")
    with pytest.raises(BookError):
        book.apply_snapshot(snap("Y", [(price, size)], []))


def test_foreign_asset_is_refused() -> None:
    with pytest.raises(BookError):
        TokenBook("Y").apply_snapshot(snap("N", [], []))


def test_market_books_dispatch_and_resolution() -> None:
    books = MarketBooks(MARKET)
    assert books.apply(snap("Y", [(4800, 5)], [(5200, 5)]))
    assert books.apply(snap("N", [(4800, 5)], [(5200, 5)]))
    assert books.mirrored()
    change = PriceChange(
        market="0xmarket",
        ts_ms=2,
        changes=(
            chg("Y", Side.BUY, 4900, 5),
            chg("N", Side.SELL, 5100, 5),
            chg("X", Side.BUY, 1, 1),
        ),
    )
    assert books.apply(change)
    assert books.mirrored()
    assert books.apply(
        PriceChange(market="0xmarket", ts_ms=3, changes=(chg("Y", Side.BUY, 4700, 1),))
    )
    assert books.mirror_mismatches() == ["yes bids vs no asks: [(4700, 1)]"]
    trade = Trade(
        market="0xmarket",
        asset_id="Y",
        ts_ms=3,
        price=4900,
        size=1,
        taker_side=Side.SELL,
        trade_id="t",
    )
    assert not books.apply(trade)
    assert not books.apply(snap("X", [], []))
    assert books.apply(
        MarketResolved(market="0xmarket", ts_ms=4, winning_asset_id="N", asset_ids=("Y", "N"))
    )
    assert books.resolved
    assert books.winning_asset_id == "N"
    with pytest.raises(KeyError):
        books.book("X")


# -- reference model -----------------------------------------------------------------------
PRICES = st.integers(1, 40).map(lambda k: k * 100)
LEVELS = st.lists(st.tuples(PRICES, st.integers(1, 1000)), max_size=8)
OPS = st.one_of(
    st.tuples(st.just("snap"), LEVELS, LEVELS),
    st.tuples(st.just("chg"), st.sampled_from(list(Side)), PRICES, st.integers(0, 1000)),
    st.tuples(st.just("tick")),
)


@settings(max_examples=200)
@given(st.lists(OPS, max_size=60))
def test_random_sequences_match_reference_model(ops: list[tuple[object, ...]]) -> None:
    book = TokenBook("Y", Tick.T0_01)
    ref: dict[Side, dict[int, int]] | None = None
    for op in ops:
        if op[0] == "snap":
            bids, asks = cast(tuple[list[tuple[int, int]], list[tuple[int, int]]], op[1:])
            book.apply_snapshot(snap("Y", bids, asks))
            ref = {Side.BUY: dict(bids), Side.SELL: dict(asks)}
        elif op[0] == "chg":
            side, price, size = cast(tuple[Side, int, int], op[1:])
            applied = book.apply_change(chg("Y", side, price, size))
            assert applied == (ref is not None)
            if ref is not None:
                ref[side][price] = size
                if size == 0:
                    del ref[side][price]
        else:
            book.on_tick_size_change(tick_change(Tick.T0_01))
            ref = None
        _assert_equal(book, ref)


def _assert_equal(book: TokenBook, ref: dict[Side, dict[int, int]] | None) -> None:
    if ref is None:
        assert not book.synced
        assert book.bids() == []
        assert book.asks() == []
        return
    want_bids = sorted(((p, s) for p, s in ref[Side.BUY].items() if s), reverse=True)
    want_asks = sorted((p, s) for p, s in ref[Side.SELL].items() if s)
    assert book.bids() == want_bids
    assert book.asks() == want_asks
    assert book.best_bid() == (want_bids[0] if want_bids else None)
    assert book.best_ask() == (want_asks[0] if want_asks else None)


@settings(max_examples=200)
@given(st.lists(OPS, max_size=60), st.integers(0, 12))
def test_top_levels_equal_the_sorted_prefix(ops: list[tuple[object, ...]], depth: int) -> None:
    """`top_bids`/`top_asks` are `bids()[:n]`/`asks()[:n]` for any book and any n."""
    book = TokenBook("Y", Tick.T0_01)
    for op in ops:
        if op[0] == "snap":
            bids, asks = cast(tuple[list[tuple[int, int]], list[tuple[int, int]]], op[1:])
            book.apply_snapshot(snap("Y", bids, asks))
        elif op[0] == "chg":
            side, price, size = cast(tuple[Side, int, int], op[1:])
            book.apply_change(chg("Y", side, price, size))
        else:
            book.on_tick_size_change(tick_change(Tick.T0_01))
        # Twice: the second answer may come from the cache, and must still be right.
        for _ in range(2):
            assert book.top_bids(depth) == tuple(book.bids()[:depth])
            assert book.top_asks(depth) == tuple(book.asks()[:depth])


@given(LEVELS, LEVELS)
def test_snapshot_with_repeated_and_zero_levels_matches_applying_them_in_order(
    bids: list[tuple[int, int]], asks: list[tuple[int, int]]
) -> None:
    """A snapshot listing a price twice (last wins) or with size 0 (absent) builds the same
    book as setting its levels one by one."""
    with_zeros = [*bids, *((p, 0) for p, _ in bids[::2])]
    book = TokenBook("Y", Tick.T0_01)
    book.apply_snapshot(snap("Y", with_zeros, asks))
    want: dict[int, int] = {}
    for price, size in with_zeros:
        want[price] = size
        if size == 0:
            want.pop(price)
    assert book.bids() == sorted(want.items(), reverse=True)
    assert book.asks() == sorted(dict(asks).items())
