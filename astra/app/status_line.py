"""The paper trader's periodic one-line status in its log: trading state and why, marked
equity, markets, books synced, fills, uptime. One INFO line every `[run] status_interval_s`
so an operator tailing the log sees the trader is alive and what it holds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from astra.adapters.report.fmt import usd
from astra.app.runtime import Runtime

_log = logging.getLogger("astra.app.status")


def status_line(runtime: Runtime, facts: dict[str, Any]) -> str:
    engine = runtime.engine
    risk = engine.risk_status()
    if risk is None:
        state, equity, fills = "UNKNOWN (risk actor not answering)", "-", "-"
    else:
        state = risk.state.upper()
        if risk.halt_reason:
            state += f" ({risk.halt_reason})"
        equity = "-" if risk.equity is None else usd(risk.equity)
        fills = f"{risk.fills_applied:,}"
    feed = facts.get("feed") or {}
    return (
        f"status: {state}, equity {equity}, markets {len(engine.market_names())}, "
        f"books synced {feed.get('synced', '-')}/{feed.get('assets', '-')}, fills {fills}, "
        f"healthy {'yes' if engine.all_healthy() else 'NO'}, uptime {facts.get('uptime_s', '-')} s"
    )


@dataclass(slots=True)
class StatusLog:
    """Logs `status_line` when `interval_s` has passed (checked from the live loop)."""

    interval_s: float
    clock: Callable[[], float]
    _next: float | None = field(default=None)

    def maybe_log(self, runtime: Runtime, facts: Callable[[], dict[str, Any]]) -> bool:
        now = self.clock()
        if self.interval_s <= 0 or (self._next is not None and now < self._next):
            return False
        self._next = now + self.interval_s
        _log.info(status_line(runtime, facts()), extra={"event": "status"})
        return True
