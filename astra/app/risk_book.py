"""The RiskActor's book as the composition root builds it: the domain RiskState (through the
actors' `DomainRiskBook`) with the durable halts re-applied.

Every RiskActor generation builds a fresh book; this factory re-applies the halts the journal
says are still active (with their original times, so a cooldown runs from the original halt),
so an operator or loss halt survives a RiskActor restart and a process restart alike. The
halts every start and stop make (startup, risk actor restart, shutdown) go into the RiskState
like any other; it does not start its resume cooldown for them (`astra.domain.risk`).
"""

from __future__ import annotations

from collections.abc import Callable

from astra.actors.ports import JournalReader
from astra.actors.risk_book import DomainRiskBook
from astra.app.halts import durable_halts
from astra.domain.journal_record import RecordKind
from astra.domain.risk_limits import RiskLimits

HALT_KINDS = (RecordKind.HALT, RecordKind.RISK_EVENT)


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
        self.current: DomainRiskBook | None = None

    def __call__(self) -> DomainRiskBook:
        book = DomainRiskBook(self._limits, self._cash, self._now_ms())
        stored = self._journal.records_since(0, HALT_KINDS)
        for halt in durable_halts(s.record for s in stored).values():
            book.halt(halt.reason, halt.since_ms, f"restored from the journal: {halt.detail}")
        self.current = book
        return book
