"""Halt first: what runs between an actor's death and its restart.

The supervisors call `before_restart(died)` and wait for it. For any death other than a clean
stop it:

1. journals an INCIDENT (kind, name, cause, dead letters);
2. halts trading: asks the RiskActor to halt (it tells every MarketActor to cancel all); if
   the RiskActor is the one that died, or does not answer in time, it journals the HALT itself
   and tells every MarketActor to cancel all directly (a market's own gate then refuses
   submits until a resume, so no approval path is needed to stay safe);
3. for a dead MarketActor, cancels its resting orders from its last journaled state (journal
   plus the records still in its outbox);
4. commits all of that synchronously, straight to the journal (idempotent, so the
   TelemetryActor's later copy is harmless) — so the halt is durable *before* the restart,
   even when the TelemetryActor is the one being restarted.

If any of this fails the exception propagates and the supervisor escalates: restarting
without a recorded halt would fail open. Each run is kept as a `HaltEntry` for status and
the chaos checks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pykka

from astra.actors.market_state import open_orders_from_journal
from astra.actors.messages import CancelAll, Halt, HaltAck
from astra.actors.outbox import Outboxes
from astra.actors.ports import JournalReader, JournalWriter
from astra.actors.runtime.runtime_messages import ChildDied
from astra.actors.runtime.tally import Router
from astra.domain.clock import Clock
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import ACTOR_FAILURES_TOTAL, MetricsSink
from astra.domain.reasons import HaltReason, OrderReason

_log = logging.getLogger("astra.actors.halt")
SUPERVISION_PRODUCER = "supervision"


@dataclass(frozen=True, slots=True)
class HaltEntry:
    name: str
    kind: str
    generation: int
    cause: str
    halt_id: int  # the RiskActor's HALT record seq; minus the protocol's own when it halted alone
    via_risk: bool
    dead_orders_canceled: int
    started_s: float  # time.monotonic() at entry
    committed_s: float  # the halt was durable in the journal at this instant


@dataclass(frozen=True, slots=True)
class HaltProtocolDeps:
    router: Router
    outboxes: Outboxes
    writer: JournalWriter
    reader: JournalReader
    clock: Clock
    markets: Callable[[], list[str]]
    market_of: Callable[[str], str | None]  # actor name -> condition id (None: not a market)
    metrics: MetricsSink
    risk_name: str = "risk"
    timeout_s: float = 1.0


class HaltProtocol:
    def __init__(self, deps: HaltProtocolDeps) -> None:
        self._deps = deps
        self._lock = threading.Lock()
        self._entries: list[HaltEntry] = []

    @property
    def entries(self) -> list[HaltEntry]:
        with self._lock:
            return list(self._entries)

    def before_restart(self, died: ChildDied) -> None:
        started = time.monotonic()
        deps = self._deps
        if died.normal:
            # The supervisor's own stops never get here (their reports are stale), so a
            # "clean" stop is someone stopping a live child behind its back: a failure too.
            deps.metrics.inc(ACTOR_FAILURES_TOTAL, {"kind": died.kind, "reason": str(died.cause)})
            _log.error(
                "actor stopped unexpectedly: kind=%s name=%s generation=%d reason=%s",
                died.kind,
                died.name,
                died.generation,
                died.cause,
            )
        now = deps.clock.now_ms()
        box = deps.outboxes.get(SUPERVISION_PRODUCER)
        box.append(RecordKind.INCIDENT, now, deps.market_of(died.name), _incident(died))
        # The dead market's journal is read before the halt fans out: a moment later a thousand
        # markets' cancel records queue for the same store lock.
        canceled = self._cancel_dead_market(died.name, now)
        detail = f"{died.kind} {died.name} generation {died.generation}: {died.cause}"
        ack = None if died.kind == "risk" else self._ask_risk(detail, now)
        halt_id = 0 if ack is None else ack.halt_id
        if ack is None:
            box.append(
                RecordKind.HALT,
                now,
                None,
                {"state": "halted", "reason": HaltReason.ACTOR_FAILURE.value, "detail": detail},
            )
            # Its own halt id: minus the sequence number of the HALT record just written.
            halt_id = -box.last_seq
        # Durable first, then the fan-out: committed while the store is quiet, the halt is on
        # disk in a few ms; after the fan-out it queued behind a thousand markets' cancel
        # records (halt p99 at 1,000 markets 53 -> see benchmarks/RESULTS.md). Nothing is
        # approved meanwhile: the RiskActor is already HALTED and the dead market is down.
        self._commit(died.name)
        for name in deps.markets():
            deps.router.tell(name, CancelAll(OrderReason.HALT, halt_id))
        entry = HaltEntry(
            died.name,
            died.kind,
            died.generation,
            str(died.cause),
            halt_id,
            ack is not None,
            canceled,
            started,
            time.monotonic(),
        )
        with self._lock:
            self._entries.append(entry)
        _log.warning(
            "halt-first done: kind=%s name=%s reason=%s via_risk=%s dead_orders_canceled=%d",
            died.kind,
            died.name,
            died.cause,
            entry.via_risk,
            canceled,
        )

    def _ask_risk(self, detail: str, now: int) -> HaltAck | None:
        deps = self._deps
        message = Halt(HaltReason.ACTOR_FAILURE, detail, now, fan_out=False)
        try:
            answer = deps.router.ask(deps.risk_name, message, deps.timeout_s)
        except (pykka.Timeout, pykka.ActorDeadError) as exc:
            _log.error("halt via risk failed: kind=risk reason=%s", type(exc).__name__)
            return None
        except Exception as exc:  # noqa: BLE001 - the halt still happens, without the RiskActor
            _log.error("halt via risk failed: kind=risk reason=ask_exception %r", exc)
            return None
        return answer if isinstance(answer, HaltAck) else None

    def _cancel_dead_market(self, name: str, now: int) -> int:
        deps = self._deps
        market = deps.market_of(name)
        if market is None:
            return 0
        box = deps.outboxes.get(name)
        by_seq = {r.seq: r for r in deps.reader.producer_records(name)}
        by_seq.update((r.seq, r) for r in box.pending())
        still_open = open_orders_from_journal([by_seq[s] for s in sorted(by_seq)])
        for data in still_open.values():
            payload = dict(data, state="canceled", reason=OrderReason.HALT.value)
            box.append(RecordKind.ORDER_EVENT, now, market, payload)
        return len(still_open)

    def _commit(self, dead: str) -> None:
        """Write the halt (and the dead actor's last records) now, bypassing the queue."""
        deps = self._deps
        producers = [SUPERVISION_PRODUCER, deps.risk_name, dead]
        records: list[JournalRecord] = []
        for producer in dict.fromkeys(producers):
            records.extend(deps.outboxes.get(producer).pending())
        if not records:
            return
        deps.writer.write_batch(records)
        deps.outboxes.ack_records(records)


def _incident(died: ChildDied) -> dict[str, Any]:
    return {
        "actor_kind": died.kind,
        "actor_name": died.name,
        "reason": str(died.cause),
        "detail": died.detail,
        "dead_letters": died.dead_letters.total,
    }
