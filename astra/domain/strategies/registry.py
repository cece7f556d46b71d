"""Strategy registry: configuration names a strategy per market category; names build it.

`build_strategy(name, settings, market, contract)` is the one call the composition root
needs. Every factory reads its parameters from `Settings` (strategy, risk and order
sections), so a strategy is fully described by the settings hash in the run manifest. An
unknown name is an error (`UnknownStrategyError`), never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.estimator import EstimatorConfig
from astra.domain.ev_gate import EvConfig
from astra.domain.market import MarketInfo
from astra.domain.prices import SIZE_SCALE
from astra.domain.strategies.crypto_inputs import ModelConfig
from astra.domain.strategies.crypto_threshold import (
    CryptoThresholdConfig,
    CryptoThresholdStrategy,
)
from astra.domain.strategies.maker import MakerConfig, MakerStrategy
from astra.domain.strategies.model_factories import rates_strategy, weather_strategy
from astra.domain.strategies.protocol import Strategy
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.domain.strategies.sizing import KellyConfig
from astra.domain.strategies.taker_escalation import TakerConfig
from astra.settings import Settings

StrategyFactory = Callable[[Settings, MarketInfo, DefinitionContract | None], Strategy]


class UnknownStrategyError(ValueError):
    """A configured strategy name that no factory builds."""


def micros(amount: float) -> int:
    """A configured decimal amount (USD or shares) in exact micro-units, rounded down."""
    return int(Decimal(repr(amount)) * SIZE_SCALE)


def crypto_threshold_config(settings: Settings) -> CryptoThresholdConfig:
    s = settings.strategy
    return CryptoThresholdConfig(
        model=ModelConfig(
            estimator=EstimatorConfig(),
            vol_annual=s.vol_annual,
            spot_stale_ms=int(s.spot_stale_s * 1000),
        ),
        ev=EvConfig(threshold=s.min_edge),
        kelly=KellyConfig(
            fraction=s.kelly_fraction,
            max_stake_frac=s.max_kelly_stake_frac,
            max_notional=micros(settings.risk.max_order_notional_usd),
        ),
        taker=TakerConfig(
            enabled=s.taker_escalation,
            daily_budget=micros(s.taker_budget_usd),
            edge_margin=s.taker_edge_margin,
        ),
        equity=micros(settings.risk.starting_equity_usd),
        max_book_age_ms=int(settings.feed.stale_after_s * 1000),
        max_chase_ticks=settings.orders.max_chase_ticks,
    )


def maker_config(settings: Settings) -> MakerConfig:
    s = settings.strategy
    return MakerConfig(
        risk_aversion=s.maker_risk_aversion,
        horizon_ms=int(s.maker_horizon_s * 1000),
        order_size=micros(s.maker_order_shares),
        inventory_cap=micros(s.maker_inventory_cap_shares),
        max_book_age_ms=int(settings.feed.stale_after_s * 1000),
    )


def _crypto_threshold(
    settings: Settings, market: MarketInfo, contract: DefinitionContract | None
) -> Strategy:
    return CryptoThresholdStrategy(contract, crypto_threshold_config(settings))


def _weather(
    settings: Settings, market: MarketInfo, contract: DefinitionContract | None
) -> Strategy:
    return weather_strategy(settings, crypto_threshold_config(settings), contract)


def _rates(settings: Settings, market: MarketInfo, contract: DefinitionContract | None) -> Strategy:
    return rates_strategy(settings, crypto_threshold_config(settings), contract)


def _maker(settings: Settings, market: MarketInfo, contract: DefinitionContract | None) -> Strategy:
    return MakerStrategy(maker_config(settings))


def _simple_quoter(
    settings: Settings, market: MarketInfo, contract: DefinitionContract | None
) -> Strategy:
    return SimpleQuoter()


FACTORIES: Mapping[str, StrategyFactory] = {
    "crypto_threshold": _crypto_threshold,
    "maker": _maker,
    "simple_quoter": _simple_quoter,
    "weather_exceedance": _weather,
    "rates_event": _rates,
}


def build_strategy(
    name: str, settings: Settings, market: MarketInfo, contract: DefinitionContract | None
) -> Strategy:
    factory = FACTORIES.get(name)
    if factory is None:
        known = ", ".join(sorted(FACTORIES))
        raise UnknownStrategyError(f"unknown strategy {name!r} (known: {known})")
    return factory(settings, market, contract)


def strategy_name_for(
    settings: Settings, market: MarketInfo, contract: DefinitionContract | None
) -> str:
    """The configured strategy for a market: by its contract's category when it has one
    (a parsed crypto threshold contract is authoritative), else by the market's category."""
    category = str(contract.category) if contract is not None else market.category
    return settings.strategy_for(category)
