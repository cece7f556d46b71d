"""Strategy names in settings -> strategy objects per market, through the domain registry.

Unknown names are a startup error (a typo must not silently trade something else), unless
the caller names an explicit `fallback` to use instead.
"""

from __future__ import annotations

from collections.abc import Callable

from astra.domain.market import MarketInfo
from astra.domain.strategies import Strategy
from astra.domain.strategies.registry import FACTORIES, build_strategy, strategy_name_for
from astra.settings import Settings, SettingsError

StrategyFactory = Callable[[MarketInfo], Strategy]


def available(name: str) -> bool:
    return name in FACTORIES


def strategy_factory(settings: Settings, fallback: str | None = None) -> StrategyFactory:
    """Per-market strategies from `[strategy]`. The engine has no contract hook yet, so the
    market's own category chooses (contract None)."""
    names = {*dict(settings.strategy.by_category).values(), settings.strategy.default}
    unknown = sorted(n for n in names if not available(n))
    if unknown and (fallback is None or not available(fallback)):
        known = ", ".join(sorted(FACTORIES))
        raise SettingsError(f"unknown strategies {', '.join(unknown)} (known: {known})")

    def make(info: MarketInfo) -> Strategy:
        name = strategy_name_for(settings, info, None)
        chosen = name if available(name) or fallback is None else fallback
        return build_strategy(chosen, settings, info, None)

    return make
