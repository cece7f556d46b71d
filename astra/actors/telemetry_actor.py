"""TelemetryActor: the single writer of the journal.

Records arrive from producers' outboxes, posted into the engine's `JournalBag`, drained on
every `JournalDoorbell`, `FlushTick` and `FlushNow`. They are committed in
batches: as soon as `batch_size` are buffered, or when a `FlushTick` finds the oldest one has
waited `max_latency_ms` (bounded latency), or on a `FlushNow` ask. A commit acknowledges each
producer's highest sequence number, which drops those records from its outbox. The journal
writes idempotently on (producer, seq), so resends after a restart are harmless.

A failed write keeps the buffer, counts an error, and — once per outage — reports the journal
unavailable, which halts trading (`HaltReason.JOURNAL_UNAVAILABLE`); writing is retried on the
next tick. Recovery does not resume trading: resuming is always explicit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from astra.actors.journal_bag import JournalBag
from astra.actors.messages import (
    FlushNow,
    FlushResult,
    FlushTick,
    JournalDoorbell,
)
from astra.actors.ports import JournalWriter
from astra.actors.runtime.base import SupervisedActor
from astra.actors.runtime.supervision import ChildContext
from astra.actors.runtime.tally import MessageTally
from astra.domain.clock import Clock
from astra.domain.journal_record import JournalRecord
from astra.domain.metrics_port import (
    JOURNAL_LAG_SECONDS,
    JOURNAL_RECORDS_TOTAL,
    JOURNAL_WRITE_ERRORS_TOTAL,
    MetricsSink,
)

_log = logging.getLogger("astra.actors.telemetry")

Ack = Callable[[Sequence[JournalRecord]], None]  # these records are committed
Unavailable = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    batch_size: int = 256
    max_latency_ms: int = 50

    def __post_init__(self) -> None:
        if self.batch_size <= 0 or self.max_latency_ms < 0:
            raise ValueError("telemetry needs batch_size > 0 and max_latency_ms >= 0")


class TelemetryCore:
    """The batching writer without threads (the actor's body; replays drive it directly)."""

    def __init__(
        self,
        writer: JournalWriter,
        ack: Ack,
        on_unavailable: Unavailable,
        metrics: MetricsSink,
        clock: Clock,
        config: TelemetryConfig,
    ) -> None:
        self._writer = writer
        self._ack = ack
        self._on_unavailable = on_unavailable
        self._metrics = metrics
        self._clock = clock
        self._config = config
        self._buffer: list[JournalRecord] = []
        self._oldest_ms: int | None = None
        self._failing = False
        self.written = 0
        self.failures = 0

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    @property
    def available(self) -> bool:
        return not self._failing

    def append(self, records: Iterable[JournalRecord]) -> None:
        self._buffer.extend(records)
        if self._buffer and self._oldest_ms is None:
            self._oldest_ms = self._clock.now_ms()
        # While the journal is failing, retry on the timer only (no retry storm per batch).
        if len(self._buffer) >= self._config.batch_size and not self._failing:
            self.flush()

    def tick(self) -> None:
        if self._oldest_ms is None:
            return
        age = self._clock.now_ms() - self._oldest_ms
        self._metrics.set(JOURNAL_LAG_SECONDS, age / 1000)
        if age >= self._config.max_latency_ms:
            self.flush()

    def flush(self) -> FlushResult:
        if not self._buffer:
            return FlushResult(ok=True, written=0, buffered=0)
        batch = self._buffer
        try:
            self._writer.write_batch(batch)
        except Exception as exc:  # noqa: BLE001 - reported: counted, logged, trading halted
            # Any failure of the store is the same fact for trading: the journal is down.
            self._failed(exc, len(batch))
            return FlushResult(ok=False, written=0, buffered=len(batch))
        self._buffer = []
        self._oldest_ms = None
        self._committed(batch)
        return FlushResult(ok=True, written=len(batch), buffered=0)

    def _failed(self, exc: Exception, size: int) -> None:
        self.failures += 1
        self._metrics.inc(JOURNAL_WRITE_ERRORS_TOTAL)
        _log.error(
            "journal write failed: kind=telemetry reason=journal_unavailable batch=%d: %s",
            size,
            exc,
        )
        if not self._failing:
            self._failing = True
            self._on_unavailable(f"{type(exc).__name__}: {exc}")

    def _committed(self, batch: list[JournalRecord]) -> None:
        if self._failing:
            _log.warning("journal writable again: kind=telemetry (trading stays halted)")
        self._failing = False
        self.written += len(batch)
        self._ack(batch)
        kinds: dict[str, int] = {}
        for record in batch:
            kinds[record.kind.value] = kinds.get(record.kind.value, 0) + 1
        for kind, count in kinds.items():
            self._metrics.inc(JOURNAL_RECORDS_TOTAL, {"kind": kind}, float(count))
        self._metrics.set(JOURNAL_LAG_SECONDS, 0.0)


class TelemetryActor(SupervisedActor):
    kind: ClassVar[str] = "telemetry"

    def __init__(
        self,
        ctx: ChildContext,
        writer: JournalWriter,
        ack: Ack,
        on_unavailable: Unavailable,
        config: TelemetryConfig,
        bag: JournalBag,
        pending: Callable[[], Sequence[JournalRecord]] | None = None,
        tally: MessageTally | None = None,
    ) -> None:
        super().__init__(ctx)
        self._tally = tally
        self._bag = bag
        self.core = TelemetryCore(writer, ack, on_unavailable, ctx.metrics, ctx.clock, config)
        self._pending = pending

    def on_started(self) -> None:
        # At least once: a (re)started writer first takes every record still unacknowledged
        # in any producer's outbox (what its previous generation may have lost). The bag is
        # emptied first (which re-arms its doorbell): whatever it held is in the outboxes too.
        self._bag.drain()
        if self._pending is not None:
            self.core.append(self._pending())
            self.core.flush()

    def on_stopping(self) -> None:
        # A clean stop commits what it holds; after a crash the outboxes still have it all.
        if self.core.buffered and self.core.available:
            self.core.flush()

    def handle(self, message: Any) -> Any:
        answer = self._handle(message)
        if self._tally is not None:
            self._tally.processed(message)
        return answer

    def _take_bag(self) -> None:
        self.core.append(self._bag.drain())

    def _handle(self, message: Any) -> Any:
        if isinstance(message, JournalDoorbell):
            self._take_bag()
            return None
        if isinstance(message, FlushTick):
            self._take_bag()
            self.core.tick()
            return None
        if isinstance(message, FlushNow):
            self._take_bag()
            return self.core.flush()
        raise TypeError(f"telemetry cannot handle {type(message).__name__}")
