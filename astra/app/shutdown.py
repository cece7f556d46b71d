"""SIGINT/SIGTERM: the first asks for an orderly stop, a second exits at once.

The orderly stop (`Runtime.stop`) halts trading, cancels every resting order, commits the
journal and closes the run manifest within `run.shutdown_timeout_s` (5 s). The signal
handler only sets an event — the stop runs on the main loop, never inside a handler. A second
signal means the operator will not wait: `os._exit` at once (nothing is lost that matters:
the journal is crash-safe and the next start is the crash-only recovery path).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

_log = logging.getLogger("astra.app.shutdown")
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ShutdownSignals:
    def __init__(self) -> None:
        self.requested = threading.Event()
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def request(self, reason: str) -> None:
        """Ask for the orderly stop from code (max runtime, escalation)."""
        _log.warning("shutdown requested: reason=%s", reason)
        self.requested.set()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.requested.is_set():
            os._exit(128 + signum)
        self.signum = signum
        self.requested.set()
