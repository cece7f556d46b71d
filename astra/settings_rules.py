"""What each setting may be: the range of every number and the choices of every enumerated
string, checked once when settings are loaded (file, environment and flags alike).

A value outside its rule is a `SettingsError` naming the key, the value and what is allowed,
before anything starts. Every numeric setting must have a rule here (a test walks them), so a
new setting cannot slip through unchecked.

Why a table beside the dataclasses rather than pydantic-settings: the loader already gives
typed, frozen, hashable settings with TOML, `ASTRA_<SECTION>__<KEY>` and flags, and refuses
unknown keys; what was missing was ranges. A table of rules adds exactly that in one place
without a second settings model, a new runtime dependency or a rewrite of every consumer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INF = math.inf


@dataclass(frozen=True, slots=True)
class Range:
    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def allows(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def describe(self) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        hi = "inf" if self.hi == INF else _num(self.hi)
        return f"a number in {left}{_num(self.lo)}, {hi}{right}"


@dataclass(frozen=True, slots=True)
class OneOf:
    choices: tuple[str, ...]
    any_case: bool = False

    def allows(self, value: Any) -> bool:
        if self.any_case and isinstance(value, str):
            return value.upper() in self.choices
        return value in self.choices

    def describe(self) -> str:
        return "one of " + ", ".join(self.choices)


Rule = Range | OneOf


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def positive() -> Range:
    return Range(0, INF, lo_open=True, hi_open=True)


def non_negative() -> Range:
    return Range(0, INF, hi_open=True)


def fraction() -> Range:
    """A share of equity: above 0, at most all of it."""
    return Range(0, 1, lo_open=True)


def count(lo: int = 1, hi: float = INF) -> Range:
    return Range(lo, hi, hi_open=hi == INF)


PORT = Range(0, 65_535)  # 0: any free port (tests, side-by-side runs)

RULES: Mapping[str, Rule] = {
    "venue.http_timeout_s": Range(0, 300, lo_open=True),
    "venue.http_retries": count(0, 20),
    "discovery.max_markets": count(1, 20_000),
    "discovery.page_budget": count(1, 10_000),
    "discovery.min_liquidity": non_negative(),
    "discovery.refresh_s": Range(0, 7 * 86_400),
    "settlement.check_interval_s": Range(0, 86_400),  # 0: only at start
    "feed.max_assets_per_connection": count(1, 500),
    "feed.ping_interval_s": Range(0, 3_600, lo_open=True),
    "feed.reconnect_min_s": Range(0, 3_600, lo_open=True),
    "feed.reconnect_max_s": Range(0, 86_400, lo_open=True),
    "feed.stale_after_s": Range(0, 86_400, lo_open=True),
    "feed.silence_s": Range(0, 86_400),
    "feed.books_check_s": Range(0, 86_400),
    "feed.max_lag_ms": count(0, 3_600_000),
    "risk.starting_equity_usd": positive(),
    "risk.daily_loss_frac": fraction(),
    "risk.max_drawdown_frac": fraction(),
    "risk.cooldown_s": Range(0, 7 * 86_400),
    "risk.max_order_notional_usd": positive(),
    "risk.market_exposure_frac": fraction(),
    "risk.category_exposure_frac": fraction(),
    "risk.event_cap_frac": fraction(),
    "risk.max_orders_per_minute": count(1, 1_000_000),
    "risk.approval_timeout_s": Range(0, 60, lo_open=True),
    "orders.ttl_s": Range(0, 30 * 86_400, lo_open=True),
    "orders.stale_s": Range(0, 86_400, lo_open=True),
    "orders.max_chase_ticks": count(0, 1_000),
    "orders.tick_ms": count(0, 3_600_000),
    "orders.latency_ms_mean": Range(0, 60_000),
    "marking.mid_max_spread_ticks": count(0, 100),
    "marking.stale_after_s": Range(0, 7 * 86_400, lo_open=True),
    "accounting.equity_interval_s": Range(0, 86_400, lo_open=True),
    "accounting.returns_interval_s": Range(1, 7 * 86_400),
    "fills.queue_model": OneOf(("risk_averse", "probabilistic")),
    "fills.probabilistic_power": count(1, 16),
    "fills.cancel_latency_ms_mean": Range(0, 60_000),
    "fills.cancel_latency_ms_min": count(0, 60_000),
    "strategy.kelly_fraction": fraction(),
    "strategy.max_kelly_stake_frac": fraction(),
    "strategy.min_edge": Range(0, 1, hi_open=True),
    "strategy.taker_budget_usd": non_negative(),
    "strategy.taker_edge_margin": Range(0, 1, hi_open=True),
    "strategy.vol_annual": Range(0, 100),
    "strategy.spot_stale_s": Range(0, 86_400, lo_open=True),
    "strategy.spot_sample_interval_s": Range(0, 86_400, lo_open=True),
    "strategy.maker_risk_aversion": positive(),
    "strategy.maker_horizon_s": Range(0, 30 * 86_400, lo_open=True),
    "strategy.maker_order_shares": Range(0, 1e9, lo_open=True),
    "strategy.maker_inventory_cap_shares": Range(0, 1e9, lo_open=True),
    "journal.batch_size": count(1, 100_000),
    "journal.flush_interval_ms": count(1, 60_000),
    "journal.synchronous": OneOf(("OFF", "NORMAL", "FULL", "EXTRA")),
    "journal.backups_keep": count(1, 1_000),
    "metrics.port": PORT,
    "control.port": PORT,
    "run.seed": count(0, 2**63 - 1),
    "run.burn_in_rounds": count(0, 1_000),
    "run.startup_timeout_s": Range(0, 3_600, lo_open=True),
    "run.shutdown_timeout_s": Range(0, 3_600, lo_open=True),
    "run.market_workers": count(0, 256),
    "run.market_throughput": count(1, 1_000_000),
    "run.market_mailbox": count(0, 10_000_000),
    "run.market_conflate_depth": count(0, 10_000_000),
    "run.gc_threshold0": count(0, 10_000_000),
    "run.status_interval_s": Range(0, 86_400),
    "logging.level": OneOf(("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), any_case=True),
    "alerts.min_interval_s": Range(0, 86_400),
    "arb.depth": count(1, 100),
    "arb.escalation_daily_usd": Range(0, 1_000_000),
    "arb.escalation_per_opportunity_usd": Range(0, 1_000_000),
    "arb.maker_wait_ms": count(0, 3_600_000),
    "arb.taker_latency_ms": count(0, 60_000),
    "models.weather_sigma_base_f": Range(0.5, 30),
    "models.weather_sigma_per_day_f": Range(0, 10),
    "models.weather_forecast_stale_s": Range(0, 7 * 86_400, lo_open=True),
    "models.weather_observation_stale_s": Range(0, 86_400, lo_open=True),
    "models.rates_target_lower_bp": Range(-1, 10_000),
    "models.rates_target_upper_bp": Range(-1, 10_000),
    "models.rates_half_width": Range(0, 0.5, hi_open=True),
    "models.rates_prior_stale_s": Range(0, 30 * 86_400, lo_open=True),
    "models.model_poll_interval_s": Range(1, 86_400),
}


def rule_problems(values: Mapping[str, Any]) -> list[str]:
    """One line per setting (dotted key -> value) that breaks its rule, in key order."""
    problems = []
    for key in sorted(values):
        rule = RULES.get(key)
        value = values[key]
        if rule is not None and not rule.allows(value):
            problems.append(f"{key} = {value!r} is out of range: must be {rule.describe()}")
    return problems
