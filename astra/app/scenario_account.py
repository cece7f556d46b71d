"""The account a fill scenario ends with: cash, positions and equity, built in one place.

Marking is conservative until the marking rules land (issue 14 plugs them in here): a long
position is worth the best bid of its own token, nothing without one; a short (a sell of
more than was held) costs the best ask to buy back, a full share without one. Cash moves by
each fill's notional and fee (a negative fee is a rebate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from astra.domain.book import MarketBooks
from astra.domain.prices import ONE, Side, format_size, notional_micros
from astra.domain.trading import Fill


def scenario_account(
    opening_cash: int, fills: Sequence[Fill], books: MarketBooks
) -> dict[str, Any]:
    """{"cash", "positions": {token: shares}, "equity"} as decimal strings."""
    cash = opening_cash
    held: dict[str, int] = {}
    for fill in fills:
        notional = notional_micros(fill.price, fill.size)
        signed = fill.size if fill.side is Side.BUY else -fill.size
        cash += (-notional if fill.side is Side.BUY else notional) - fill.fee
        held[fill.asset_id] = held.get(fill.asset_id, 0) + signed
    equity = cash + sum(_mark(books, token, size) for token, size in held.items())
    return {
        "cash": format_size(cash),
        "positions": {token: format_size(size) for token, size in sorted(held.items())},
        "equity": format_size(equity),
    }


def _mark(books: MarketBooks, token: str, size: int) -> int:
    book = books.book(token)
    if size >= 0:
        bid = book.best_bid() if book.synced else None
        return 0 if bid is None else notional_micros(bid[0], size)
    ask = book.best_ask() if book.synced else None
    return -notional_micros(ONE if ask is None else ask[0], -size)
