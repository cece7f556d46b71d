"""MarketActor: one per market, a thin supervised shell around `MarketState`.

On (re)start it rebuilds from the journal and a fresh book snapshot and comes up HALTED: its
own gate refuses submits until the RiskActor announces a resume (`TradingResumed`), on top
of the RiskActor's own refusal. Any order the journal still shows open (the halt protocol
normally cancels them before the restart) is canceled with reason RESTART, so the actor's
order table always equals a replay of its journal.

Records leave through the producer's outbox, one batch per handled message posted into the
engine's `JournalBag`; fills and marks go to the RiskActor by name; approvals go through the
RiskActor's `RiskGate` with a timeout, where a timeout is the veto RISK_TIMEOUT and a missing
or dying RiskActor is RISK_UNAVAILABLE.
What it holds is rebuilt from its journaled fills on every start; its spot tracker belongs to
the engine (like the outbox), so a restart keeps the sampled spot path. A resolution cancels
the resting orders, closes the positions, journals the market's gate as halted for good and
reports a `SettlementReport` to the RiskActor (again after every restart: see settlements.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from astra.actors.journal_bag import JournalBag
from astra.actors.market_inputs import MarketInputs, Marks, SharedSpot
from astra.actors.market_state import (
    MarketConfig,
    MarketState,
    open_orders_from_journal,
)
from astra.actors.messages import (
    CancelAll,
    Desync,
    FeedEvent,
    FillReport,
    MarketDigest,
    MarketQuery,
    MarketTick,
    MarksReport,
    ModelFeed,
    ResolveMarket,
    SettlementReport,
    SpotFeed,
    StopQuoting,
    TradingResumed,
)
from astra.actors.outbox import Outbox, with_pending
from astra.actors.ports import BookSource, JournalReader
from astra.actors.risk_gate import RISK_GATE, RiskGate
from astra.actors.runtime.base import SupervisedActor
from astra.actors.runtime.dispatcher import Dispatcher
from astra.actors.runtime.inbox import InboxBound
from astra.actors.runtime.supervision import ChildContext
from astra.actors.runtime.tally import Router
from astra.actors.settlements import journaled_resolution
from astra.domain.book import MarketBooks
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.events import MarketResolved
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import MARKET_LAG_SECONDS
from astra.domain.models.frames import ModelFrame, contract_model_key
from astra.domain.reasons import GateVeto, OrderReason
from astra.domain.strategies import Strategy
from astra.domain.trading import Fill, OrderIntent, Settlement
from astra.domain.verdict import Verdict

CancelObserver = Callable[[int, str, int], None]  # (halt_id, market, canceled)
ContractStrategyFactory = Callable[[MarketInfo, DefinitionContract | None], Strategy]


@dataclass(frozen=True, slots=True)
class MarketDeps:
    """What every MarketActor generation is built from (the engine owns these)."""

    router: Router
    journal: JournalReader
    books: BookSource
    config: MarketConfig
    strategy: Callable[[MarketInfo], Strategy]
    # Approvals: the RiskActor's decision on this thread (see risk_gate.py).
    risk_gate: RiskGate
    journal_bag: JournalBag  # records on their way to the TelemetryActor
    risk_name: str = "risk"
    risk_timeout_s: float = 0.5
    on_canceled: CancelObserver | None = None
    contract: Callable[[MarketInfo], DefinitionContract | None] | None = None
    contract_reason: Callable[[MarketInfo], str] | None = None  # why a market has none
    # When set, it builds the strategy from the market *and* its contract (wins over
    # `strategy`, which only sees the market).
    contract_strategy: ContractStrategyFactory | None = None
    equity: Callable[[], int | None] | None = None  # the RiskActor's latest equity
    # Run on this pool of workers instead of a thread per market (see dispatcher.py).
    dispatcher: Dispatcher | None = None
    # Backpressure (backpressure.py): this market's mailbox bound, and the lag beyond which
    # its decisions are vetoed `lagging` (None: unbounded, no lag veto).
    inbox_bound: Callable[[str], InboxBound] | None = None
    max_lag_ms: int | None = None
    # Called after every feed event with the books (the EventActor's top of book, arb_feed).
    on_books: Callable[[MarketInfo, MarketBooks], None] | None = None
    model_frame: Callable[[str], ModelFrame | None] | None = None  # the engine's ModelBoard

    def build_strategy(self, info: MarketInfo, contract: DefinitionContract | None) -> Strategy:
        if self.contract_strategy is not None:
            return self.contract_strategy(info, contract)
        return self.strategy(info)


def market_producer(condition_id: str) -> str:
    return f"market:{condition_id}"


def _never() -> bool:
    return False


class _Sink:
    """JournalSink over the producer's outbox; records are sent once per handled message.

    A superseded generation (abandoned as stuck, e.g. by a halt it could not confirm in
    time) writes nothing more: its successor was rebuilt from the journal, so anything the
    old handler still produces when it finally returns would contradict that successor."""

    def __init__(self, outbox: Outbox, market: str, superseded: Callable[[], bool]) -> None:
        self._outbox = outbox
        self._market = market
        self._superseded = superseded
        self.batch: list[JournalRecord] = []

    def emit(self, kind: RecordKind, ts_ms: int, payload: dict[str, Any]) -> None:
        if self._superseded():
            return
        self.batch.append(self._outbox.append(kind, ts_ms, self._market, payload))


class _RiskLink:
    """RiskGateway over the gate and the RiskActor's name. Local halt is a veto before the
    gate is tried; every failure is a veto."""

    def __init__(self, deps: MarketDeps, market: str = "") -> None:
        self._deps = deps
        self._market = market
        self.halted = True  # a (re)started market comes up HALTED
        self.resolved = False  # a resolved market's gate never opens again
        self.lag_ms = 0  # how late the event being handled is (its receipt to now)
        self.superseded: Callable[[], bool] = _never  # see _Sink: a stale generation is mute

    def approve(self, intent: OrderIntent, now_ms: int) -> Verdict:
        if self.halted or self.superseded():
            return Verdict.veto(RISK_GATE, GateVeto.HALTED, "market halted until resume")
        limit = self._deps.max_lag_ms
        if limit is not None and self.lag_ms > limit:
            detail = f"event handled {self.lag_ms} ms after receipt (max {limit} ms)"
            return Verdict.veto(RISK_GATE, GateVeto.LAGGING, detail)
        deps = self._deps
        return deps.risk_gate.approve(intent, now_ms, deps.risk_timeout_s)

    def report_fill(self, fill: Fill) -> None:
        if self.superseded():
            return
        # Refused while the RiskActor is down (counted as a dead letter); the fill is already
        # journaled, and a restarted RiskActor rebuilds its ledger from journaled fills.
        self._deps.router.tell(self._deps.risk_name, FillReport(fill))

    def report_marks(self, marks: Marks, now_ms: int) -> None:
        # Refused while the RiskActor is down: the next report (at most one interval later,
        # or the next fill) carries fresh mids anyway.
        self._deps.router.tell(self._deps.risk_name, MarksReport(self._market, marks, now_ms))

    def report_settlement(self, settlement: Settlement) -> None:
        # Refused while the RiskActor is down: a restarted RiskActor re-applies what its
        # journal settled, and a restarted MarketActor reports its journaled resolution again.
        self.resolved = self.halted = True
        self._deps.router.tell(self._deps.risk_name, SettlementReport(settlement))

    def is_halted(self) -> bool:
        return self.halted


class MarketActor(SupervisedActor):
    kind: ClassVar[str] = "market"

    def __init__(
        self,
        ctx: ChildContext,
        info: MarketInfo,
        outbox: Outbox,
        deps: MarketDeps,
        spot: SharedSpot | None = None,
    ):
        super().__init__(ctx, dispatcher=deps.dispatcher)
        if deps.inbox_bound is not None:
            self._inbox.bound = deps.inbox_bound(info.condition_id)
        self._info = info
        self._outbox = outbox
        self._deps = deps
        self._sink = _Sink(outbox, info.condition_id, lambda: self.superseded)
        self._risk = _RiskLink(deps, info.condition_id)
        self._risk.superseded = lambda: self.superseded
        contract = None if deps.contract is None else deps.contract(info)
        inputs = MarketInputs(
            spot=spot, halted=self._risk.is_halted, marks=self._risk, settlements=self._risk
        )
        if deps.equity is not None:
            inputs.equity = deps.equity
        key = contract_model_key(contract)
        if deps.model_frame is not None and key is not None:
            inputs.model_frame = partial(deps.model_frame, key)
        self.state = MarketState(
            info,
            deps.build_strategy(info, contract),
            self._sink,
            self._risk,
            deps.config,
            epoch=outbox.last_seq,
            contract=contract,
            inputs=inputs,
            contract_reason="" if deps.contract_reason is None else deps.contract_reason(info),
        )

    def on_started(self) -> None:
        now = self.clock.now_ms()
        self._sink.emit(RecordKind.RISK_EVENT, now, _state_payload("halted", "restart"))
        records = self._journaled_records()
        self.state.positions.replay(records)
        self._cancel_journaled_leftovers(records, now)
        self._restore_resolution(records)
        for snapshot in self._deps.books.snapshots(self._info):
            self.state.on_event(snapshot, now)
        self._books_changed()
        self._send()

    def _restore_resolution(self, records: list[JournalRecord]) -> None:
        """A market that resolved before this generation stays resolved (books, closed
        positions, gate) and reports its settlement again (idempotent at the RiskActor)."""
        if any(_closed(r) for r in records):  # it left the universe: its gate stays shut
            self._risk.resolved = True
        settlement = journaled_resolution(records)
        if settlement is None:
            return
        self.state.resolution = settlement
        self.state.books.apply(
            MarketResolved(
                settlement.market,
                settlement.ts_ms,
                settlement.winning_asset_id,
                self._info.tokens,
            )
        )
        self._risk.report_settlement(settlement)

    def handle(self, message: Any) -> Any:
        try:
            answer = self._handle(message)
        finally:
            self._send()
        self._deps.router.processed(message)
        return answer

    def _handle(self, message: Any) -> Any:
        now = self.clock.now_ms()
        if isinstance(message, FeedEvent | MarketTick):
            return self._timed(message, now)
        if isinstance(message, SpotFeed | ModelFeed):
            return self._on_data(message, now)
        if isinstance(message, CancelAll):
            return self._cancel_all(message, now)
        if isinstance(message, Desync):
            canceled = self.state.desync(message.asset_ids, now)
            self._books_changed()
            return canceled
        if isinstance(message, TradingResumed | ResolveMarket | StopQuoting):
            return self._gate_message(message, now)
        if isinstance(message, MarketQuery):
            return self.digest()
        raise TypeError(f"market cannot handle {type(message).__name__}")

    def _timed(self, message: FeedEvent | MarketTick, now: int) -> int | None:
        if isinstance(message, FeedEvent):
            received = message.event.recv_ms
            self._risk.lag_ms = now - received if received > 0 else 0
            if received > 0:
                self.metrics.observe(MARKET_LAG_SECONDS, self._risk.lag_ms / 1000)
            self.state.on_event(message.event, now)
            self._books_changed()
            return None
        # The tick's own time: a replay's ticks depend on the recording only.
        return self.state.expire_due(message.now_ms)

    def _books_changed(self) -> None:
        if self._deps.on_books is not None:
            self._deps.on_books(self._info, self.state.books)

    def _on_data(self, message: SpotFeed | ModelFeed, now: int) -> bool | None:
        """A spot print, or a model frame (already on the engine's board): re-evaluate."""
        if isinstance(message, SpotFeed):
            received = message.event.recv_ms
            self._risk.lag_ms = now - received if received > 0 else 0
            return self.state.on_spot(message.event, now)
        self.state.on_model(now)
        return None

    def _cancel_all(self, message: CancelAll, now: int) -> int:
        if message.reason is OrderReason.HALT and not self._risk.halted:
            self._risk.halted = True
            self._sink.emit(RecordKind.RISK_EVENT, now, _state_payload("halted", "halt"))
        canceled = self.state.cancel_all(message.reason, now)
        if self._deps.on_canceled is not None:
            self._deps.on_canceled(message.halt_id, self._info.condition_id, canceled)
        return canceled

    def _gate_message(self, message: TradingResumed | ResolveMarket | StopQuoting, now: int) -> Any:
        if isinstance(message, ResolveMarket):
            return self.state.resolve(message.settlement, now)
        if isinstance(message, StopQuoting):
            return self._stop_quoting(message.reason, now)
        if self._risk.halted and not self._risk.resolved:
            self._risk.halted = False
            self._sink.emit(RecordKind.RISK_EVENT, now, _state_payload("active", "resume"))
        return None

    def _stop_quoting(self, reason: str, now: int) -> int:
        """Leaving the universe: the gate shuts for good (as for a resolution), then every
        resting order is canceled `market_closed`; what it holds stays for settlement."""
        if not self._risk.resolved:
            self._risk.resolved = self._risk.halted = True
            self._sink.emit(RecordKind.RISK_EVENT, now, _state_payload("halted", reason))
        return self.state.cancel_all(OrderReason.MARKET_CLOSED, now)

    def digest(self) -> MarketDigest:
        return MarketDigest(
            market=self._info.condition_id,
            book_digest=self.state.book_digest(),
            orders_digest=self.state.orders_digest(),
            resting=len(self.state.orders.open_orders()),
            events=self.state.events,
            last_order_seq=self._outbox.last_seq,
            tops=self._tops(),
        )

    def _tops(self) -> tuple[tuple[str, int | None, int | None], ...]:
        books = [(t, self.state.books.book(t)) for t in self._info.tokens]
        return tuple(
            (token, _price(book.best_bid()), _price(book.best_ask()))
            for token, book in books
            if book.synced
        )

    def _journaled_records(self) -> list[JournalRecord]:
        """What recovery reads of this producer's committed records (fills, resolution and
        exit risk events, each order's last event) plus those still pending, once each, by
        sequence."""
        journal = self._deps.journal.market_recovery_records(self._outbox.producer)
        return with_pending(journal, self._outbox)

    def _cancel_journaled_leftovers(self, records: list[JournalRecord], now: int) -> None:
        for data in open_orders_from_journal(records).values():
            payload = dict(data, state="canceled", reason=OrderReason.RESTART.value)
            self._sink.emit(RecordKind.ORDER_EVENT, now, payload)

    def _send(self) -> None:
        if not self._sink.batch:
            return
        batch, self._sink.batch = tuple(self._sink.batch), []
        # While the TelemetryActor is down the records wait in the outbox (and the bag) and
        # reach the journal when it restarts.
        self._deps.journal_bag.post(batch)


def _closed(record: JournalRecord) -> bool:
    closed = OrderReason.MARKET_CLOSED.value
    return record.kind is RecordKind.RISK_EVENT and record.data().get("reason") == closed


def _price(level: tuple[int, int] | None) -> int | None:
    return None if level is None else level[0]


def _state_payload(state: str, reason: str) -> dict[str, Any]:
    return {"state": state, "reason": reason, "detail": "market"}
