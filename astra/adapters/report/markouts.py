"""The report's markout table: per strategy, how adverse its fills were.

One row per strategy and horizon from the journal's markout records: how many fills were
marked, their total and mean markout (USD, signed for us: negative = the market moved
through the fill) and the share that were adverse. Horizons without a mid are counted apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

Row = Mapping[str, Any]
_MICROS = Decimal(1_000_000)


def markout_table(markouts: Sequence[Row]) -> str:
    groups: dict[tuple[str, int], list[int | None]] = {}
    for row in markouts:
        key = (str(row.get("strategy", "")), int(row.get("horizon_ms", 0)))
        value = row.get("markout")
        groups.setdefault(key, []).append(value if isinstance(value, int) else None)
    if not groups:
        return "<h2>Fill markouts</h2><p>No fill reached a markout horizon.</p>"
    head = (
        "<tr><th>strategy</th><th>horizon</th><th>fills marked</th><th>no mid</th>"
        "<th>total (USD)</th><th>mean (USD)</th><th>adverse</th></tr>"
    )
    body = "".join(
        _row(strategy, horizon, values) for (strategy, horizon), values in sorted(groups.items())
    )
    return (
        "<h2>Fill markouts</h2><p>Each fill marked at its token's mid 1 s, 10 s and 60 s "
        "later, signed for us (negative: adverse selection).</p>"
        f"<table>{head}{body}</table>"
    )


def _row(strategy: str, horizon_ms: int, values: list[int | None]) -> str:
    known = [v for v in values if v is not None]
    total = sum(known)
    mean = Decimal(total) / len(known) / _MICROS if known else None
    adverse = f"{sum(v < 0 for v in known) / len(known):.0%}" if known else "-"
    cells = (
        strategy or "-",
        f"{horizon_ms / 1000:g} s",
        str(len(known)),
        str(len(values) - len(known)),
        f"{Decimal(total) / _MICROS:.6f}",
        "-" if mean is None else f"{mean:.6f}",
        adverse,
    )
    return "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
