from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import synthetic_markets
from astra.actors.engine import Engine
from astra.actors.journal_bag import JournalBag
from astra.actors.messages import EquityTick, FillReport
from astra.actors.risk_actor import RISK_PRODUCER
from astra.actors.runtime.runtime_messages import Crash
from astra.domain.clock import ManualClock
from astra.domain.journal_record import RecordKind
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto, HaltReason
from astra.domain.trading import Fill, Liquidity, OrderIntent
from astra.domain.verdict import Verdict

from .trading_support import records, small_engine, wait_for

INFO = synthetic_markets(1)[0]
INTENT = OrderIntent(INFO.condition_id, INFO.yes_token, Side.BUY, 4800, 5_000_000, "t", "test")


def fill(n: int) -> Fill:
    return Fill(
        f"f{n}",
        f"o{n}",
        INFO.condition_id,
        INFO.yes_token,
        Side.BUY,
        4800,
        5_000_000,
        0,
        Liquidity.MAKER,
        1,
    )


def approve(engine: Engine) -> Verdict:
    return engine.risk_gate.approve(INTENT, 1, 2.0)


def test_starts_halted_denies_until_explicit_resume(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=1) as (engine, store, _):
        verdict = approve(engine)
        assert verdict.reason is GateVeto.HALTED
        status = engine.risk_status()
        assert status is not None
        assert (status.state, status.halt_reason) == ("halted", "startup")
        assert engine.resume("operator").resumed
        assert approve(engine).passed
        assert engine.drain()
        halts = [r.data()["reason"] for r in records(store, RecordKind.HALT)]
        assert halts[0] == "startup"


def test_fills_are_booked_once_and_journaled_as_ledger(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=1) as (engine, store, _):
        for _ in range(2):
            engine.router.tell("risk", FillReport(fill(1)))
        assert engine.drain()
        status = engine.risk_status()
        assert status is not None
        assert status.fills_applied == 1
        ledgers = [r.data() for r in records(store, RecordKind.LEDGER)]
        assert ledgers[-1]["fills"] == 1
        assert ledgers[-1]["cash"] == ledgers[-1]["opening_cash"] - 2_400_000


def test_death_means_no_approvals_then_restart_halted_with_replayed_ledger(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=1) as (engine, store, _):
        assert engine.resume("operator").resumed
        # A fill the RiskActor never hears of is still journaled by its market.
        box = engine.outboxes.get(f"market:{INFO.condition_id}")
        payload = {
            "fill_id": "lost-1", "order_id": "o9", "asset_id": INFO.yes_token, "side": "BUY",
            "price": 4800, "size": 5_000_000, "fee": 0, "liquidity": "maker",
        }  # fmt: skip
        store.write_batch([box.append(RecordKind.FILL, 1, INFO.condition_id, payload)])
        before = engine.registry.get("risk")
        assert before is not None
        engine.router.tell("risk", Crash("test"))
        assert wait_for(lambda: not before.is_alive())
        assert wait_for(engine.all_healthy)
        status = engine.risk_status()
        assert status is not None
        assert status.state == "halted"
        assert status.halt_reason == "risk_actor_restart"
        assert status.fills_applied == 1  # rebuilt from the journal
        assert not approve(engine).passed
        assert engine.halt_entries()[0].kind == "risk"
        assert engine.drain()
        reasons = [r.data()["reason"] for r in records(store, RecordKind.HALT)]
        assert "risk_actor_restart" in reasons
        assert store.max_seq(RISK_PRODUCER) > 0


def test_no_risk_actor_means_risk_unavailable_and_local_halt_comes_first() -> None:
    from astra.actors.market_actor import MarketDeps, _RiskLink
    from astra.actors.market_state import MarketConfig
    from astra.actors.risk_gate import RiskGate
    from astra.actors.runtime.registry import Registry
    from astra.actors.runtime.tally import Router
    from astra.domain.metrics_port import CountingMetrics

    router = Router(Registry(CountingMetrics()))
    deps = MarketDeps(
        router=router,
        journal=None,  # type: ignore[arg-type]
        books=None,  # type: ignore[arg-type]
        config=MarketConfig(require_contract=False),
        strategy=lambda info: None,  # type: ignore[arg-type,return-value]
        risk_gate=RiskGate(),  # no RiskActor ever bound
        journal_bag=JournalBag(router, "telemetry"),
    )
    link = _RiskLink(deps)
    assert link.approve(INTENT, 1).reason is GateVeto.HALTED  # comes up halted
    link.halted = False
    verdict = link.approve(INTENT, 1)
    assert verdict.reason is GateVeto.RISK_UNAVAILABLE
    assert not verdict.passed


def test_a_restart_restores_the_journaled_peak_and_an_unreadable_one_halts(
    tmp_path: Path,
) -> None:
    with small_engine(tmp_path, markets=1) as (engine, store, _):
        assert engine.drain()
        start = [r.data() for r in records(store, RecordKind.LEDGER)][-1]
        assert start["trigger"] == "start"
        assert start["equity"] == start["cash"] == start["opening_cash"]
        box = engine.outboxes.get(RISK_PRODUCER)
        # A peak 0.1% above the opening cash, as an earlier process journaled it.
        peak = {**start["risk"], "peak_equity": start["equity"] * 1001 // 1000}
        store.write_batch([box.append(RecordKind.LEDGER, 2, None, {**start, "risk": peak})])
        before = engine.registry.get("risk")
        assert before is not None
        engine.router.tell("risk", Crash("test"))
        assert wait_for(lambda: not before.is_alive())
        assert wait_for(engine.all_healthy)
        assert engine.drain()
        # A 0.1% drawdown, under the 10% limit: no halt, and the restored peak holds.
        restored = [r.data() for r in records(store, RecordKind.LEDGER)][-1]
        assert restored["risk"]["peak_equity"] == peak["peak_equity"]
        assert [r.data()["reason"] for r in records(store, RecordKind.HALT)][-1] == (
            "risk_actor_restart"
        )
        status = engine.risk_status()
        assert status is not None
        assert status.account is not None
        assert status.account["peak_equity"] == peak["peak_equity"]

        broken = {**start, "risk": {**start["risk"], "marks": {"x": "0.5"}}}
        store.write_batch([box.append(RecordKind.LEDGER, 3, None, broken)])
        again = engine.registry.get("risk")
        assert again is not None
        engine.router.tell("risk", Crash("test"))
        assert wait_for(lambda: not again.is_alive())
        assert wait_for(engine.all_healthy)
        assert engine.drain()
        halts = [r.data() for r in records(store, RecordKind.HALT)]
        assert halts[-1]["reason"] == "risk_state_unreadable"
        assert "malformed durable risk state" in halts[-1]["detail"]


def test_a_flat_book_keeps_the_equity_cadence_and_a_shutdown_journals_the_last(
    tmp_path: Path,
) -> None:
    clock = ManualClock(1_000_000)
    config = replace(chaos_engine_config(), watchdog=None, equity_interval_ms=60_000)
    with small_engine(tmp_path, markets=1, config=config, clock=clock) as (engine, store, _):
        engine.router.tell(RISK_PRODUCER, EquityTick())
        assert engine.drain()
        clock.advance(59_999)
        engine.router.tell(RISK_PRODUCER, EquityTick())  # not yet due
        clock.advance(1)
        engine.router.tell(RISK_PRODUCER, EquityTick())  # 60 s after the start record
        assert engine.drain()
        triggers = [(r.ts_ms, r.data()["trigger"]) for r in records(store, RecordKind.LEDGER)]
        assert triggers == [(1_000_000, "start"), (1_060_000, "interval")]
        clock.advance(5)
        assert engine.halt(HaltReason.SHUTDOWN, "test")  # what the runtime's stop sends
        assert engine.drain()
        last = records(store, RecordKind.LEDGER)[-1]
        assert (last.ts_ms, last.data()["trigger"]) == (1_060_005, "stop")


def test_a_durable_drawdown_halt_lifts_only_with_an_operator_rebase(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=1) as (engine, store, _):
        assert engine.drain()
        start = [r.data() for r in records(store, RecordKind.LEDGER)][-1]
        box = engine.outboxes.get(RISK_PRODUCER)
        # An earlier process peaked 25% above the equity now: a 20% drawdown (limit 10%).
        peak = {**start["risk"], "peak_equity": start["equity"] * 5 // 4}
        store.write_batch([box.append(RecordKind.LEDGER, 2, None, {**start, "risk": peak})])
        before = engine.registry.get("risk")
        assert before is not None
        engine.router.tell("risk", Crash("test"))
        assert wait_for(lambda: not before.is_alive())
        assert wait_for(engine.all_healthy)
        assert engine.drain()
        halts = [r.data()["reason"] for r in records(store, RecordKind.HALT)]
        assert halts[-1] == "drawdown"
        refused = engine.resume("operator")
        assert not refused.resumed
        assert "condition persists" in refused.detail
        assert engine.resume("operator", rebase_peak=True).resumed
        assert engine.drain()
        rebased = [r.data() for r in records(store, RecordKind.LEDGER)][-1]
        assert rebased["trigger"] == "rebase"
        assert rebased["risk"]["peak_equity"] == rebased["equity"] == start["equity"]
