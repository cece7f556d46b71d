"""The unit of durable telemetry: a sequence-numbered record from one producer.

(producer, seq) identifies a record; the journal writes idempotently on it, so a producer may
resend unacknowledged records after a TelemetryActor restart without duplicating anything.
`payload` is canonical JSON text (sorted keys, no spaces), so the record is immutable and its
bytes are the same in every replay.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class RecordKind(enum.StrEnum):
    DECISION = "decision"
    ORDER_EVENT = "order_event"
    FILL = "fill"
    LEDGER = "ledger"
    RISK_EVENT = "risk_event"
    HALT = "halt"
    INCIDENT = "incident"


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, no NaN: the same mapping always gives the same text."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True, slots=True)
class JournalRecord:
    producer: str
    seq: int
    kind: RecordKind
    ts_ms: int
    market: str | None
    payload: str

    @classmethod
    def build(
        cls,
        producer: str,
        seq: int,
        kind: RecordKind,
        ts_ms: int,
        market: str | None,
        payload: Mapping[str, Any],
    ) -> JournalRecord:
        return cls(producer, seq, kind, ts_ms, market, canonical_json(payload))

    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.payload)
        return loaded
