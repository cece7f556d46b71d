"""Field readers for venue WebSocket messages: each returns a validated value or raises `Rejected`.

The venue sends prices, sizes and timestamps as strings (sometimes numbers); every reader
checks type and domain so that a decoder built from them can never pass a bad value on.
`Rejected` carries a `FeedReject` reason and is the only exception the decoders catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from astra.domain.prices import ONE, PriceError, Side, Tick, to_micros, to_pips
from astra.domain.reasons import FeedReject

_MAX_DETAIL = 80


class Rejected(Exception):
    """A message fails validation; `reason` is what gets counted."""

    def __init__(self, reason: FeedReject, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def short(value: object) -> str:
    """A bounded repr for rejection details (frames can be megabytes)."""
    text = repr(value)
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL] + "..."


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


def _number_text(value: object, key: str) -> str:
    # bool is an int subclass; a JSON true is never a number here.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Rejected(FeedReject.BAD_NUMBER, f"{key} is not a number: {short(value)}")
    return value if isinstance(value, str) else repr(value)


def timestamp_ms(obj: Mapping[str, Any], key: str = "timestamp") -> int:
    """Milliseconds since the epoch: a digit string (the venue's form) or a JSON integer."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise Rejected(FeedReject.BAD_NUMBER, f"{key} is not a ms timestamp: {short(value)}")


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
    try:
        return to_pips(_number_text(value, key))
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
    """A non-negative size in micro-shares (0 removes a level)."""
    value = obj.get(key)
    if value is None:
        raise Rejected(FeedReject.MISSING_FIELD, f"missing {key}")
    try:
        return to_micros(_number_text(value, key))
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
        return Tick.parse(_number_text(value, key))
    except PriceError as exc:
        raise Rejected(FeedReject.BAD_VALUE, f"{key}: {exc}") from exc


def int_field(obj: Mapping[str, Any], key: str, default: int) -> int:
    """A non-negative integer sent as a digit string or a JSON integer (e.g. fee_rate_bps)."""
    value = obj.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise Rejected(FeedReject.BAD_NUMBER, f"{key} is not a non-negative integer: {short(value)}")


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
