"""UTC ISO times with milliseconds for the CLI's log-like lines (`astra decisions`).

Dollars, prices and shares use `astra.adapters.report.fmt` and the domain's exact formatters.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(ts_ms: int | None) -> str:
    """`2026-12-02T05:20:00.123Z`; "-" when the time is unknown."""
    if ts_ms is None:
        return "-"
    seconds, millis = divmod(ts_ms, 1000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"
