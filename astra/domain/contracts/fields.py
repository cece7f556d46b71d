"""Field checkers for contract schemas: each returns the normalised value or a LintCode.

Numbers are exact. A float is refused wherever a number is expected (JSON floats are
binary approximations, and an int level and an equal float level hashed differently in
the original, B-18); a bool is refused even though Python treats it as an int.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from astra.domain.contracts.instants import parse_instant
from astra.domain.reasons import LintCode

Check = Callable[[object], object]  # returns the normalised value, or a LintCode

_MARKET_ID = re.compile(r"0x[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    check: Check
    meaning: str  # what the field pins down; named in the "missing" message
    required: bool = True


def text(value: object) -> object:
    if not isinstance(value, str):
        return LintCode.INVALID_TYPE
    if not value or value != value.strip() or _CONTROL.search(value):
        return LintCode.INVALID_VALUE
    return value


def choice(options: type[enum.StrEnum] | frozenset[str]) -> Check:
    def check(value: object) -> object:
        if not isinstance(value, str):
            return LintCode.INVALID_TYPE
        if isinstance(options, frozenset):
            return value if value in options else LintCode.INVALID_VALUE
        try:
            return options(value)
        except ValueError:
            return LintCode.INVALID_VALUE

    return check


def pattern(regex: str) -> Check:
    compiled = re.compile(regex)

    def check(value: object) -> object:
        if not isinstance(value, str):
            return LintCode.INVALID_TYPE
        return value if compiled.fullmatch(value) else LintCode.INVALID_VALUE

    return check


def integer(minimum: int) -> Check:
    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            return LintCode.INVALID_TYPE
        return value if value >= minimum else LintCode.INVALID_VALUE

    return check


def positive_decimal(value: object) -> object:
    """An exact positive number: an int, a Decimal, or decimal text such as "64000.50"."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        return LintCode.INVALID_TYPE
    try:
        number = Decimal(value)
    except InvalidOperation:
        return LintCode.INVALID_VALUE
    if not number.is_finite():
        return LintCode.NON_FINITE
    if number <= 0:
        return LintCode.NOT_POSITIVE
    return number


def instant(value: object) -> object:
    return parse_instant(value)


def boolean(value: object) -> object:
    return value if isinstance(value, bool) else LintCode.INVALID_TYPE


def market_id(value: object) -> object:
    if not isinstance(value, str):
        return LintCode.INVALID_TYPE
    return value if _MARKET_ID.fullmatch(value) else LintCode.INVALID_MARKET_ID
