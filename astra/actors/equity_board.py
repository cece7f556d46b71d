"""The RiskActor's latest equity, published for the strategies' sizing."""

from __future__ import annotations

import threading


class EquityBoard:
    """The RiskActor's latest equity (micros), readable from any thread without an ask.

    The engine owns it, so it outlives RiskActor generations; None until a book that knows
    its equity (a `MarkedRiskBook`) has published one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._equity: int | None = None

    def publish(self, equity: int | None) -> None:
        with self._lock:
            self._equity = equity

    def read(self) -> int | None:
        with self._lock:
            return self._equity
