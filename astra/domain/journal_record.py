"""The unit of durable telemetry: a sequence-numbered record from one producer.

(producer, seq) identifies a record; the journal writes idempotently on it, so a producer may
resend unacknowledged records after a TelemetryActor restart without duplicating anything.
`payload` is canonical JSON text (sorted keys, no spaces, UTF-8 text unescaped), so the record
is immutable and its bytes are the same in every replay.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

# Types orjson would serialise but the stdlib refuses: pass them to the stdlib fallback.
_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
)


class RecordKind(enum.StrEnum):
    DECISION = "decision"
    ORDER_EVENT = "order_event"
    FILL = "fill"
    LEDGER = "ledger"
    RISK_EVENT = "risk_event"
    HALT = "halt"
    INCIDENT = "incident"
    MARKOUT = "markout"  # a fill marked at the mid 1 s / 10 s / 60 s later (schema v3)


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, no NaN/inf (ValueError): the same mapping, the same text.

    orjson does the work; it writes NaN/inf as null, so a text with a null is checked for
    non-finite floats. What orjson refuses (ints beyond 64 bits, non-str keys, float
    subclasses, unknown types) goes through the stdlib with the same settings, which
    converts or raises exactly as before."""
    try:
        raw = orjson.dumps(payload, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(
            payload, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False
        )
    if b"null" in raw and _has_non_finite(payload):
        raise ValueError("Out of range float values are not JSON compliant")
    return raw.decode()


def _has_non_finite(payload: Mapping[str, Any]) -> bool:
    """A NaN or infinity anywhere in `payload`: what orjson serialised, i.e. floats, tuples,
    and dicts and lists including their subclasses (orjson writes those; other subclasses it
    refuses, and they never get here)."""
    return _any_non_finite(payload.values())


def _any_non_finite(values: Iterable[Any]) -> bool:
    # Recursion over containers only: a leaf (mostly str, int, None) costs one type() and
    # a few identity tests. Depth is bounded by orjson's own nesting limit.
    for item in values:
        kind = type(item)
        if kind is float:
            if item - item != 0.0:  # nan - nan and inf - inf are nan
                return True
        elif kind is dict:
            if _any_non_finite(item.values()):
                return True
        elif kind is list or kind is tuple:
            if _any_non_finite(item):
                return True
        elif kind not in _LEAVES and _subclass_non_finite(item):
            return True
    return False


_LEAVES = frozenset({str, int, bool, type(None)})


def _subclass_non_finite(item: Any) -> bool:
    if isinstance(item, dict):
        return _any_non_finite(item.values())
    if isinstance(item, list):
        return _any_non_finite(item)
    return False


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
