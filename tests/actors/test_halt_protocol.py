from __future__ import annotations

from pathlib import Path

from astra.actors.runtime.runtime_messages import Crash
from astra.domain.journal_record import RecordKind
from astra.domain.metrics_port import ACTOR_FAILURES_TOTAL, CountingMetrics

from .trading_support import feed_steps, records, small_engine, wait_for


def test_market_death_halts_cancels_from_journal_and_restarts_halted(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=3) as (engine, store, stream):
        assert engine.resume("test").resumed
        feed_steps(engine, stream, 30)
        assert engine.drain()
        victim = engine.market_names()[0]
        digest = engine.digest(victim.removeprefix("market:"))
        assert digest is not None
        resting = digest.resting
        assert resting > 0
        engine.router.tell(victim, Crash("test"))
        assert wait_for(lambda: len(engine.halt_entries()) == 1 and engine.all_healthy())
        entry = engine.halt_entries()[0]
        assert (entry.name, entry.kind, entry.cause, entry.via_risk) == (
            victim,
            "market",
            "tell_exception",
            True,
        )
        assert entry.dead_orders_canceled == resting
        assert entry.committed_s >= entry.started_s
        # The halt and the dead market's cancels were durable before the restart.
        halt_reasons = [r.data()["reason"] for r in records(store, RecordKind.HALT)]
        assert "actor_failure" in halt_reasons
        rows = store.producer_records(victim)
        canceled = [
            r.data()
            for r in rows
            if r.kind is RecordKind.ORDER_EVENT and r.data()["reason"] == "halt"
        ]
        assert len(canceled) == resting
        status = engine.risk_status()
        assert status is not None
        assert status.state == "halted"
        assert engine.drain()
        for name in engine.market_names():
            d = engine.digest(name.removeprefix("market:"))
            assert d is not None
            assert d.resting == 0
        incidents = records(store, RecordKind.INCIDENT)
        assert incidents[-1].data()["actor_name"] == victim
        metrics = engine.metrics
        assert isinstance(metrics, CountingMetrics)
        assert metrics.counter_sum(ACTOR_FAILURES_TOTAL) == 1


def test_unexpected_stop_is_a_failure_too(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=2) as (engine, _store, _stream):
        name = engine.market_names()[1]
        ref = engine.registry.ref(name)
        assert ref is not None
        ref.stop(block=True, timeout=2.0)
        assert wait_for(lambda: len(engine.halt_entries()) == 1 and engine.all_healthy())
        assert engine.halt_entries()[0].cause == "stopped"
        metrics = engine.metrics
        assert isinstance(metrics, CountingMetrics)
        assert metrics.counter(ACTOR_FAILURES_TOTAL, {"kind": "market", "reason": "stopped"}) == 1


def test_risk_death_halts_without_the_risk_actor(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=2) as (engine, store, _stream):
        assert engine.resume("test").resumed
        engine.router.tell("risk", Crash("test"))
        assert wait_for(lambda: len(engine.halt_entries()) == 1 and engine.all_healthy())
        entry = engine.halt_entries()[0]
        assert entry.via_risk is False
        assert entry.halt_id < 0
        supervision = [r for r in records(store, RecordKind.HALT) if r.producer == "supervision"]
        assert supervision[-1].data()["reason"] == "actor_failure"
