"""Bounded parsing helpers shared by the NWS and FRED adapters.

Every value taken from a response passes here: a missing key or a wrong type is
`bad_shape`, a number outside its bounds or an unknown unit `bad_value`; both raise
`SourceError`, which the adapters turn into their named veto (never an exception upward).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from astra.adapters.bounded import (
    MAX_TIMESTAMP_MS,
    MIN_TIMESTAMP_MS,
    OutOfBounds,
    bounded_decimal,
    check_depth,
)
from astra.domain.reasons import ModelSourceVeto

MAX_TEXT = 200
TEMP_LIMIT_F = 200.0  # no station reading is near ±200 °F


@dataclass(frozen=True, slots=True)
class SourceVeto:
    """No frame, and why (`reason`), with a short detail for the log and the counters."""

    source: str
    reason: ModelSourceVeto
    detail: str


class SourceError(ValueError):
    def __init__(self, reason: ModelSourceVeto, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def shape(detail: str) -> SourceError:
    return SourceError(ModelSourceVeto.BAD_SHAPE, detail)


def field(obj: object, *path: str) -> object:
    """obj[path[0]][path[1]]..., each step a JSON object that has the key."""
    check = obj
    for key in path:
        if not isinstance(check, dict) or key not in check:
            raise shape(f"missing {'.'.join(path)}")
        check = check[key]
    return check


def text(obj: object, *path: str) -> str:
    value = field(obj, *path)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT:
        raise shape(f"{'.'.join(path)} is not a short string")
    return value


def items(obj: object, *path: str, limit: int = 2_000) -> list[object]:
    value = field(obj, *path)
    if not isinstance(value, list) or len(value) > limit:
        raise shape(f"{'.'.join(path)} is not a list of at most {limit}")
    return value


def depth_checked(body: object, what: str) -> object:
    try:
        check_depth(body, what)
    except OutOfBounds as exc:
        raise shape(exc.detail) from exc
    return body


def number(value: object, what: str) -> Decimal:
    try:
        return bounded_decimal(value, what)
    except OutOfBounds as exc:
        raise SourceError(ModelSourceVeto.BAD_VALUE, exc.detail) from exc


def temperature_f(value: object, unit: object, what: str) -> float:
    """A temperature in °F from a WMO unit code (degC or degF)."""
    degrees = float(number(value, what))
    if unit in ("wmoUnit:degC", "unit:degC"):
        degrees = degrees * 9.0 / 5.0 + 32.0
    elif unit not in ("wmoUnit:degF", "unit:degF"):
        raise SourceError(ModelSourceVeto.BAD_VALUE, f"{what} unit {unit!r}")
    if not math.isfinite(degrees) or abs(degrees) > TEMP_LIMIT_F:
        raise SourceError(ModelSourceVeto.BAD_VALUE, f"{what} {degrees} °F")
    return degrees


def instant_ms(value: object, what: str) -> int:
    """An ISO 8601 instant with an offset, in ms, inside the bounded timestamp window."""
    if not isinstance(value, str) or len(value) > 40:
        raise shape(f"{what} is not an ISO instant")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise shape(f"{what} {value!r} is not an ISO instant") from exc
    if moment.tzinfo is None:
        raise shape(f"{what} {value!r} has no UTC offset")
    ms = int(moment.astimezone(UTC).timestamp() * 1000)
    if not MIN_TIMESTAMP_MS <= ms < MAX_TIMESTAMP_MS:
        raise SourceError(ModelSourceVeto.BAD_VALUE, f"{what} {value!r} out of range")
    return ms


def interval_ms(value: object, what: str) -> tuple[int, int]:
    """An NWS `validTime` ("2026-06-03T12:00:00+00:00/PT13H") as [start, end) in ms."""
    if not isinstance(value, str) or "/" not in value:
        raise shape(f"{what} is not an ISO interval")
    start_text, _, duration = value.partition("/")
    start = instant_ms(start_text, what)
    return start, start + _duration_ms(duration, what)


_DURATION = re.compile(r"P(?:(\d{1,2})D)?(?:T(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,5})S)?)?")


def _duration_ms(text_value: str, what: str) -> int:
    """The subset of ISO 8601 durations NWS uses: P[nD][T[nH][nM][nS]]."""
    found = _DURATION.fullmatch(text_value)
    if found is None:
        raise shape(f"{what} duration {text_value!r}")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    total = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if total <= timedelta() or total > timedelta(days=14):
        raise shape(f"{what} duration {text_value!r} out of range")
    return int(total.total_seconds() * 1000)
