"""Infer markets from bare WebSocket messages (fixture arrays carry no metadata).

Tokens are grouped by the `market` (condition id) they appear under, in order of first
appearance; a market seen with exactly two tokens becomes a `MarketInfo` whose first token is
taken as YES (the messages do not say which outcome is which). The tick comes from a `book`,
`tick_size_change` or `new_market` when one was seen, else the coarsest grid all seen prices
fit. Sizes and rules the messages do not carry are left at neutral defaults.
"""

from __future__ import annotations

from collections.abc import Iterable

from astra.domain.events import (
    BookSnapshot,
    MarketEvent,
    NewMarket,
    PriceChange,
    TickSizeChange,
    Trade,
    asset_ids_of,
)
from astra.domain.market import MarketInfo
from astra.domain.prices import Tick, on_grid


class MarketInference:
    """Feed decoded events in order; `markets()` gives what they imply."""

    def __init__(self) -> None:
        self._tokens: dict[str, dict[str, None]] = {}  # market -> ordered token set
        self._ticks: dict[str, Tick] = {}
        self._prices: dict[str, list[int]] = {}
        self._questions: dict[str, str] = {}

    def observe(self, event: MarketEvent) -> None:
        tokens = self._tokens.setdefault(event.market, {})
        prices = self._prices.setdefault(event.market, [])
        for asset_id in asset_ids_of(event):
            tokens.setdefault(asset_id, None)
        prices.extend(_prices(event))
        tick = _tick(event)
        if tick is not None:
            self._ticks[event.market] = tick
        if isinstance(event, NewMarket) and event.question:
            self._questions[event.market] = event.question

    def markets(self) -> tuple[MarketInfo, ...]:
        found = []
        for market, tokens in self._tokens.items():
            if len(tokens) != 2:
                continue
            yes, no = tokens
            found.append(
                MarketInfo(
                    condition_id=market,
                    question=self._questions.get(market, ""),
                    yes_token=yes,
                    no_token=no,
                    tick=self._ticks.get(market) or _coarsest_tick(self._prices[market]),
                    min_size=0,
                )
            )
        return tuple(found)


def _prices(event: MarketEvent) -> Iterable[int]:
    if isinstance(event, BookSnapshot):
        return (p for p, _ in (*event.bids, *event.asks))
    if isinstance(event, PriceChange):
        return (c.price for c in event.changes)
    if isinstance(event, Trade):
        return (event.price,)
    return ()


def _tick(event: MarketEvent) -> Tick | None:
    if isinstance(event, BookSnapshot | NewMarket):
        return event.tick
    if isinstance(event, TickSizeChange):
        return event.new_tick
    return None  # the other messages carry no tick


def _coarsest_tick(prices: list[int]) -> Tick:
    for tick in (Tick.T0_01, Tick.T0_001, Tick.T0_0001):
        if all(on_grid(p, tick) for p in prices):
            return tick
    return Tick.T0_0001
