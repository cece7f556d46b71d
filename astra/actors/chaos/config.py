"""The engine configuration the chaos scenario and its drills run under."""

from __future__ import annotations

from astra.actors.engine import EngineConfig
from astra.actors.market_state import MarketConfig
from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.supervision import Intensity, Strategy
from astra.actors.runtime.supervisor import SupervisorConfig
from astra.actors.runtime.watchdog import WatchdogConfig
from astra.domain.order_manager import OrderConfig
from astra.domain.risk_limits import RiskLimits


def chaos_engine_config() -> EngineConfig:
    """Fast restarts, huge budgets, zero latency: what every chaos run starts from."""
    backoff = BackoffPolicy(base_ms=2, cap_ms=20, reset_after_ms=500)
    budget = Intensity(max_restarts=100_000, period_ms=60_000)
    return EngineConfig(
        # Synthetic markets carry no definition contract: the harness tests fault handling,
        # so it trades them without one (the one place contracts are not required).
        market=MarketConfig(orders=OrderConfig(latency_mean_ms=0), require_contract=False),
        risk_limits=RiskLimits(max_orders_per_window=1_000_000, cooldown_ms=0),
        initial_cash=10**12,
        risk_timeout_s=0.5,
        halt_timeout_s=1.0,
        root=SupervisorConfig("root", Strategy.ONE_FOR_ONE, budget, backoff),
        markets=SupervisorConfig("markets", Strategy.SIMPLE_ONE_FOR_ONE, budget, backoff),
        watchdog=WatchdogConfig(stuck_ms=250, stale_ms=2_000, interval_s=0.05),
    )
