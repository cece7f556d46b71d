"""Build the running engine from Settings: journal store + crash-only start -> actor engine.

`Runtime` owns the journal store, the run manifest and the `Engine` (the actor tree of
`astra.actors.engine`). Trading starts HALTED (the RiskActor's startup halt); `open_trading`
lifts that only when the journal holds no durable halt, so a halt survives a restart.
`stop` is the orderly end: cancel every resting order, halt, commit, stop the tree, close
the manifest — bounded by a deadline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from astra.actors.backpressure import BackpressureConfig
from astra.actors.engine import Engine, EngineConfig, EngineParts
from astra.actors.engine_events import ArbConfig
from astra.actors.market_state import MarketConfig
from astra.actors.messages import CancelAll, ResumeResult
from astra.actors.ports import BookSource
from astra.actors.runtime.watchdog import WatchdogConfig
from astra.actors.telemetry_actor import TelemetryConfig
from astra.adapters.journal.runs import RunStatus, close_run
from astra.adapters.journal.store import JournalStore
from astra.app.contracts import ContractPlan, settings_contract_plan
from astra.app.gc_policy import release_heap, settle_heap
from astra.app.journal_metrics import MeteredJournal, zero_series
from astra.app.recovery_start import StartState, recover_and_open
from astra.app.risk_book import RiskBookFactory
from astra.app.strategies import ContractStrategyFactory
from astra.domain.arb_taker import EscalationConfig
from astra.domain.clock import Clock
from astra.domain.market import MarketInfo
from astra.domain.marking import MarkingRule
from astra.domain.metrics_port import MetricsSink
from astra.domain.order_manager import OrderConfig
from astra.domain.queue_models import queue_model
from astra.domain.reasons import HaltReason, OrderReason
from astra.domain.risk_limits import AutoResume, RiskLimits
from astra.settings import Settings

_log = logging.getLogger("astra.app.runtime")
MICROS = 1_000_000


def risk_limits(settings: Settings) -> RiskLimits:
    risk = settings.risk
    return RiskLimits(
        daily_loss_frac=risk.daily_loss_frac,
        max_drawdown_frac=risk.max_drawdown_frac,
        cooldown_ms=round(risk.cooldown_s * 1000),
        max_order_notional=round(risk.max_order_notional_usd * MICROS),
        market_cap_frac=risk.market_exposure_frac,
        default_category_cap_frac=risk.category_exposure_frac,
        event_cap_frac=risk.event_cap_frac,
        max_orders_per_window=risk.max_orders_per_minute,
        order_window_ms=60_000,
        auto_resume=AutoResume.WHEN_CLEARED if risk.auto_resume else AutoResume.NEVER,
    )


def fill_options(settings: Settings) -> dict[str, Any]:
    """`[fills]` as `OrderConfig` fields: the queue model and the cancel latency."""
    fills = settings.fills
    return {
        "queue_model": queue_model(fills.queue_model, fills.probabilistic_power),
        "cancel_latency_mean_ms": fills.cancel_latency_ms_mean,
        "cancel_latency_min_ms": fills.cancel_latency_ms_min,
    }


def engine_config(settings: Settings, run_id: str, seed: int, *, live: bool) -> EngineConfig:
    """Live runs get the watchdog and the journal flush timer; replays get neither (both run
    on wall time, which must not influence a replay) and commit on `drain`."""
    orders = settings.orders
    market = MarketConfig(
        orders=OrderConfig(
            ttl_ms=round(orders.ttl_s * 1000),
            stale_ms=round(orders.stale_s * 1000),
            max_chase_ticks=orders.max_chase_ticks,
            latency_mean_ms=orders.latency_ms_mean,
            rebate=orders.maker_rebate,
            taker_enabled=settings.strategy.taker_escalation,
            **fill_options(settings),
        ),
        run_id=run_id,
        require_contract=settings.strategy.require_contract,
        seed=seed,
        spot_sample_interval_ms=round(settings.strategy.spot_sample_interval_s * 1000),
        marking=MarkingRule(
            mid_max_spread_ticks=settings.marking.mid_max_spread_ticks,
            stale_after_ms=round(settings.marking.stale_after_s * 1000),
        ),
    )
    journal = settings.journal
    return EngineConfig(
        market=market,
        telemetry=TelemetryConfig(journal.batch_size, journal.flush_interval_ms),
        risk_limits=risk_limits(settings),
        initial_cash=round(settings.risk.starting_equity_usd * MICROS),
        risk_timeout_s=settings.risk.approval_timeout_s,
        watchdog=WatchdogConfig() if live else None,
        flush_interval_s=journal.flush_interval_ms / 1000 if live else None,
        market_tick_ms=orders.tick_ms or None,
        backpressure=BackpressureConfig(
            capacity=settings.run.market_mailbox,
            conflate_depth=settings.run.market_conflate_depth,
            max_lag_ms=settings.feed.max_lag_ms,
        ),
        market_workers=settings.run.market_workers,
        market_throughput=settings.run.market_throughput,
        equity_interval_ms=round(settings.accounting.equity_interval_s * 1000),
        arb=arb_config(settings),
    )


def arb_config(settings: Settings) -> ArbConfig | None:
    """`[arb]` as the engine takes it: None (no EventActors) unless enabled."""
    arb = settings.arb
    if not arb.enabled:
        return None
    escalation = EscalationConfig(
        enabled=arb.escalation,
        daily_budget=round(arb.escalation_daily_usd * MICROS),
        per_opportunity_budget=round(arb.escalation_per_opportunity_usd * MICROS),
        latency_ms=arb.taker_latency_ms,
    )
    return ArbConfig(
        depth=arb.depth,
        escalation=escalation,
        maker_wait_ms=arb.maker_wait_ms,
        only_event=arb.escalation_event,
    )


@dataclass(frozen=True, slots=True)
class RuntimeInputs:
    settings: Settings
    markets: Sequence[MarketInfo]
    books: BookSource
    clock: Clock
    metrics: MetricsSink
    strategy: ContractStrategyFactory
    seed: int
    live: bool
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class StopReport:
    status: str
    seconds: float
    canceled_markets: int
    clean_tree: bool
    flushed: bool


@dataclass(slots=True)
class Runtime:
    store: JournalStore
    start: StartState
    engine: Engine
    risk_books: RiskBookFactory
    inputs: RuntimeInputs
    contracts: ContractPlan = field(default_factory=ContractPlan)
    stopped: StopReport | None = field(default=None)

    @property
    def run_id(self) -> str:
        return self.start.run_id

    def open_trading(self, operator: str) -> ResumeResult:
        """Lift the startup halt, unless a durable halt from before the restart is active."""
        durable = self.start.durable_halts
        if durable:
            reasons = ",".join(sorted(durable))
            return ResumeResult(False, f"durable halt from a previous run: {reasons}")
        return self.engine.resume(operator)

    def halt_reasons(self) -> list[str]:
        book = self.risk_books.current
        return [] if book is None else book.halt_reasons()

    def cancel_all(self, reason: OrderReason) -> int:
        names = self.engine.market_names()
        for name in names:
            self.engine.router.tell(name, CancelAll(reason))
        return len(names)

    def stop(self, status: RunStatus, detail: str, timeout_s: float) -> StopReport:
        """Cancel all, halt, commit and stop the tree, then close the manifest; idempotent."""
        if self.stopped is not None:
            return self.stopped
        started = time.monotonic()
        deadline = started + timeout_s
        canceled = self.cancel_all(OrderReason.SHUTDOWN)
        self.engine.halt(HaltReason.SHUTDOWN, detail, timeout_s=_left(deadline, 1.0))
        flushed = self.engine.drain(timeout_s=_left(deadline, 1.5))
        report = self.engine.shutdown(timeout_s=_left(deadline, 2.0))
        clock_now = self.inputs.clock.now_ms()
        close_run(self.store, self.run_id, ended_ms=clock_now, status=status, detail=detail)
        self.store.checkpoint()
        self.store.close()
        release_heap()
        self.stopped = StopReport(
            status.value, time.monotonic() - started, canceled, report.clean, flushed
        )
        return self.stopped


def _left(deadline: float, cap: float) -> float:
    return max(0.05, min(cap, deadline - time.monotonic()))


def build_runtime(store: JournalStore, inputs: RuntimeInputs) -> Runtime:
    """Crash-only start on `store`, then the engine over `inputs.markets` (started)."""
    start = recover_and_open(
        store,
        inputs.settings,
        inputs.clock.now_ms(),
        run_id=inputs.run_id,
        markets=inputs.markets,
        seed=inputs.seed,
    )
    config = engine_config(inputs.settings, start.run_id, inputs.seed, live=inputs.live)
    books = RiskBookFactory(store, config.risk_limits, config.initial_cash, inputs.clock.now_ms)
    zero_series(inputs.metrics, len(inputs.markets))
    plan = settings_contract_plan(inputs.settings, inputs.markets, inputs.metrics)
    parts = EngineParts(
        contract_strategy=inputs.strategy,
        contracts=plan.contracts,
        contract_missing=plan.missing,
        risk_book=books,
    )
    engine = Engine(
        inputs.markets,
        MeteredJournal(
            store,
            inputs.metrics,
            round(inputs.settings.accounting.returns_interval_s * 1000),
        ),
        inputs.books,
        clock=inputs.clock,
        metrics=inputs.metrics,
        config=config,
        parts=parts,
    )
    try:
        engine.start()
    except BaseException:
        engine.shutdown(timeout_s=2.0)
        close_run(
            store,
            start.run_id,
            ended_ms=inputs.clock.now_ms(),
            status=RunStatus.ERROR,
            detail="engine failed to start",
        )
        raise
    settle_heap(inputs.settings.run.gc_threshold0)
    _log.info(
        "engine started: run_id=%s markets=%d crashed_runs=%d restart_canceled=%d durable=%s",
        start.run_id,
        len(inputs.markets),
        len(start.crashed_runs),
        len(start.restart_canceled),
        sorted(start.durable_halts),
    )
    return Runtime(store, start, engine, books, inputs, plan)
