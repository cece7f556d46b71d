"""The RiskActor's gate: the RiskActor's decision without the ask, failing closed the same way,
and keeping the ask's ordering (mail queued before an approval is handled before it)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from astra.actors.chaos.synthetic import synthetic_markets
from astra.actors.engine import EngineParts
from astra.actors.messages import FillReport
from astra.actors.risk_book import DomainRiskBook
from astra.actors.risk_gate import RiskGate
from astra.actors.runtime.runtime_messages import Stall
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto
from astra.domain.risk_limits import RiskLimits
from astra.domain.trading import Fill, Liquidity, OrderIntent
from astra.domain.verdict import Verdict

from .trading_support import small_engine, wait_for

INFO = synthetic_markets(1)[0]
INTENT = OrderIntent(INFO.condition_id, INFO.yes_token, Side.BUY, 4800, 5_000_000, "t", "test")


class CallLog(DomainRiskBook):
    """The domain book, remembering the order of fills and checks (and able to break)."""

    def __init__(self, calls: list[str], broken: threading.Event) -> None:
        super().__init__(RiskLimits(), 10_000_000_000, 0)
        self._calls = calls
        self._broken = broken

    def check_intent(self, intent: OrderIntent, now_ms: int) -> Verdict:
        if self._broken.is_set():
            raise RuntimeError("risk book invariant broken")
        self._calls.append("check")
        return super().check_intent(intent, now_ms)

    def apply_fill(self, fill: Fill, now_ms: int) -> Any:
        self._calls.append(f"fill:{fill.fill_id}")
        return super().apply_fill(fill, now_ms)


def _fill(fill_id: str) -> Fill:
    return Fill(
        fill_id, "o1", INFO.condition_id, INFO.yes_token, Side.BUY, 4800, 5_000_000, 0,
        Liquidity.MAKER, 1,
    )  # fmt: skip


def _parts(calls: list[str], broken: threading.Event) -> EngineParts:
    return EngineParts(risk_book=lambda: CallLog(calls, broken))


def test_an_unbound_gate_is_risk_unavailable() -> None:
    verdict = RiskGate().approve(INTENT, 1, 0.1)
    assert (verdict.passed, verdict.reason) == (False, GateVeto.RISK_UNAVAILABLE)


def test_the_gate_decides_with_the_risk_actors_book_halted_then_resumed(tmp_path: Path) -> None:
    calls: list[str] = []
    with small_engine(tmp_path, markets=1, parts=_parts(calls, threading.Event())) as (
        engine,
        _,
        _,
    ):
        assert engine.risk_gate.approve(INTENT, 1, 1.0).reason is GateVeto.HALTED
        assert engine.resume("operator").resumed
        assert engine.risk_gate.approve(INTENT, 1, 1.0).passed
        assert calls == ["check", "check"]


def test_mail_queued_before_an_approval_is_handled_first(tmp_path: Path) -> None:
    calls: list[str] = []
    with small_engine(tmp_path, markets=1, parts=_parts(calls, threading.Event())) as (
        engine,
        _,
        _,
    ):
        assert engine.resume("operator").resumed
        release = threading.Event()
        engine.router.tell("risk", Stall(release, max_s=5.0))
        engine.router.tell("risk", FillReport(_fill("f1")))
        timer = threading.Timer(0.2, release.set)
        timer.start()
        try:
            verdict = engine.risk_gate.approve(INTENT, 1, 2.0)
        finally:
            timer.cancel()
        assert verdict.passed
        assert calls == ["fill:f1", "check"]  # the fill was booked before the check


def test_a_stalled_risk_actor_times_out(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=1) as (engine, _, _):
        assert engine.resume("operator").resumed
        release = threading.Event()
        engine.router.tell("risk", Stall(release, max_s=5.0))
        try:
            verdict = engine.risk_gate.approve(INTENT, 1, 0.1)
        finally:
            release.set()
        assert (verdict.passed, verdict.reason) == (False, GateVeto.RISK_TIMEOUT)
        assert engine.risk_gate.approve(INTENT, 1, 2.0).passed  # caught up again


def test_a_decision_that_raises_is_a_veto_and_crashes_the_risk_actor(tmp_path: Path) -> None:
    broken = threading.Event()
    with small_engine(tmp_path, markets=1, parts=_parts([], broken)) as (engine, _, _):
        assert engine.resume("operator").resumed
        first = engine.registry.get("risk")
        assert first is not None
        broken.set()
        verdict = engine.risk_gate.approve(INTENT, 1, 1.0)
        assert (verdict.passed, verdict.reason) == (False, GateVeto.RISK_UNAVAILABLE)
        assert "invariant broken" in verdict.detail
        assert wait_for(lambda: not first.is_alive())
        broken.clear()
        assert wait_for(engine.all_healthy)
        status = engine.risk_status()
        assert status is not None
        assert (status.state, status.halt_reason) == ("halted", "risk_actor_restart")
        # The new generation is bound, and halted until an explicit resume.
        assert engine.risk_gate.approve(INTENT, 1, 1.0).reason is GateVeto.HALTED
