"""Field readers for venue WebSocket messages: each returns a validated value or raises `Rejected`.

The venue sends prices, sizes and timestamps as strings (sometimes numbers); every reader
checks type and domain so that a decoder built from them can never pass a bad value on.
Numbers go through `astra.adapters.bounded` first (digit, exponent, size and timestamp
limits). `Rejected` carries a `FeedReject` reason and is the only exception the decoders catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from astra.adapters.bounded import (
    MAX_FEE_RATE_BPS,
    OutOfBounds,
    bounded_decimal,
    bounded_int,
    bounded_micros,
    bounded_timestamp_ms,
    short,
)
from astra.domain.prices import ONE, PriceError, Side, Tick, to_pips
from astra.domain.reasons import FeedReject


class Rejected(Exception):
    """A message fails validation; `reason` is what gets counted."""

    def __init__(self, reason: FeedReject, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def rejected(exc: OutOfBounds) -> Rejected:
    """A boundary limit as the decoder's rejection (the reason labels are the same)."""
    return Rejected(FeedReject(exc.reason.value), exc.detail)


def text_field(obj: Mapping[str, Any], key: str) -> str:
    """A required non-empty string."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    if not isinstance(value, str) or not value:
        raise Rejected(FeedReject.BAD_VALUE, f"{key} must be a non-empty string: {short(value)}")
    return value


def optional_text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Rejected(FeedReject.BAD_VALUE, f"{key} must be a string: {short(value)}")
    return value


def timestamp_ms(obj: Mapping[str, Any], key: str = "timestamp") -> int:
    """Milliseconds since the epoch: a digit string (the venue's form) or a JSON integer."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    try:
        return bounded_timestamp_ms(value, key)
    except OutOfBounds as exc:
        raise rejected(exc) from exc


def price_field(obj: Mapping[str, Any], key: str) -> int:
    """A level or trade price: strictly between 0 and 1, at most 1e-4 fine, in pips."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    pips = _pips(value, key)
    if not 0 < pips < ONE:
        raise Rejected(FeedReject.BAD_VALUE, f"{key} out of (0, 1): {short(value)}")
    return pips


def _pips(value: object, key: str) -> int:
    """Exact pips of a bounded number; the caller checks the price's own range."""
    try:
        number = bounded_decimal(value, key)
    except OutOfBounds as exc:
        raise rejected(exc) from exc
    if not -1 <= number <= 2:  # pips of anything larger are never a price; keep them small
        raise Rejected(FeedReject.BAD_VALUE, f"{key} is not a price: {short(value)}")
    try:
        return to_pips(number)
    except PriceError as exc:
        raise Rejected(FeedReject.BAD_NUMBER, f"{key}: {exc}") from exc


def touch_field(obj: Mapping[str, Any], key: str, *, empty_at: int) -> int | None:
    """A venue best bid/ask: absent, "" or the empty-side value (0 bid, 1 ask) mean no level."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    pips = _pips(value, key)
    if not 0 <= pips <= ONE:
        raise Rejected(FeedReject.BAD_VALUE, f"{key} out of [0, 1]: {short(value)}")
    return None if pips == empty_at else pips


def size_field(obj: Mapping[str, Any], key: str = "size") -> int:
    """A size in micro-shares in [0, MAX_SHARES] (0 removes a level)."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    try:
        return bounded_micros(value, key)
    except OutOfBounds as exc:
        raise rejected(exc) from exc
    except PriceError as exc:
        raise Rejected(FeedReject.BAD_NUMBER, f"{key}: {exc}") from exc


def side_field(obj: Mapping[str, Any], key: str = "side") -> Side:
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    if value == "BUY":
        return Side.BUY
    if value == "SELL":
        return Side.SELL
    raise Rejected(FeedReject.BAD_VALUE, f"{key} is not BUY/SELL: {short(value)}")


def tick_field(obj: Mapping[str, Any], key: str) -> Tick:
    """A required tick size on one of the venue's grids."""
    tick = optional_tick(obj, key)
    if tick is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    return tick


def optional_tick(obj: Mapping[str, Any], key: str) -> Tick | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    try:
        return Tick.parse(bounded_decimal(value, key))
    except OutOfBounds as exc:
        raise rejected(exc) from exc
    except PriceError as exc:
        raise Rejected(FeedReject.BAD_VALUE, f"{key}: {exc}") from exc


def int_field(obj: Mapping[str, Any], key: str, default: int, high: int = MAX_FEE_RATE_BPS) -> int:
    """An integer in [0, high] sent as a digit string or a JSON integer (e.g. fee_rate_bps)."""
    value = obj.get(key)
    if value is None or value == "":
        return default
    try:
        return bounded_int(value, key, 0, high)
    except OutOfBounds as exc:
        raise rejected(exc) from exc


def object_list(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """A required list whose items are all JSON objects."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    if not isinstance(value, list):
        raise Rejected(FeedReject.BAD_VALUE, f"{key} is not a list: {short(value)}")
    for item in value:
        if not isinstance(item, dict):
            raise Rejected(FeedReject.NOT_AN_OBJECT, f"{key} item is not an object: {short(item)}")
    return value


def text_list(obj: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A required non-empty list of non-empty strings (asset ids)."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item for item in value)
    ):
        raise Rejected(FeedReject.BAD_VALUE, f"{key} is not a list of ids: {short(value)}")
    return tuple(value)
