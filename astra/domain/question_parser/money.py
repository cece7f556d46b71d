"""Money amounts in question text: "$64,000", "$64,000.50", "$100k", "$1.5m", "100,000", "150k".

An amount is a `$`-prefixed number, a comma-grouped number, or a number with a k/m/b
suffix; a bare number ("11", "2026", "12:00") is not money. Malformed grouping ("$1,00")
is not read as a smaller amount: it is not an amount at all, so the question vetoes.
Values are exact Decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_MULTIPLIERS = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}

_AMOUNT = re.compile(
    r"""
    (?<![\w.,$])                                   # not the tail of a word or number
    (?P<dollar>\$\s?)?
    (?P<whole>\d{1,3}(?:,\d{3})+|\d+)
    (?:\.(?P<frac>\d+))?
    (?![\d])(?!,\d)(?!\.\d)                        # the whole number, never a prefix of it
    (?:\s?(?P<suffix>thousand|million|billion|bn|mm|k|m|b)(?![A-Za-z0-9]))?
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    start: int
    end: int


def find_amounts(text: str) -> tuple[Amount, ...]:
    """Every money amount in `text`, in order."""
    found: list[Amount] = []
    for match in _AMOUNT.finditer(text):
        whole, suffix = match["whole"], (match["suffix"] or "").lower()
        if not (match["dollar"] or "," in whole or suffix):
            continue
        number = Decimal(whole.replace(",", "") + (f".{match['frac']}" if match["frac"] else ""))
        value = number * _MULTIPLIERS.get(suffix, 1)
        found.append(Amount(_tidy(value), *match.span()))
    return tuple(found)


def _tidy(value: Decimal) -> Decimal:
    """64000.0 -> 64000, 1.50E+6 -> 1500000, 64000.50 -> 64000.5: one spelling per value."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def parse_plain_amount(text: str) -> Decimal | None:
    """A field that is only a number, as in Gamma's groupItemTitle ("64,000", "$100k", "64000")."""
    stripped = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", stripped):
        return _tidy(Decimal(stripped))
    amounts = find_amounts(stripped)
    if len(amounts) == 1 and amounts[0].start == 0 and amounts[0].end == len(stripped):
        return amounts[0].value
    return None
