"""How the report writes numbers: dollars and cents, prices per share, shares, UTC times.

Inputs are the journal's exact integers; nothing here rounds money through a float except
the half-even rounding to cents a reader expects.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from astra.domain.prices import PRICE_SCALE, SIZE_SCALE, format_size

DASH = "\u2013"


def usd(micros: int | None) -> str:
    """Micro-USD as "$1,234.56" / "-$0.42" (cents, half-even)."""
    if micros is None:
        return DASH
    cents = int((Decimal(micros) * 100 / SIZE_SCALE).quantize(Decimal(1), ROUND_HALF_EVEN))
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{frac:02d}"


def usd_axis(dollars: float) -> str:
    """An axis tick in dollars: cents only when the tick needs them."""
    if abs(dollars - round(dollars)) < 1e-9:
        return f"{'-' if dollars < 0 else ''}${abs(round(dollars)):,}"
    return f"{'-' if dollars < 0 else ''}${abs(dollars):,.2f}"


def price(pips: int | None) -> str:
    """A price per share in dollars: 5400 pips -> "$0.54", 3110 -> "$0.311"."""
    if pips is None:
        return DASH
    text = f"{Decimal(pips) / PRICE_SCALE:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def shares(micros: int) -> str:
    return format_size(micros)


def pct(fraction: float | None, places: int = 2) -> str:
    return DASH if fraction is None else f"{fraction * 100:.{places}f}%"


def utc(ts_ms: int | None) -> str:
    """ "2026-03-11 15:56:00Z"."""
    if ts_ms is None:
        return DASH
    seconds, _ = divmod(ts_ms, 1000)
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def duration(ms: int | None) -> str:
    if ms is None or ms < 0:
        return DASH
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
