"""Records on their way to the TelemetryActor: one wake-up per many batches, not one per batch.

Every handled market message used to send its records as one `JournalAppend` — a mailbox
put and a TelemetryActor wake-up per event, and during a halt a thousand of them in a burst.
Producers now post their batches into this bag. The TelemetryActor drains it on its timer
(`FlushTick`, live runs) and on `FlushNow` (`Engine.flush`/`drain`); a producer rings a
`JournalDoorbell` only when `ring_at` batches wait and no ring is pending, so a burst is
written at once while a trickle costs no thread hand-off per event (under paced load a
doorbell per event was a wake-up competing with the next event for the GIL).

Why nothing is lost: a poster appends first and checks the doorbell second; the writer clears
it first and drains second. So after any post that reaches `ring_at` either the poster rings,
or a ring is pending whose drain comes after that post; below `ring_at` the next tick or
flush drains it (records are durable only once committed, in any case). A ring refused (no
live TelemetryActor) stays pending until a restarted TelemetryActor drains the bag; it leaves
the records
where they always are until committed — in their producers' outboxes — and a restarted
TelemetryActor takes every pending outbox record on start; what it drains from the bag again
later is written idempotently on (producer, seq).
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from astra.actors.messages import JournalDoorbell
from astra.domain.journal_record import JournalRecord


class Teller(Protocol):
    def tell(self, name: str, message: object) -> bool: ...


class JournalBag:
    def __init__(self, router: Teller, telemetry_name: str, ring_at: int = 64) -> None:
        if ring_at < 1:
            raise ValueError("ring_at must be at least 1")
        self._router = router
        self._telemetry = telemetry_name
        self._ring_at = ring_at
        self._batches: deque[tuple[JournalRecord, ...]] = deque()
        self._rung = False

    def post(self, batch: tuple[JournalRecord, ...]) -> None:
        """Hand a producer's batch to the writer (any thread)."""
        self._batches.append(batch)
        if self._rung or len(self._batches) < self._ring_at:
            return
        self._rung = True
        # Refused (counted once) only while no TelemetryActor is live: the ring stays "pending"
        # so the outage is not a dead letter per post; the next generation drains the bag on
        # start, which re-arms it, and takes every outbox record besides.
        self._router.tell(self._telemetry, JournalDoorbell())

    def drain(self) -> list[JournalRecord]:
        """Everything posted so far (the TelemetryActor, on a doorbell)."""
        self._rung = False  # before draining: a post after this point rings again
        records: list[JournalRecord] = []
        while True:
            try:
                records.extend(self._batches.popleft())
            except IndexError:
                return records

    def __len__(self) -> int:
        return len(self._batches)
