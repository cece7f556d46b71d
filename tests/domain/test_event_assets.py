"""`asset_ids_of`: which outcome tokens an event concerns (book age, replay inference)."""

from __future__ import annotations

from astra.domain.events import (
    BookSnapshot,
    LevelChange,
    MarketResolved,
    NewMarket,
    PriceChange,
    Trade,
    asset_ids_of,
)
from astra.domain.prices import Side


def test_token_events_name_their_token() -> None:
    book = BookSnapshot("m", "A", 1, ((100, 5),), ())
    trade = Trade("m", "B", 1, 100, 5, Side.BUY, "t1")
    assert asset_ids_of(book) == ("A",)
    assert asset_ids_of(trade) == ("B",)


def test_price_change_names_every_entry_in_order() -> None:
    change = PriceChange(
        "m", 1, (LevelChange("A", Side.BUY, 100, 5), LevelChange("B", Side.SELL, 9900, 5))
    )
    assert asset_ids_of(change) == ("A", "B")


def test_market_wide_events_name_all_tokens() -> None:
    assert asset_ids_of(MarketResolved("m", 1, "A", ("A", "B"))) == ("A", "B")
    assert asset_ids_of(NewMarket("m", 1, "q?", ("A", "B"), None)) == ("A", "B")
