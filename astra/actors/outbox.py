"""The producer side of at-least-once journaling.

Every producer (a MarketActor, the RiskActor, the halt protocol) numbers its records 1, 2, 3...
and keeps each one here until the TelemetryActor acknowledges its commit. After a
TelemetryActor restart the engine resends every outbox's pending records; the journal writes
idempotently on (producer, seq), so a resend never duplicates.

An outbox outlives the actor that fills it: the engine owns one per producer name, so a
restarted MarketActor keeps numbering where its previous incarnation stopped (no sequence
number is ever reused) and the halt protocol can push a dead actor's last records to the
journal before reading that actor's orders back. Access from the producer's thread and the
acknowledging TelemetryActor is guarded by a lock; the critical sections are a few dict
operations.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from astra.domain.journal_record import JournalRecord, RecordKind


class Outbox:
    def __init__(self, producer: str, last_seq: int = 0) -> None:
        self.producer = producer
        self._lock = threading.Lock()
        self._last_seq = last_seq
        self._pending: dict[int, JournalRecord] = {}

    def append(
        self, kind: RecordKind, ts_ms: int, market: str | None, payload: Mapping[str, Any]
    ) -> JournalRecord:
        """Number and keep a new record; the caller sends it to the TelemetryActor."""
        with self._lock:
            self._last_seq += 1
            record = JournalRecord.build(
                self.producer, self._last_seq, kind, ts_ms, market, payload
            )
            self._pending[record.seq] = record
            return record

    def ack(self, seqs: Iterable[int]) -> None:
        """These records are committed. Exact numbers, never "everything up to": a batch that
        was lost with a dead TelemetryActor must stay pending even if a later one committed."""
        with self._lock:
            for seq in seqs:
                self._pending.pop(seq, None)

    def pending(self) -> tuple[JournalRecord, ...]:
        """Records not yet acknowledged, in sequence order (what a resend sends)."""
        with self._lock:
            return tuple(self._pending[s] for s in sorted(self._pending))

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def __len__(self) -> int:
        return len(self._pending)


class Outboxes:
    """The engine's outboxes by producer name; `ack` is how the TelemetryActor reports commits."""

    def __init__(self, last_seqs: Mapping[str, int] | None = None) -> None:
        self._last_seqs = dict(last_seqs or {})
        self._lock = threading.Lock()
        self._boxes: dict[str, Outbox] = {}

    def get(self, producer: str) -> Outbox:
        with self._lock:
            box = self._boxes.get(producer)
            if box is None:
                box = Outbox(producer, self._last_seqs.get(producer, 0))
                self._boxes[producer] = box
            return box

    def seed(self, producer: str, last_seq: int) -> None:
        """The journal's last sequence for a producer that joins later (a market added
        live), so its first record continues that producer's sequence."""
        with self._lock:
            if producer not in self._boxes:
                self._last_seqs[producer] = max(last_seq, self._last_seqs.get(producer, 0))

    def ack(self, producer: str, seqs: Iterable[int]) -> None:
        with self._lock:
            box = self._boxes.get(producer)
        if box is not None:
            box.ack(seqs)

    def ack_records(self, records: Iterable[JournalRecord]) -> None:
        by_producer: dict[str, list[int]] = {}
        for record in records:
            by_producer.setdefault(record.producer, []).append(record.seq)
        for producer, seqs in by_producer.items():
            self.ack(producer, seqs)

    def all_pending(self) -> tuple[JournalRecord, ...]:
        with self._lock:
            boxes = list(self._boxes.values())
        return tuple(record for box in boxes for record in box.pending())

    def pending_count(self) -> int:
        with self._lock:
            boxes = list(self._boxes.values())
        return sum(len(box) for box in boxes)


def with_pending(committed: Iterable[JournalRecord], box: Outbox) -> list[JournalRecord]:
    """A producer's committed records plus those still in its outbox, once each, by seq (a
    record can be in both while its commit is unacknowledged)."""
    by_seq = {r.seq: r for r in committed}
    by_seq.update((r.seq, r) for r in box.pending())
    return [by_seq[seq] for seq in sorted(by_seq)]
