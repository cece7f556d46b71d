"""`[fills]`: the queue model and the cancel latency reach the order manager; bad values are
named settings errors."""

from __future__ import annotations

import pytest

from astra.app.runtime import engine_config
from astra.domain.queue_models import QueueModelName
from astra.settings import SettingsError, load_settings


def test_defaults_are_risk_averse_with_a_cancel_flight() -> None:
    orders = engine_config(load_settings(), "r", 7, live=False).market.orders
    assert orders.queue_model.name is QueueModelName.RISK_AVERSE
    assert (orders.cancel_latency_mean_ms, orders.cancel_latency_min_ms) == (250.0, 0)


def test_fills_section_is_applied() -> None:
    tables = {"fills": {"queue_model": "probabilistic", "probabilistic_power": 3,
                        "cancel_latency_ms_mean": 0.0, "cancel_latency_ms_min": 40}}  # fmt: skip
    orders = engine_config(load_settings(overrides=tables), "r", 7, live=False).market.orders
    assert (orders.queue_model.name, orders.queue_model.power) == (QueueModelName.PROBABILISTIC, 3)
    assert (orders.cancel_latency_mean_ms, orders.cancel_latency_min_ms) == (0.0, 40)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"queue_model": "optimistic"}, "fills.queue_model 'optimistic'"),
        ({"probabilistic_power": 0}, "probabilistic_power"),
        ({"cancel_latency_ms_min": -1}, "must not be negative"),
    ],
)
def test_bad_fills_settings_are_named(table: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(overrides={"fills": table})
