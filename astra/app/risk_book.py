"""The RiskActor's book as the composition root builds it: the domain RiskState (through the
actors' `DomainRiskBook`) plus two things only the process level knows about.

1. **Durable halts.** Every RiskActor generation builds a fresh book; this factory re-applies
   the halts the journal says are still active (with their original times, so a cooldown
   runs from the original halt), so an operator or loss halt survives a RiskActor restart
   and a process restart alike.
2. **A start gate.** The halts every start and stop make (startup, risk actor restart,
   shutdown) close a gate here instead of entering the RiskState: they are not risk events,
   so they must not start the RiskState's resume cooldown (with a 15-minute cooldown the
   trader could not begin trading for 15 minutes after every start). While the gate is
   closed every intent is vetoed `halted`; an explicit resume opens it, and it resumes the
   RiskState too (which still enforces conditions and cooldowns of real halts).

Everything else passes through to the `DomainRiskBook`, including marks (so the loss halts
see unrealised P&L and equity is published for sizing), settlement and the LEDGER payload
(which carries `opening_cash`, `fills` and `settled` itself).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from astra.actors.ports import JournalReader
from astra.actors.risk_book import DomainRiskBook
from astra.app.halts import TRANSIENT_HALTS, durable_halts
from astra.domain.journal_record import RecordKind
from astra.domain.reasons import GateVeto, HaltReason
from astra.domain.risk_limits import RiskLimits
from astra.domain.trading import Fill, OrderIntent, Settlement
from astra.domain.verdict import Verdict

GATE = "risk"
HALT_KINDS = (RecordKind.HALT, RecordKind.RISK_EVENT)


class AppRiskBook:
    def __init__(self, inner: DomainRiskBook) -> None:
        self._inner = inner
        self._gate: set[HaltReason] = set()
        self._lock = threading.Lock()  # status reads come from other threads

    # -- RiskBook port ---------------------------------------------------------------------
    def is_halted(self) -> bool:
        return bool(self._gate) or self._inner.is_halted()

    def state_name(self) -> str:
        return "halted" if self._gate else self._inner.state_name()

    def check_intent(self, intent: OrderIntent, now_ms: int) -> Verdict:
        if self._gate:
            gate = ",".join(sorted(self._gate))
            return Verdict.veto(GATE, GateVeto.HALTED, f"halted until resume: {gate}")
        return self._inner.check_intent(intent, now_ms)

    def apply_fill(self, fill: Fill, now_ms: int) -> HaltReason | None:
        return self._inner.apply_fill(fill, now_ms)

    # -- MarkedRiskBook --------------------------------------------------------------------
    def apply_marks(self, marks: Mapping[str, int], now_ms: int) -> HaltReason | None:
        return self._inner.apply_marks(marks, now_ms)

    def equity(self) -> int:
        return self._inner.equity()

    def settle(self, settlement: Settlement, now_ms: int) -> HaltReason | None:
        return self._inner.settle(settlement, now_ms)

    def halt(self, reason: HaltReason, now_ms: int, detail: str) -> bool:
        if reason in TRANSIENT_HALTS:
            with self._lock:
                new = reason not in self._gate
                self._gate.add(reason)
            return new
        return self._inner.halt(reason, now_ms, detail)

    def resume(self, now_ms: int, operator: str) -> str | None:
        refusal = self._inner.resume(now_ms, operator)
        if refusal is None:
            with self._lock:
                self._gate.clear()
        return refusal

    def ledger_payload(self) -> dict[str, Any]:
        return self._inner.ledger_payload()

    def digest(self) -> str:
        return self._inner.digest()

    # -- for status ------------------------------------------------------------------------
    def halt_reasons(self) -> list[str]:
        with self._lock:
            gate = set(self._gate)
        return sorted({*gate, *self._inner.state.halts})


class RiskBookFactory:
    """`EngineParts.risk_book`: a fresh book per RiskActor generation, durable halts restored.
    `current` is the live generation's book (for status and the crash checks)."""

    def __init__(
        self,
        journal: JournalReader,
        limits: RiskLimits,
        initial_cash: int,
        now_ms: Callable[[], int],
    ) -> None:
        self._journal = journal
        self._limits = limits
        self._cash = initial_cash
        self._now_ms = now_ms
        self.current: AppRiskBook | None = None

    def __call__(self) -> AppRiskBook:
        book = AppRiskBook(DomainRiskBook(self._limits, self._cash, self._now_ms()))
        stored = self._journal.records_since(0, HALT_KINDS)
        for halt in durable_halts(s.record for s in stored).values():
            book.halt(halt.reason, halt.since_ms, f"restored from the journal: {halt.detail}")
        self.current = book
        return book
