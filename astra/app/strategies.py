"""Strategy names in settings -> strategy objects, per market category.

Unknown names are a startup error (a typo must not silently trade something else).
Strategies whose module has not been installed yet are simply not in the table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from astra.domain.market import MarketInfo
from astra.domain.strategies import Strategy
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.settings import Settings, SettingsError

StrategyFactory = Callable[[MarketInfo], Strategy]
# name -> (module, class); constructed with no arguments (each has its own defaults).
OPTIONAL = {
    "maker": ("astra.domain.strategies.maker", "MakerStrategy"),
    "crypto_threshold": ("astra.domain.strategies.crypto_threshold", "CryptoThresholdStrategy"),
}


def _builtin(name: str) -> Callable[[], Strategy] | None:
    if name == "simple_quoter":
        return SimpleQuoter
    spec = OPTIONAL.get(name)
    if spec is None:
        return None
    try:
        module = importlib.import_module(spec[0])
    except ModuleNotFoundError:
        return None
    built: Callable[[], Strategy] | None = getattr(module, spec[1], None)
    return built


def available(name: str) -> bool:
    return _builtin(name) is not None


def strategy_factory(settings: Settings, fallback: str | None = None) -> StrategyFactory:
    """Per-category strategies from `[strategy]`; `fallback` replaces names not installed."""
    names = {*dict(settings.strategy.by_category).values(), settings.strategy.default}
    table: dict[str, Callable[[], Strategy]] = {}
    for name in sorted(names):
        built = _builtin(name) or (_builtin(fallback) if fallback else None)
        if built is None:
            raise SettingsError(f"strategy {name!r} is not available")
        table[name] = built

    def make(info: MarketInfo) -> Strategy:
        return table[settings.strategy_for(info.category)]()

    return make
