"""RiskActor: the single owner of the risk state and ledger, and the only thing that says yes.

It decides every approval (`approve_locked`, run by the engine's `RiskGate` on the asking
market's thread under this generation's lock), books fills (once per fill id), halts on
hard limits and on `Halt` commands, and on every halt tells each MarketActor to cancel all
resting orders. HALTED refuses submits; cancels never come here (they always pass).

Crash-only recovery: a (re)started RiskActor builds a fresh risk book, goes HALTED first
(STARTUP on the first start, RISK_ACTOR_RESTART after a crash), then replays every journaled
fill into the ledger, so its state equals a replay of the journal. Until it is back, every
approval fails (the markets see RISK_UNAVAILABLE or RISK_TIMEOUT). `Reconcile` (also run
before any resume) applies journaled fills it has not seen — fills that were sent to it while
it was dead.

Marks: markets send `MarksReport`s (token mids); a book that is a `MarkedRiskBook` re-marks
its positions, so unrealised losses trip DAILY_LOSS / DRAWDOWN like realised ones, and every
halt fans out `CancelAll` as usual. After each fill and marks report the book's equity is
published on the engine's `EquityBoard`, which markets read for the strategies' sizing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from astra.actors.equity_board import EquityBoard
from astra.actors.equity_records import EquityJournal, last_durable, producer_ledgers
from astra.actors.fill_replay import fill_markets, replay_fills
from astra.actors.journal_bag import JournalBag
from astra.actors.messages import (
    CancelAll,
    EquityTick,
    FillReport,
    Halt,
    HaltAck,
    MarksReport,
    Reconcile,
    Resume,
    ResumeResult,
    RiskQuery,
    RiskStatus,
    SettlementReport,
    TradingResumed,
)
from astra.actors.outbox import Outbox
from astra.actors.ports import JournalReader, RiskBook, StoredRecordLike
from astra.actors.risk_book import DurableRiskBook, MarkedRiskBook, SettlingRiskBook
from astra.actors.risk_gate import GateBinding, RiskGate
from astra.actors.runtime.base import SupervisedActor
from astra.actors.runtime.supervision import ChildContext
from astra.actors.runtime.tally import Router
from astra.actors.settlements import last_settled_split, rebuild_settlements
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.ledger import LedgerError
from astra.domain.metrics_port import HALTS_TOTAL, RESUMES_TOTAL, TRADING_STATE
from astra.domain.reasons import HaltReason, OrderReason
from astra.domain.trading import Fill, OrderIntent, Settlement
from astra.domain.verdict import Verdict

_log = logging.getLogger("astra.actors.risk")
RISK_PRODUCER = "risk"


@dataclass(frozen=True, slots=True)
class RiskDeps:
    router: Router
    journal: JournalReader
    markets: Callable[[], list[str]]  # names of the live MarketActors
    gate: RiskGate  # markets approve through it; each generation binds itself
    journal_bag: JournalBag  # records on their way to the TelemetryActor
    equity: EquityBoard = field(default_factory=EquityBoard)
    equity_interval_ms: int = 60_000  # equity records at least this often while marked


@dataclass(frozen=True, slots=True)
class GateFault:
    """The gate's decision raised on a market's thread: this generation must crash."""

    detail: str


class RiskGateFault(RuntimeError):
    """Raised by the RiskActor on a `GateFault`, so supervision halts and restarts it."""


class RiskActor(SupervisedActor):
    kind: ClassVar[str] = "risk"

    def __init__(
        self,
        ctx: ChildContext,
        book_factory: Callable[[], RiskBook],
        outbox: Outbox,
        deps: RiskDeps,
    ) -> None:
        super().__init__(ctx)
        self._factory = book_factory
        self._outbox = outbox
        self._deps = deps
        self.book = book_factory()
        self._fills: set[str] = set()
        self._fills_read_to = 0  # journal id of the last fill read: later reads start there
        self._prefetched: Sequence[StoredRecordLike] | None = None
        self._settled: set[str] = set()  # markets settled (idempotency across resends)
        self._batch: list[JournalRecord] = []
        self.approvals = 0
        self.denials = 0
        self.approved_while_halted = 0
        self._halt_reason: str | None = None
        self._halt_id = 0
        self._equity_log = EquityJournal(deps.equity_interval_ms)
        # Held for every message this generation handles and for every gate approval.
        self._lock = threading.Lock()
        # An approval waits for the mail queued before it (fills, halts, queries), not for
        # marks (they only move equity; the next supersedes them) nor settlements (a resolved
        # market trades no more, and its payout only lowers exposure). Waiting behind
        # settlements' journal reads was most of the approval latency under load.
        self._inbox.unordered = (MarksReport, SettlementReport, EquityTick)

    def on_started(self) -> None:
        with self._lock:
            self._start_locked()
        # Bound only once the ledger is replayed and the halt is set.
        self._deps.gate.bind(
            GateBinding(
                self.generation,
                self._lock,
                self.approve_locked,
                self._usable,
                self._caught_up,
                lambda exc: self.actor_ref.tell(GateFault(repr(exc))),
            )
        )

    def on_stopping(self) -> None:
        self._deps.gate.unbind(self.generation)

    def _reads_journal(self, message: object) -> bool:
        if isinstance(message, SettlementReport):
            return message.settlement.market not in self._settled
        return isinstance(message, Reconcile | Resume)

    def _caught_up(self, timeout_s: float) -> bool:
        return self._ctx.block.wait_ordered(self._inbox.accepted, timeout_s)

    def _usable(self) -> bool:
        return not self.actor_stopped.is_set() and not self.superseded

    def _start_locked(self) -> None:
        now = self.clock.now_ms()
        reason = HaltReason.STARTUP if self._outbox.last_seq == 0 else HaltReason.RISK_ACTOR_RESTART
        self._halt(reason, f"risk actor generation {self.generation} starting", now)
        refused: list[str] = []
        fills = self._new_fills()  # all of them, on a fresh generation
        replay_fills(self.book, fills, self._fills, now, refused)
        ledgers = producer_ledgers(self._deps.journal, self._outbox.pending(), RISK_PRODUCER)
        self._restore_settlements(ledgers, fills, now)
        self._restore_durable(ledgers, now)
        self._journal_ledger(now, "start")
        self._refused(refused, now)
        if not isinstance(self.book, MarkedRiskBook):
            _log.warning("risk book takes no marks: loss halts see realised P&L only")
        self._publish_equity()
        self._send()

    def handle(self, message: Any) -> Any:
        if self._reads_journal(message):
            # Read before taking the lock the gate shares: the store's lock can wait behind a
            # telemetry commit, and approvals must not wait behind that.
            self._prefetched = self._read_new_fills()
        with self._lock:
            try:
                now = self.clock.now_ms()
                answer = self._handle(message, now)
                self._equity_cadence(now)
            finally:
                self._send()
        self._deps.router.processed(message)
        return answer

    def _handle(self, message: Any, now: int) -> Any:
        if isinstance(message, FillReport | MarksReport | SettlementReport):
            return self._on_report(message, now)
        if isinstance(message, Halt):
            return self._halt(message.reason, message.detail, message.now_ms, message.fan_out)
        if isinstance(message, Resume):
            return self._resume(message, now)
        if isinstance(message, Reconcile):
            return self._reconcile(now)
        if isinstance(message, RiskQuery):
            return self.status()
        if isinstance(message, EquityTick):
            return None  # the cadence check after every message does the work
        if isinstance(message, GateFault):
            raise RiskGateFault(message.detail)
        raise TypeError(f"risk cannot handle {type(message).__name__}")

    def status(self) -> RiskStatus:
        return RiskStatus(
            state=self.book.state_name(),
            halt_reason=self._halt_reason,
            halt_id=self._halt_id,
            ledger_digest=self.book.digest(),
            fills_applied=len(self._fills),
            equity=self._equity(),
            account=self._equity_log.account,
        )

    def _equity(self) -> int | None:
        return self.book.equity() if isinstance(self.book, MarkedRiskBook) else None

    def _publish_equity(self) -> None:
        self._deps.equity.publish(self._equity())

    # -- approvals and fills ---------------------------------------------------------------
    def approve_locked(self, intent: OrderIntent, now_ms: int) -> Verdict:
        """The approval itself; the gate calls it holding this generation's lock."""
        halted = self.book.is_halted()
        verdict = self.book.check_intent(intent, now_ms)
        if verdict.passed:
            self.approvals += 1
            if halted:
                self.approved_while_halted += 1  # the chaos suite asserts this stays 0
        else:
            self.denials += 1
        return verdict

    def _on_report(self, report: FillReport | MarksReport | SettlementReport, now: int) -> Any:
        if isinstance(report, SettlementReport):
            return self._on_settlement(report.settlement, now)
        if isinstance(report, FillReport):
            self._on_fill(report.fill, now)
        else:
            self._on_marks(report, now)
        return None

    def _on_fill(self, fill: Fill, now: int) -> None:
        if fill.fill_id in self._fills:
            return
        self._fills.add(fill.fill_id)
        breached = self.book.apply_fill(fill, now)
        self._journal_ledger(now, "fill")
        self._publish_equity()
        if breached is not None:
            self.metrics.inc(HALTS_TOTAL, {"reason": breached.value})
            self._halt(breached, f"limit breached by fill {fill.fill_id}", now)

    def _on_marks(self, report: MarksReport, now: int) -> None:
        if not isinstance(self.book, MarkedRiskBook):
            return  # warned at start: this book's equity moves with fills only
        breached = self.book.apply_marks(dict(report.marks), now)
        self._publish_equity()
        if breached is not None:
            self.metrics.inc(HALTS_TOTAL, {"reason": breached.value})
            detail = f"limit breached by marks of {report.market} (equity {self.book.equity()})"
            self._halt(breached, detail, now)

    def _reconcile(self, now: int) -> int:
        refused: list[str] = []
        applied = replay_fills(self.book, self._new_fills(), self._fills, now, refused)
        if applied:
            self._journal_ledger(now, "fill")
        self._refused(refused, now)
        return applied

    def _new_fills(self) -> Sequence[StoredRecordLike]:
        """The fills committed since the last read (ids grow with commit order); what
        `handle` already read for this message, if it did."""
        if self._prefetched is not None:
            fills, self._prefetched = self._prefetched, None
            return fills
        return self._read_new_fills()

    def _read_new_fills(self) -> Sequence[StoredRecordLike]:
        fills = self._deps.journal.records_since(self._fills_read_to, [RecordKind.FILL])
        if fills:
            self._fills_read_to = fills[-1].id
        return fills

    def _refused(self, refused: list[str], now: int) -> None:
        if refused:
            detail = f"{len(refused)} journaled fill(s) after their settlement: {refused[0]}"
            self._halt(HaltReason.SETTLEMENT_FAILED, detail, now)

    # -- settlement ------------------------------------------------------------------------
    def _on_settlement(self, settlement: Settlement, now: int) -> bool:
        """Settle a resolved market once (a resend or a replay changes nothing); True when
        this call booked it. Journaled fills not yet applied are applied first."""
        if settlement.market in self._settled:
            return False
        if not isinstance(self.book, SettlingRiskBook):
            detail = f"risk book cannot settle {settlement.market}"
            self._halt(HaltReason.SETTLEMENT_FAILED, detail, now)
            return False
        self._reconcile(now)
        try:
            breached = self.book.settle(settlement, now)
        except (LedgerError, KeyError, ValueError) as exc:
            self._halt(HaltReason.SETTLEMENT_FAILED, f"{settlement.market}: {exc}", now)
            return False
        self._settled.add(settlement.market)
        self._journal_ledger(now, "settlement")
        self._publish_equity()
        if breached is not None:
            self.metrics.inc(HALTS_TOTAL, {"reason": breached.value})
            self._halt(breached, f"limit breached by settling {settlement.market}", now)
        return True

    def _restore_durable(self, ledgers: Sequence[JournalRecord], now: int) -> None:
        """The last equity record's peak, day start, cooldown and marks (docs/accounting.md);
        unreadable: RISK_STATE_UNREADABLE (the at-cost state understates the drawdown)."""
        durable = last_durable(ledgers)
        if durable is None:
            return
        if not isinstance(self.book, DurableRiskBook):
            _log.warning("risk book cannot restore its durable state: rebuilt at cost")
            return
        try:
            breached = self.book.restore_durable(durable, now)
        except ValueError as exc:
            self._halt(HaltReason.RISK_STATE_UNREADABLE, str(exc), now)
            return
        if breached is not None:
            self.metrics.inc(HALTS_TOTAL, {"reason": breached.value})
            self._halt(breached, "limit breached by the journaled risk state", now)

    def _restore_settlements(
        self, mine: Sequence[JournalRecord], fills: Sequence[StoredRecordLike], now: int
    ) -> None:
        """Re-apply what the last journaled LEDGER's `settled` records (committed or still in
        this producer's outbox), after the fills; failure halts SETTLEMENT_FAILED."""
        settled, split, ts = last_settled_split(mine)
        if not settled:
            return
        try:
            rebuilt = rebuild_settlements(settled, fill_markets(fills), ts, split)
        except ValueError as exc:
            self._halt(HaltReason.SETTLEMENT_FAILED, f"cannot rebuild settlements: {exc}", now)
            return
        for settlement in rebuilt:
            self._on_settlement(settlement, now)

    # -- halt and resume -------------------------------------------------------------------
    def _halt(self, reason: HaltReason, detail: str, now: int, fan_out: bool = True) -> HaltAck:
        if reason is HaltReason.SHUTDOWN:
            self._journal_ledger(now, "stop")  # the run's last equity: its final interval
        already = self.book.is_halted()
        if self.book.halt(reason, now, detail):
            self.metrics.inc(HALTS_TOTAL, {"reason": reason.value})
        if self._halt_reason is None:
            self._halt_reason = reason.value
        self._set_state_gauge()
        record = self._emit(
            RecordKind.HALT, now, {"state": "halted", "reason": reason.value, "detail": detail}
        )
        self._halt_id = record.seq
        _log.warning("trading halted: kind=risk reason=%s already=%s %s", reason, already, detail)
        # Cancels are idempotent, so every halt (even a repeated one) re-sweeps every market.
        if fan_out:
            for name in self._deps.markets():
                self._deps.router.tell(name, CancelAll(OrderReason.HALT, record.seq))
        return HaltAck(record.seq, already)

    def _resume(self, message: Resume, now: int) -> ResumeResult:
        self._reconcile(now)
        if message.rebase_peak:
            if not isinstance(self.book, DurableRiskBook):
                return ResumeResult(False, "risk book cannot rebase its high-water mark")
            self.book.rebase_peak(now)
            self._journal_ledger(now, "rebase")
        refusal = self.book.resume(message.now_ms, message.operator)
        if refusal is not None:
            return ResumeResult(False, refusal)
        self._halt_reason = None
        self.metrics.inc(RESUMES_TOTAL)
        self._set_state_gauge()
        record = self._emit(
            RecordKind.RISK_EVENT,
            now,
            {"state": "active", "reason": "resume", "detail": message.operator},
        )
        for name in self._deps.markets():
            self._deps.router.tell(name, TradingResumed(record.seq))
        return ResumeResult(True, f"resumed by {message.operator}")

    def _set_state_gauge(self) -> None:
        current = self.book.state_name()
        for state in ("active", "reducing", "halted"):
            self.metrics.set(TRADING_STATE, 1.0 if state == current else 0.0, {"state": state})

    # -- journaling ------------------------------------------------------------------------
    def _equity_cadence(self, now: int) -> None:
        """After every message (a flat book keeps the cadence through `EquityTick`)."""
        if not isinstance(self.book, MarkedRiskBook):
            return
        trigger = self._equity_log.due(self.book.equity(), now)
        if trigger is not None:
            self._journal_ledger(now, trigger)

    def _journal_ledger(self, now: int, trigger: str) -> None:
        """The LEDGER record, which is the equity record (`equity_records`)."""
        payload = self.book.ledger_payload()
        payload["trigger"] = trigger
        self._emit(RecordKind.LEDGER, now, payload)
        self._equity_log.journaled(payload, now)

    def _emit(self, kind: RecordKind, now: int, payload: dict[str, Any]) -> JournalRecord:
        record = self._outbox.append(kind, now, None, payload)
        self._batch.append(record)
        return record

    def _send(self) -> None:
        if self._batch:
            batch, self._batch = tuple(self._batch), []
            self._deps.journal_bag.post(batch)
