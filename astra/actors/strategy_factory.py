"""Which strategy trades a market: configuration names one per category, a builder makes it.

`StrategySelector` is the `EngineParts.contract_strategy` the engine takes: called with a
market and its definition contract (or None), it picks the name by the contract's category
when there is a contract (a parsed crypto threshold contract is authoritative) and by the
market's own category otherwise, falling back to the default name, and builds it. Every
configured name is checked against the known ones when the selector is made, so a typo
stops the process at start-up instead of trading something else (fail closed).

`settings_strategies(settings)` wires the strategies engineer's registry
(`astra.domain.strategies.registry.build_strategy`) from `Settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.market import MarketInfo
from astra.domain.strategies import Strategy
from astra.domain.strategies.registry import FACTORIES, UnknownStrategyError, build_strategy
from astra.settings import Settings

StrategyBuilder = Callable[[str, MarketInfo, DefinitionContract | None], Strategy]


class StrategySelector:
    def __init__(
        self,
        by_category: Mapping[str, str],
        default: str,
        build: StrategyBuilder,
        known: Collection[str],
    ) -> None:
        names = {default, *by_category.values()}
        unknown = sorted(n for n in names if n not in known)
        if unknown:
            listed = ", ".join(sorted(known))
            raise UnknownStrategyError(
                f"unknown strategies in configuration: {', '.join(unknown)} (known: {listed})"
            )
        self._by_category = dict(by_category)
        self._default = default
        self._build = build

    def name_for(self, info: MarketInfo, contract: DefinitionContract | None = None) -> str:
        category = str(contract.category) if contract is not None else info.category
        return self._by_category.get(category, self._default)

    def __call__(self, info: MarketInfo, contract: DefinitionContract | None = None) -> Strategy:
        return self._build(self.name_for(info, contract), info, contract)


def settings_strategies(settings: Settings) -> StrategySelector:
    """`[strategy] by_category` and `default` through the domain registry."""

    def build(name: str, info: MarketInfo, contract: DefinitionContract | None) -> Strategy:
        return build_strategy(name, settings, info, contract)

    return StrategySelector(
        dict(settings.strategy.by_category), settings.strategy.default, build, FACTORIES
    )
