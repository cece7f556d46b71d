"""Replay the genuine crossing burst (tests/fixtures/polymarket) through MarketBooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from astra.domain.book import MarketBooks
from astra.domain.events import BookSnapshot, LevelChange, PriceChange
from astra.domain.market import MarketInfo
from astra.domain.prices import Side, Tick, complement, to_micros, to_pips

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "fixtures/polymarket/ws_market/price_change_crossing_burst_2026-09.json"
)
TOKEN_A = "76670567130917723816490572615540605537878462672464291990940067659127658071111"
TOKEN_B = "54179564009642723353355316176091991063553046330768303687769988635499280029688"


def _levels(raw: list[dict[str, str]]) -> tuple[tuple[int, int], ...]:
    return tuple((to_pips(lvl["price"]), to_micros(lvl["size"])) for lvl in raw)


def _snapshot(msg: dict[str, Any]) -> BookSnapshot:
    tick = msg.get("tick_size")
    return BookSnapshot(
        market=msg["market"],
        asset_id=msg["asset_id"],
        ts_ms=int(msg["timestamp"]),
        bids=_levels(msg["bids"]),
        asks=_levels(msg["asks"]),
        hash=msg.get("hash", ""),
        tick=Tick.parse(tick) if tick else None,
    )


def _opt_pips(text: str | None) -> int | None:
    return None if text is None else to_pips(text)


def _price_change(msg: dict[str, Any]) -> PriceChange:
    changes = tuple(
        LevelChange(
            asset_id=c["asset_id"],
            side=Side(c["side"]),
            price=to_pips(c["price"]),
            size=to_micros(c["size"]),
            best_bid=_opt_pips(c.get("best_bid")),
            best_ask=_opt_pips(c.get("best_ask")),
            hash=c.get("hash", ""),
        )
        for c in msg["price_changes"]
    )
    return PriceChange(market=msg["market"], ts_ms=int(msg["timestamp"]), changes=changes)


def _mirror_of(snap: BookSnapshot, asset_id: str) -> BookSnapshot:
    # The venue lists every order in both books: YES bids are NO asks at 1 - p.
    return BookSnapshot(
        market=snap.market,
        asset_id=asset_id,
        ts_ms=snap.ts_ms,
        bids=tuple((complement(p), s) for p, s in snap.asks),
        asks=tuple((complement(p), s) for p, s in snap.bids),
        tick=snap.tick,
    )


@pytest.fixture(scope="module")
def messages() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return data


def _market(first: BookSnapshot) -> MarketInfo:
    return MarketInfo(
        condition_id=first.market,
        question="fixture",
        yes_token=TOKEN_A,
        no_token=TOKEN_B,
        tick=Tick.T0_001,
        min_size=5_000_000,
    )


def test_replay_reproduces_closing_book_and_mirror_holds(messages: list[dict[str, Any]]) -> None:
    first, last = _snapshot(messages[0]), _snapshot(messages[-1])
    books = MarketBooks(_market(first))
    assert books.apply(first)
    assert books.apply(_mirror_of(first, TOKEN_B))
    assert books.mirrored()
    deltas = messages[1:-1]
    assert len(deltas) == 49
    for msg in deltas:
        assert books.apply(_price_change(msg))
        assert books.mirror_mismatches() == [], msg["timestamp"]
    yes = books.yes
    assert yes.bids() == sorted(last.bids, key=lambda lvl: -lvl[0])
    assert yes.asks() == sorted(last.asks, key=lambda lvl: lvl[0])
    # The venue's hash describes the book after the change: the last delta carries the
    # closing book's hash.
    assert yes.last_hash == last.hash
    assert yes.last_update_ms == last.ts_ms
    # Replaying into the closing snapshot changes nothing.
    assert books.apply(last)
    assert yes.bids() == sorted(last.bids, key=lambda lvl: -lvl[0])


def test_touch_matches_venue_except_inside_the_match_group(
    messages: list[dict[str, Any]],
) -> None:
    first = _snapshot(messages[0])
    books = MarketBooks(_market(first))
    books.apply(first)
    books.apply(_mirror_of(first, TOKEN_B))
    mismatched_ts: set[int] = set()
    saw_crossed_or_locked = False
    for msg in messages[1:-1]:
        event = _price_change(msg)
        for change in event.changes:
            book = books.book(change.asset_id)
            book.apply_change(change, event.ts_ms)
            saw_crossed_or_locked |= book.is_crossed() or book.is_locked()
            touch = book.touch()
            assert touch is not None
            if touch != (change.best_bid, change.best_ask):
                mismatched_ts.add(event.ts_ms)
    # Only the three messages of the match (shared timestamp) show a transient
    # crossed/locked local book while the venue already reports the post-match touch.
    assert mismatched_ts == {1790658827000}
    assert saw_crossed_or_locked
    assert not books.yes.is_crossed()
    assert books.yes.touch() == (2900, 3010)
    assert books.no.touch() == (6990, 7100)


def test_unsynced_book_ignores_the_burst(messages: list[dict[str, Any]]) -> None:
    books = MarketBooks(_market(_snapshot(messages[0])))
    assert not books.apply(_price_change(messages[1]))
    assert books.yes.best_bid() is None
    assert not books.yes.synced
