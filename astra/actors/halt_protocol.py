"""Halt first: what runs between an actor's death and its restart.

The supervisors call `before_restart(died)` and wait for it; the root also calls it for its
own death before it exits (then the composition root exits: the restart is the next process).
For any death other than a clean stop it:

1. journals an INCIDENT (kind, name, cause, dead letters);
2. for a dead MarketActor, cancels its resting orders from its last journaled state (journal
   plus the records still in its outbox);
3. halts trading: asks the RiskActor to halt; if the RiskActor is the one that died, or does
   not answer in time, it journals the HALT itself (a market's own gate then refuses submits
   until a resume, so no approval path is needed to stay safe), and commits all of that;
4. cancels every other market and waits for it (`halt_fanout`): a live market confirms its
   cancel-all, a dead one (the pool supervisor died, a burst of kills) is canceled from its
   journal, one that does not confirm in time is given up as stuck and canceled from its
   journal;
5. commits every market's pending records synchronously, straight to the journal
   (idempotent, so the TelemetryActor's later copy is harmless) — so the cancels are durable
   *before* the restart, even when the TelemetryActor is the one being restarted.

Halts run one at a time (the root's and the pool's can coincide). If any of this fails the
exception propagates and the supervisor escalates: restarting without a recorded halt would
fail open. Each run is kept as a `HaltEntry` for status and the chaos checks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pykka

from astra.actors.halt_fanout import NO_FAN_OUT, FanOutResult, HaltFanOut, cancel_from_journal
from astra.actors.messages import Halt, HaltAck
from astra.actors.outbox import Outboxes
from astra.actors.ports import JournalReader, JournalWriter
from astra.actors.runtime.runtime_messages import ChildDied
from astra.actors.runtime.tally import Router
from astra.domain.clock import Clock
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import ACTOR_FAILURES_TOTAL, MetricsSink
from astra.domain.reasons import HaltReason

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
    dead_orders_canceled: int  # canceled from the journal: the dead one's and dead others'
    started_s: float  # time.monotonic() at entry
    committed_s: float  # the halt record was durable in the journal at this instant
    canceled_s: float = 0.0  # every market's cancels were durable at this instant
    fan_out: FanOutResult = NO_FAN_OUT


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
        self._serial = threading.Lock()  # one halt at a time: cancels never interleave
        self._entries: list[HaltEntry] = []
        self._fan_out = HaltFanOut(
            deps.router, deps.reader, deps.outboxes, deps.market_of, deps.timeout_s
        )

    @property
    def entries(self) -> list[HaltEntry]:
        with self._lock:
            return list(self._entries)

    def before_restart(self, died: ChildDied) -> None:
        started = time.monotonic()
        with self._serial:
            self._halt_first(died, started)

    def _halt_first(self, died: ChildDied, started: float) -> None:
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
        self._commit([SUPERVISION_PRODUCER, deps.risk_name, died.name])
        committed = time.monotonic()
        others = [name for name in deps.markets() if name != died.name]
        fan_out = self._fan_out.run(others, halt_id, now)
        self._commit(others)
        entry = HaltEntry(
            died.name,
            died.kind,
            died.generation,
            str(died.cause),
            halt_id,
            ack is not None,
            canceled + fan_out.journal_canceled,
            started,
            committed,
            time.monotonic(),
            fan_out,
        )
        with self._lock:
            self._entries.append(entry)
        _log.warning(
            "halt-first done: kind=%s name=%s reason=%s via_risk=%s dead_orders_canceled=%d "
            "confirmed=%d from_journal=%d given_up=%d journal_canceled=%d",
            died.kind,
            died.name,
            died.cause,
            entry.via_risk,
            canceled,
            len(fan_out.confirmed),
            len(fan_out.from_journal),
            len(fan_out.given_up),
            fan_out.journal_canceled,
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
        market = self._deps.market_of(name)
        if market is None:
            return 0
        return cancel_from_journal(self._deps.reader, self._deps.outboxes, name, market, now)

    def _commit(self, producers: list[str]) -> None:
        """Write these producers' pending records now, bypassing the queue."""
        deps = self._deps
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
