"""`[arb]` settings -> the engine's ArbConfig: off by default, budgets in exact micro-USD."""

from __future__ import annotations

import dataclasses

from astra.app.runtime import arb_config, engine_config
from astra.settings import ArbSettings, Settings


def test_arb_is_off_by_default() -> None:
    assert arb_config(Settings()) is None
    assert engine_config(Settings(), "r", 1, live=False).arb is None


def test_arb_settings_map_to_the_engine() -> None:
    arb = ArbSettings(
        enabled=True,
        depth=7,
        escalation=True,
        escalation_event="0xabc",
        escalation_daily_usd=250.5,
        escalation_per_opportunity_usd=20,
        maker_wait_ms=1500,
        taker_latency_ms=300,
    )
    config = arb_config(dataclasses.replace(Settings(), arb=arb))
    assert config is not None
    assert config.depth == 7
    assert config.only_event == "0xabc"
    assert config.maker_wait_ms == 1500
    assert config.escalation.enabled
    assert config.escalation.daily_budget == 250_500_000
    assert config.escalation.per_opportunity_budget == 20_000_000
    assert config.escalation.latency_ms == 300
    measured_only = arb_config(dataclasses.replace(Settings(), arb=ArbSettings(enabled=True)))
    assert measured_only is not None
    assert not measured_only.escalation.enabled
