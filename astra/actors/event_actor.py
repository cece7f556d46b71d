"""EventActor: one per event group, evaluating complete-set and neg-risk arbitrage.

```
root
└── events (simple_one_for_one, before_restart = halt-first)
    └── arb:<event id> x N       receives TopOfBook from its markets' MarketActors
```

On every `TopOfBook` it re-evaluates the event (`domain.arbitrage.evaluate_event`): parity
for each market whose books are live, and the neg-risk event sums only when *every* member
market's books are live (a sum over part of the outcomes is no arbitrage). The transitions of
its `OpportunityLog` are journaled as DECISION records of producer `arb:<event id>` with no
market (actions `arb_open`/`arb_change`/`arb_close`) and counted in `astra_arb_*`.

It measures, it never trades, yet it fails closed like every actor: a crash runs the same
halt-first protocol (halt, cancel every market's orders, durable before the restart), and a
new generation first closes every opportunity its predecessor left open in the journal
(`close_reason` "restart"), so no opportunity's duration spans a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from astra.actors.arb_feed import TopOfBook
from astra.actors.event_escalation import EventEscalation
from astra.actors.journal_bag import JournalBag
from astra.actors.messages import MarketQuery
from astra.actors.outbox import Outbox, with_pending
from astra.actors.ports import JournalReader
from astra.actors.runtime.base import SupervisedActor
from astra.actors.runtime.supervision import ChildContext
from astra.actors.runtime.tally import Router
from astra.domain.arb_log import ArbAction, ArbTransition, OpportunityLog
from astra.domain.arb_taker import EscalationConfig
from astra.domain.arbitrage import OutcomeBooks, evaluate_event
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import (
    ARB_CAPTURABLE_USD_TOTAL,
    ARB_CLOSED_TOTAL,
    ARB_DURATION_SECONDS,
    ARB_OPENED_TOTAL,
)

ARB_PRODUCER_PREFIX = "arb:"
ARB_SCHEMA_VERSION = 1


def event_producer(event_id: str) -> str:
    return f"{ARB_PRODUCER_PREFIX}{event_id}"


@dataclass(frozen=True, slots=True)
class EventInfo:
    event_id: str
    neg_risk: bool
    members: tuple[MarketInfo, ...]


@dataclass(frozen=True, slots=True)
class EventDeps:
    router: Router
    journal: JournalReader
    journal_bag: JournalBag
    run_id: str = "run"
    escalation: EscalationConfig | None = None  # None or disabled: measure only
    maker_wait_ms: int = 0


@dataclass(frozen=True, slots=True)
class EventDigest:
    event_id: str
    live_markets: int
    open_opportunities: int
    updates: int


class EventActor(SupervisedActor):
    kind: ClassVar[str] = "event"

    def __init__(self, ctx: ChildContext, event: EventInfo, outbox: Outbox, deps: EventDeps):
        super().__init__(ctx)
        self._event = event
        self._outbox = outbox
        self._deps = deps
        self._log = OpportunityLog()
        self._books: dict[str, OutcomeBooks] = {}
        self._batch: list[JournalRecord] = []
        self._updates = 0
        config = deps.escalation
        self._escalation = (
            EventEscalation(config, deps.maker_wait_ms)
            if config is not None and config.enabled
            else None
        )

    def on_started(self) -> None:
        now = self.clock.now_ms()
        journaled = self._journaled_records()
        if self._escalation is not None:
            self._escalation.restore((r.ts_ms, r.data()) for r in journaled)
        for payload in _left_open(journaled):
            closed = dict(payload, action=ArbAction.CLOSE.value, close_reason="restart")
            closed["duration_ms"] = now - int(payload["opened_ms"])
            self._emit(now, closed)
        self._send()

    def handle(self, message: Any) -> Any:
        try:
            answer = self._handle(message)
        finally:
            self._send()
        self._deps.router.processed(message)
        return answer

    def _handle(self, message: Any) -> Any:
        if isinstance(message, TopOfBook):
            self._on_top(message)
            return None
        if isinstance(message, MarketQuery):
            return EventDigest(
                self._event.event_id, len(self._books), self._log.open_count, self._updates
            )
        raise TypeError(f"event cannot handle {type(message).__name__}")

    def _on_top(self, top: TopOfBook) -> None:
        member = next((m for m in self._event.members if m.condition_id == top.condition_id), None)
        if member is None:
            raise ValueError(f"market {top.condition_id} is not in event {self._event.event_id}")
        self._updates += 1
        if top.live:
            self._books[member.condition_id] = OutcomeBooks(
                member.condition_id,
                member.group_item_title or member.question,
                top.yes,
                top.no,
                member.fees,
                member.min_size,
                top.paired,
            )
        else:
            self._books.pop(member.condition_id, None)
        ordered = [
            self._books[m.condition_id]
            for m in self._event.members
            if m.condition_id in self._books
        ]
        complete = len(ordered) == len(self._event.members)
        found = evaluate_event(
            self._event.event_id, ordered, neg_risk=self._event.neg_risk and complete
        )
        for transition in self._log.update(found, top.ts_ms):
            self._record(transition)
        if self._escalation is not None:
            for payload in self._escalation.on_update(self._log, self._books, top.ts_ms):
                self._emit(top.ts_ms, payload)

    def _record(self, transition: ArbTransition) -> None:
        payload = transition.payload()
        labels = {"kind": transition.opportunity.kind.value}
        if transition.action is ArbAction.OPEN:
            self.metrics.inc(ARB_OPENED_TOTAL, labels)
            self.metrics.inc(ARB_CAPTURABLE_USD_TOTAL, labels, transition.peak_net / 1_000_000)
        elif transition.action is ArbAction.CLOSE:
            self.metrics.inc(ARB_CLOSED_TOTAL, labels)
            self.metrics.observe(ARB_DURATION_SECONDS, transition.duration_ms / 1000, labels)
        self._emit(transition.ts_ms, payload)

    def _emit(self, ts_ms: int, payload: dict[str, Any]) -> None:
        payload.update(
            run_id=self._deps.run_id,
            definition_hash=None,
            schema_version=ARB_SCHEMA_VERSION,
            event_id=self._event.event_id,
            generation=self.generation,  # which life wrote it (restart checks read it)
        )
        self._batch.append(self._outbox.append(RecordKind.DECISION, ts_ms, None, payload))

    def _journaled_records(self) -> list[JournalRecord]:
        return with_pending(
            self._deps.journal.producer_records(self._outbox.producer), self._outbox
        )

    def _send(self) -> None:
        if not self._batch:
            return
        batch, self._batch = tuple(self._batch), []
        self._deps.journal_bag.post(batch)


def _left_open(records: Sequence[JournalRecord]) -> list[dict[str, Any]]:
    """The last payload of every opportunity opened and not closed in `records`."""
    open_: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.kind is not RecordKind.DECISION:
            continue
        data = record.data()
        key, action = str(data.get("key", "")), data.get("action")
        if action == ArbAction.CLOSE.value:
            open_.pop(key, None)
        elif action in (ArbAction.OPEN.value, ArbAction.CHANGE.value):
            open_[key] = data
    return list(open_.values())
