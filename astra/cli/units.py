"""Human units for what a person reads: UTC ISO times and dollars.

The journal keeps exact integers (epoch milliseconds, micro-dollars of collateral); prices and
sizes use the domain's own exact formatters (`astra.domain.prices.format_price/format_size`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from astra.domain.prices import SIZE_SCALE


def utc_iso(ts_ms: int | None) -> str:
    """`2026-12-02T05:20:00.123Z`; "-" when the time is unknown."""
    if ts_ms is None:
        return "-"
    seconds, millis = divmod(ts_ms, 1000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"


def dollars_text(micros: int) -> str:
    """Collateral in micro-dollars as "$1,234.56" (cents, rounded half-even), sign in front."""
    cents = int((Decimal(micros) * 100 / SIZE_SCALE).quantize(Decimal(1), ROUND_HALF_EVEN))
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{frac:02d}"
