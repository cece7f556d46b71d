"""RTDS decoder: `crypto_prices` frames -> `SpotPrice` events or counted rejections.

The venue's real-time data service sends an initial dump (`type: subscribe`, a list of
recent points) and then one `update` per tick. Values are kept as exact decimal strings:
`full_accuracy_value` when present (the JSON number is a rounded float), else the number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson

from astra.adapters.bounded import MAX_DEPTH, OutOfBounds, bounded_decimal, short, too_deep
from astra.adapters.polymarket.ws_fields import (
    Rejected,
    object_list,
    rejected,
    text_field,
    timestamp_ms,
)
from astra.domain.events import SpotPrice
from astra.domain.reasons import FeedReject

SPOT_TOPICS = frozenset({"crypto_prices", "crypto_prices_chainlink"})
_CONTROL_TEXTS = frozenset({"", "PONG", "pong"})


@dataclass(frozen=True, slots=True)
class SpotDecodeResult:
    events: list[SpotPrice] = field(default_factory=list)
    rejects: list[tuple[FeedReject, str]] = field(default_factory=list)


def decode_spot_frame(raw: str | bytes, recv_ms: int) -> SpotDecodeResult:
    """Decode one RTDS text frame. Never raises."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        return SpotDecodeResult(rejects=[(FeedReject.MALFORMED_JSON, "frame is not UTF-8")])
    if text.strip() in _CONTROL_TEXTS:
        return SpotDecodeResult()
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return SpotDecodeResult(rejects=[(FeedReject.MALFORMED_JSON, f"not JSON: {short(text)}")])
    if not isinstance(parsed, dict):
        return SpotDecodeResult(rejects=[(FeedReject.NOT_AN_OBJECT, f"frame is {short(parsed)}")])
    return decode_spot_message(parsed, recv_ms)


def decode_spot_message(obj: Mapping[str, Any], recv_ms: int) -> SpotDecodeResult:
    if too_deep(obj):
        return SpotDecodeResult(rejects=[(FeedReject.TOO_DEEP, f"nested deeper than {MAX_DEPTH}")])
    try:
        return SpotDecodeResult(events=_message(obj, recv_ms))
    except Rejected as exc:
        return SpotDecodeResult(rejects=[(exc.reason, exc.detail)])


def _message(obj: Mapping[str, Any], recv_ms: int) -> list[SpotPrice]:
    topic = obj.get("topic")
    if not isinstance(topic, str) or topic not in SPOT_TOPICS:  # a list or dict is unhashable
        raise Rejected(FeedReject.UNKNOWN_EVENT_TYPE, f"topic {short(topic)}")
    payload = obj.get("payload")
    if not isinstance(payload, dict):
        raise Rejected(FeedReject.MISSING_FIELD, "missing payload object")
    symbol = text_field(payload, "symbol").lower()
    kind = obj.get("type")
    if kind == "update":
        return [_point(symbol, payload, recv_ms)]
    if kind == "subscribe":  # the initial dump: recent points, oldest first
        return [_point(symbol, point, recv_ms) for point in object_list(payload, "data")]
    raise Rejected(FeedReject.UNKNOWN_EVENT_TYPE, f"type {short(kind)}")


def _point(symbol: str, point: Mapping[str, Any], recv_ms: int) -> SpotPrice:
    return SpotPrice(symbol=symbol, ts_ms=timestamp_ms(point), value=_value(point), recv_ms=recv_ms)


def _value(point: Mapping[str, Any]) -> str:
    exact = point.get("full_accuracy_value")
    value = exact if isinstance(exact, str) and exact else point.get("value")
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, "missing value")
    try:
        # Bounded first: formatting Decimal("1e999999999") would build a billion-digit string.
        number = bounded_decimal(value, "value")
    except OutOfBounds as exc:
        raise rejected(exc) from exc
    if not number.is_finite() or number <= 0:
        raise Rejected(FeedReject.BAD_VALUE, f"value {short(value)} is not a positive price")
    return _plain(number)


def _plain(number: Decimal) -> str:
    """'61035.86000000' -> '61035.86': one spelling per value, exact."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
