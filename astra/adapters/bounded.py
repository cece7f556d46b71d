"""Bounded parsing: the limits every value from outside passes before it becomes a number.

Every mapper at the boundary (WebSocket market and RTDS decoders, Gamma, CLOB REST, recordings)
converts venue numbers through this module, so one set of documented limits holds everywhere:

- a number's text is at most `MAX_NUMBER_CHARS` characters of plain decimal notation with an
  exponent of at most `MAX_EXPONENT` in magnitude, and a JSON integer at most `MAX_INT_BITS`
  bits, *before* `Decimal` or `int` sees it: no `decimal.Overflow` on `"1e999999999"`, no
  4,300-digit `ValueError`, no billion-character string from formatting a huge exponent;
- a size is at most `MAX_SHARES` shares (one level of a book, one trade, a minimum order size);
- a timestamp lies in [`MIN_TIMESTAMP_MS`, `MAX_TIMESTAMP_MS`) (2020-01-01 .. 2100-01-01 UTC);
- a parsed document nests at most `MAX_DEPTH` containers deep (venue messages nest 4).

A value outside raises `OutOfBounds` with a `BoundReason`; each mapper turns that into its own
counted, named rejection, so nothing here ever reaches the engine as an exception.
"""

from __future__ import annotations

import enum
import re
import reprlib
from decimal import Decimal
from typing import Any

from astra.domain.prices import SIZE_SCALE, PriceError, to_micros, to_pips

MAX_NUMBER_CHARS = 64
MAX_EXPONENT = 40
MAX_INT_BITS = 128
MAX_MAGNITUDE = Decimal(10) ** 18  # no venue quantity, price or spot value is near this
MAX_SHARES = 1_000_000_000
MAX_SIZE_MICROS = MAX_SHARES * SIZE_SCALE
MIN_TIMESTAMP_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z, before the CLOB existed
MAX_TIMESTAMP_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
MAX_TIMESTAMP_DIGITS = 16
MAX_DEPTH = 32
MAX_FEE_RATE_BPS = 10_000  # 100 %: a fee rate above that is not a fee

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")


class BoundReason(enum.StrEnum):
    """Why a value was refused; the values match the `FeedReject` labels of the same name."""

    BAD_NUMBER = "bad_number"  # not a number at all (text, bool, NaN, a container)
    NUMBER_TOO_LONG = "number_too_long"  # more digits than any real value has
    OUT_OF_RANGE = "out_of_range"  # a number, but outside its documented range
    TOO_DEEP = "too_deep"  # nested deeper than MAX_DEPTH


class OutOfBounds(ValueError):
    """A value outside the boundary's limits; `reason` is what gets counted."""

    def __init__(self, reason: BoundReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _SafeRepr(reprlib.Repr):
    """reprlib already bounds depth and length; a huge int must not be formatted at all."""

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > MAX_INT_BITS:
            return f"<int of {x.bit_length()} bits>"
        return super().repr_int(x, level)


_REPR = _SafeRepr()
_REPR.maxlevel = 3
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40


def short(value: object) -> str:
    """A bounded repr for rejection details (JSON values): never deep, never long."""
    return _REPR.repr(value)


def bounded_decimal(value: object, what: str) -> Decimal:
    """An exact, finite Decimal of bounded size from a JSON string or number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise OutOfBounds(BoundReason.BAD_NUMBER, f"{what} is not a number: {short(value)}")
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise OutOfBounds(BoundReason.NUMBER_TOO_LONG, f"{what} has {value.bit_length()} bits")
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        number = _decimal_text(repr(value) if isinstance(value, float) else value, what)
    if not number.is_finite():
        raise OutOfBounds(BoundReason.BAD_NUMBER, f"{what} is not finite: {short(value)}")
    if number != 0 and not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"{what} magnitude: {short(value)}")
    if abs(number) > MAX_MAGNITUDE:
        raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"{what} too large: {short(value)}")
    return number


def _decimal_text(text: str, what: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise OutOfBounds(BoundReason.NUMBER_TOO_LONG, f"{what} has {len(text)} characters")
    match = _DECIMAL.fullmatch(text) if text.isascii() else None
    if match is None:  # also refuses "NaN", "Infinity", "0x10", "1_000" and spaces
        raise OutOfBounds(BoundReason.BAD_NUMBER, f"{what} is not a decimal: {short(text)}")
    exponent = match.group(1)
    if exponent is not None and abs(int(exponent)) > MAX_EXPONENT * 2:
        raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"{what} exponent: {short(text)}")
    return Decimal(text)


def bounded_pips(value: object, what: str) -> int:
    """A price in [0, 1] as exact pips. `PriceError` when finer than 1e-4."""
    number = bounded_decimal(value, what)
    if not 0 <= number <= 1:
        raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"{what} outside [0, 1]: {short(value)}")
    return to_pips(number)


def bounded_micros(value: object, what: str, max_micros: int = MAX_SIZE_MICROS) -> int:
    """A size in [0, `max_micros`] as exact micro-shares. `PriceError` when negative or finer."""
    number = bounded_decimal(value, what)
    if number < 0:
        raise PriceError(f"{what} {short(value)} is negative")
    if number * SIZE_SCALE > max_micros:
        raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"{what} above the cap: {short(value)}")
    return to_micros(number)


def bounded_int(value: object, what: str, low: int, high: int) -> int:
    """A whole number in [low, high], sent as a JSON integer or a digit string."""
    if isinstance(value, bool):
        raise OutOfBounds(BoundReason.BAD_NUMBER, f"{what} is a bool")
    if isinstance(value, str):
        if len(value) > MAX_TIMESTAMP_DIGITS:
            raise OutOfBounds(BoundReason.NUMBER_TOO_LONG, f"{what} has {len(value)} characters")
        if not (value.isascii() and value.isdigit()):
            raise OutOfBounds(
                BoundReason.BAD_NUMBER, f"{what} is not a whole number: {short(value)}"
            )
        number = int(value)
    elif isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise OutOfBounds(BoundReason.NUMBER_TOO_LONG, f"{what} has {value.bit_length()} bits")
        number = value
    else:
        raise OutOfBounds(BoundReason.BAD_NUMBER, f"{what} is not a whole number: {short(value)}")
    if not low <= number <= high:
        raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"{what} outside [{low}, {high}]: {number}")
    return number


def bounded_timestamp_ms(value: object, what: str = "timestamp") -> int:
    """Milliseconds since the epoch inside the sane window (2020 .. 2100)."""
    return bounded_int(value, what, MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS - 1)


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` nests more than `limit` lists/dicts deep. Iterative: no RecursionError."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def check_depth(value: object, what: str, limit: int = MAX_DEPTH) -> None:
    if too_deep(value, limit):
        raise OutOfBounds(BoundReason.TOO_DEEP, f"{what} nests deeper than {limit}")
