"""The account a fill scenario ends with: cash, positions and equity, built in one place.

Positions are marked by the engine's own marking rules (`astra.domain.marking`,
docs/accounting.md), the same the RiskActor's halts act on: a long at the best bid of its
own token (0 without one), a short at the best ask (a full share without one), the mid only
when the rule allows it. Cash moves by each fill's notional and fee (a negative fee is a
rebate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from astra.domain.book import MarketBooks
from astra.domain.marking import MarkingRule, mark_position, position_value, top_of
from astra.domain.prices import Side, format_size, notional_micros
from astra.domain.trading import Fill


def scenario_account(
    opening_cash: int,
    fills: Sequence[Fill],
    books: MarketBooks,
    now_ms: int,
    rule: MarkingRule | None = None,
) -> dict[str, Any]:
    """{"cash", "positions": {token: shares}, "equity"} as decimal strings."""
    marking = rule if rule is not None else MarkingRule()
    cash = opening_cash
    held: dict[str, int] = {}
    for fill in fills:
        notional = notional_micros(fill.price, fill.size)
        signed = fill.size if fill.side is Side.BUY else -fill.size
        cash += (-notional if fill.side is Side.BUY else notional) - fill.fee
        held[fill.asset_id] = held.get(fill.asset_id, 0) + signed
    equity = cash + sum(
        position_value(size, mark_position(top_of(books.book(token)), size, now_ms, marking))
        for token, size in held.items()
    )
    return {
        "cash": format_size(cash),
        "positions": {token: format_size(size) for token, size in sorted(held.items())},
        "equity": format_size(equity),
    }
