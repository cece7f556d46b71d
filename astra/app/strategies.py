"""Strategy names in settings -> strategy objects per market, through the domain registry.

`contract_strategy_factory` is what the engine takes (`EngineParts.contract_strategy`): the
market's linted definition contract, when it has one, decides the category (a crypto
threshold contract routes to `crypto_threshold` with the default settings), else the
market's own category does (`[strategy] by_category`, then `default`, the maker).
Unknown names are a startup error (a typo must not silently trade something else), unless
the caller names an explicit `fallback` to use instead.
"""

from __future__ import annotations

from collections.abc import Callable

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.market import MarketInfo
from astra.domain.strategies import Strategy
from astra.domain.strategies.registry import FACTORIES, build_strategy, strategy_name_for
from astra.settings import Settings, SettingsError

StrategyFactory = Callable[[MarketInfo], Strategy]
ContractStrategyFactory = Callable[[MarketInfo, DefinitionContract | None], Strategy]


def available(name: str) -> bool:
    return name in FACTORIES


def _check_names(settings: Settings, fallback: str | None) -> None:
    names = {*dict(settings.strategy.by_category).values(), settings.strategy.default}
    unknown = sorted(n for n in names if not available(n))
    if unknown and (fallback is None or not available(fallback)):
        known = ", ".join(sorted(FACTORIES))
        raise SettingsError(f"unknown strategies {', '.join(unknown)} (known: {known})")


def strategy_name(
    settings: Settings,
    info: MarketInfo,
    contract: DefinitionContract | None,
    fallback: str | None = None,
) -> str:
    name = strategy_name_for(settings, info, contract)
    return name if available(name) or fallback is None else fallback


def contract_strategy_factory(
    settings: Settings, fallback: str | None = None
) -> ContractStrategyFactory:
    """Per-market strategies from `[strategy]`, routed by contract category first."""
    _check_names(settings, fallback)

    def make(info: MarketInfo, contract: DefinitionContract | None) -> Strategy:
        chosen = strategy_name(settings, info, contract, fallback)
        return build_strategy(chosen, settings, info, contract)

    return make


def strategy_factory(settings: Settings, fallback: str | None = None) -> StrategyFactory:
    """Market-only strategies (no contract: the market's category chooses), for callers that
    build an engine without contracts (the benchmark harness)."""
    make = contract_strategy_factory(settings, fallback)

    def by_market(info: MarketInfo) -> Strategy:
        return make(info, None)

    return by_market
