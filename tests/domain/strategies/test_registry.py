"""The registry: configuration picks a strategy per category; unknown names are errors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from astra.domain.strategies.crypto_threshold import CryptoThresholdStrategy
from astra.domain.strategies.maker import MakerStrategy
from astra.domain.strategies.registry import (
    UnknownStrategyError,
    build_strategy,
    crypto_threshold_config,
    maker_config,
    micros,
    strategy_name_for,
)
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.settings import Settings, load_settings

from .scenario import INFO, SHARE, contract


def test_configuration_chooses_by_category() -> None:
    settings = Settings()
    assert strategy_name_for(settings, INFO, contract()) == "crypto_threshold"
    other = replace(INFO, category="sports")
    assert strategy_name_for(settings, other, None) == "maker"
    # A parsed crypto contract decides, whatever Gamma called the category.
    crypto = replace(INFO, category="crypto")
    assert strategy_name_for(settings, crypto, contract()) == "crypto_threshold"
    assert isinstance(
        build_strategy("crypto_threshold", settings, INFO, contract()), CryptoThresholdStrategy
    )
    assert isinstance(build_strategy("maker", settings, other, None), MakerStrategy)
    assert isinstance(build_strategy("simple_quoter", settings, INFO, None), SimpleQuoter)


def test_unknown_names_are_errors() -> None:
    with pytest.raises(UnknownStrategyError, match="nope"):
        build_strategy("nope", Settings(), INFO, None)


def test_settings_reach_the_strategies() -> None:
    settings = load_settings(
        overrides={
            "strategy": {
                "kelly_fraction": 0.1,
                "max_kelly_stake_frac": 0.01,
                "min_edge": 0.03,
                "taker_escalation": True,
                "taker_budget_usd": 25.5,
                "vol_annual": 0.6,
                "maker_order_shares": 7.5,
                "maker_inventory_cap_shares": 50.0,
            },
            "risk": {"max_order_notional_usd": 100.0, "starting_equity_usd": 2_000.0},
        }
    )
    crypto = crypto_threshold_config(settings)
    assert (crypto.kelly.fraction, crypto.kelly.max_stake_frac) == (0.1, 0.01)
    assert crypto.kelly.max_notional == 100 * SHARE
    assert crypto.ev.threshold == 0.03
    assert (crypto.taker.enabled, crypto.taker.daily_budget) == (True, 25_500_000)
    assert (crypto.model.vol_annual, crypto.equity) == (0.6, 2_000 * SHARE)
    maker = maker_config(settings)
    assert (maker.order_size, maker.inventory_cap) == (7_500_000, 50 * SHARE)
    assert micros(0.1) == 100_000
    # Off by default.
    assert not crypto_threshold_config(Settings()).taker.enabled
