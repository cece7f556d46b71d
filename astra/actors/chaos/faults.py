"""Instruments of the chaos scenario: the fault hook, the cancel tracker, the ERROR log tap."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from astra.actors.runtime.runtime_messages import Crash, InjectedFault
from astra.actors.runtime.tally import MessageTally


class ChaosFaults:
    """FaultHook: logs every (re)start, fails the next start of an armed name and crashes the
    next step of a name armed with `arm_crash` (a supervisor handling a death report, the
    watchdog's sweep, an actor's next message). `audit` sees every start first."""

    def __init__(
        self, tally: MessageTally, audit: Callable[[str, int], None] | None = None
    ) -> None:
        self._tally = tally
        self._audit = audit
        self._lock = threading.Lock()
        self._armed: set[str] = set()
        self._crash: set[str] = set()
        self.starts: list[tuple[str, int, float]] = []  # (name, generation, monotonic time)

    def arm_start(self, name: str) -> None:
        with self._lock:
            self._armed.add(name)

    def disarm_start(self, name: str) -> None:
        with self._lock:
            self._armed.discard(name)

    def arm_crash(self, name: str) -> None:
        with self._lock:
            self._crash.add(name)

    def on_start(self, name: str, generation: int) -> None:
        if self._audit is not None:
            self._audit(name, generation)
        with self._lock:
            self.starts.append((name, generation, time.monotonic()))
            armed = name in self._armed
            self._armed.discard(name)
        if armed:
            raise InjectedFault(f"chaos start fault in {name} generation {generation}")

    def on_message(self, name: str, generation: int, message: object) -> None:
        if isinstance(message, Crash):
            self._tally.fatal(message)  # the base actor raises on it right after this hook
        with self._lock:
            crash = name in self._crash
            self._crash.discard(name)
        if crash:
            if not isinstance(message, Crash):
                # Counted like a Crash: the message it interrupts was sent and died with it.
                self._tally.fatal(message)
            raise InjectedFault(f"chaos crash in {name} generation {generation}")

    def started_since(self, since: float) -> set[str]:
        with self._lock:
            return {name for name, generation, at in self.starts if at >= since and generation > 1}


class CancelTracker:
    """Which market confirmed the cancel-all of which halt, and when."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[int, dict[str, float]] = {}

    def record(self, halt_id: int, market: str, canceled: int) -> None:
        with self._lock:
            self._seen.setdefault(halt_id, {}).setdefault(f"market:{market}", time.monotonic())

    def reported(self, halt_id: int) -> set[str]:
        with self._lock:
            return set(self._seen.get(halt_id, {}))

    def last_time(self, halt_id: int) -> float | None:
        with self._lock:
            times = self._seen.get(halt_id)
            return max(times.values()) if times else None


class ErrorLog(logging.Handler):
    """Counts ERROR lines of the actor runtime that name an actor kind and a reason."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.deaths = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self.errors += 1
        named = "kind=" in text and "reason=" in text
        if named and ("actor failed:" in text or "actor stopped unexpectedly:" in text):
            self.deaths += 1

    @classmethod
    @contextmanager
    def capture(cls) -> Iterator[ErrorLog]:
        handler = cls()
        logger = logging.getLogger("astra.actors")
        logger.addHandler(handler)
        try:
            yield handler
        finally:
            logger.removeHandler(handler)
