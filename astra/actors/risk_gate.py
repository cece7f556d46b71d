"""The RiskActor's approval gate: the RiskActor's own decision, taken on the caller's thread.

The RiskActor is the only thing that says yes (docs/architecture.md). An approval used to be
an `ask`: a future, a mailbox put, two thread hand-offs under one GIL. Profiled at 1,000
markets, market workers spent 60-70 % of their time waiting for that reply while the
RiskActor itself was 92 % idle — the cost was the hand-off, not the risk check.

The gate keeps the decision where it was: the *current RiskActor generation's* book and
counters, under that generation's lock, which the RiskActor also holds while it handles any
message of its own. And it keeps the ask's ordering: an approval first waits until the
RiskActor has handled every message queued before it (a market's fill reported a moment ago
is booked before that market's next approval, as it was when both went through the
mailbox). Only the hand-off is gone: when the RiskActor is idle — nearly always — nothing
waits. It fails closed like the ask did:

- no generation bound (dead, restarting, not yet replayed)  -> RISK_UNAVAILABLE;
- the generation bound but stopped or abandoned              -> RISK_UNAVAILABLE;
- its earlier mail not handled, or its lock not had, within
  the timeout (a busy, stalled or stuck RiskActor)           -> RISK_TIMEOUT;
- the decision raising (a broken book)                        -> RISK_UNAVAILABLE, the
  binding is dropped and the RiskActor is told to crash, so supervision halts and restarts
  it exactly as a crash inside an approval ask did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from astra.domain.reasons import GateVeto
from astra.domain.trading import OrderIntent
from astra.domain.verdict import Verdict

RISK_GATE = "risk"


@dataclass(frozen=True, slots=True)
class GateBinding:
    """One RiskActor generation as the gate sees it."""

    generation: int
    lock: threading.Lock  # held by the RiskActor while it handles a message
    decide: Callable[[OrderIntent, int], Verdict]  # call only under `lock`
    usable: Callable[[], bool]  # False once the generation stopped or was abandoned
    caught_up: Callable[[float], bool]  # waits (bounded) until the mail queued so far is handled
    on_fault: Callable[[Exception], None]  # tells the generation to crash


class RiskGate:
    """Engine-owned (it outlives RiskActor generations); markets approve through it."""

    def __init__(self) -> None:
        self._binding: GateBinding | None = None
        self._lock = threading.Lock()  # guards the binding itself, never held while deciding

    def bind(self, binding: GateBinding) -> None:
        with self._lock:
            self._binding = binding

    def unbind(self, generation: int) -> None:
        """Drop `generation` if it is still the bound one (a newer binding is left alone)."""
        with self._lock:
            if self._binding is not None and self._binding.generation == generation:
                self._binding = None

    @property
    def bound(self) -> bool:
        return self._binding is not None

    def approve(self, intent: OrderIntent, now_ms: int, timeout_s: float) -> Verdict:
        binding = self._binding  # one atomic read: the generation this approval belongs to
        if binding is None:
            return Verdict.veto(RISK_GATE, GateVeto.RISK_UNAVAILABLE, "no risk actor bound")
        deadline = time.monotonic() + timeout_s
        if not binding.caught_up(timeout_s):
            return Verdict.veto(RISK_GATE, GateVeto.RISK_TIMEOUT, "risk actor behind its mail")
        if not binding.lock.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            return Verdict.veto(RISK_GATE, GateVeto.RISK_TIMEOUT, "risk actor busy")
        try:
            if not binding.usable():
                return Verdict.veto(RISK_GATE, GateVeto.RISK_UNAVAILABLE, "risk actor stopped")
            return self._decide(binding, intent, now_ms)
        finally:
            binding.lock.release()

    def _decide(self, binding: GateBinding, intent: OrderIntent, now_ms: int) -> Verdict:
        try:
            verdict = binding.decide(intent, now_ms)
        except Exception as exc:  # noqa: BLE001 - a broken book is a veto and a RiskActor crash
            self.unbind(binding.generation)
            binding.on_fault(exc)
            return Verdict.veto(RISK_GATE, GateVeto.RISK_UNAVAILABLE, repr(exc))
        return verdict
