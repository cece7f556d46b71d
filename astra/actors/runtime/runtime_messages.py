"""Messages and records of the actor runtime itself (not of the trading protocol).

`ChildDied` is the one report a supervisor receives about a child's end, whoever noticed it:
the actor itself (a handler or `on_started` raised, or it stopped), the watchdog (found dead,
stuck or stale) or the supervisor (a child that would not stop in time). `Crash` and `Stall`
are fault-injection messages for tests and the chaos suite; production code never sends them.
"""

from __future__ import annotations

import enum
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


class DeathCause(enum.StrEnum):
    """Why a child ended. Written verbatim to logs and the `reason` metric label."""

    TELL_EXCEPTION = "tell_exception"
    ASK_EXCEPTION = "ask_exception"
    START_EXCEPTION = "start_exception"
    STOP_EXCEPTION = "stop_exception"
    STOPPED = "stopped"  # the only normal exit: asked to stop, stopped cleanly
    FOUND_DEAD = "found_dead"  # watchdog: thread gone without a report
    STUCK = "stuck_handler"  # watchdog: one handler ran longer than allowed
    STALE = "stale_heartbeat"  # watchdog: mail waiting, no progress
    SHUTDOWN_TIMEOUT = "shutdown_timeout"  # did not stop within its shutdown timeout
    ESCALATED = "escalated"  # a child supervisor spent its restart budget
    LOOP_EXCEPTION = "loop_exception"  # a supervised loop (the watchdog's sweep) raised


class InjectedFault(RuntimeError):
    """Raised by the base actor on a `Crash` message: a deliberate, test-only failure."""


@dataclass(frozen=True, slots=True)
class DeadLetters:
    """Messages accepted into an inbox and never handled.

    `by_kind` counts message class names; `refused_asks` is how many of them were asks (their
    callers were answered with `ActorDeadError`, so they also see a refusal).
    """

    total: int = 0
    by_kind: tuple[tuple[str, int], ...] = ()
    refused_asks: int = 0

    @staticmethod
    def of(kinds: Iterable[str], refused_asks: int = 0) -> DeadLetters:
        counts = Counter(kinds)
        return DeadLetters(sum(counts.values()), tuple(sorted(counts.items())), refused_asks)

    def merge(self, other: DeadLetters) -> DeadLetters:
        counts = Counter(dict(self.by_kind))
        counts.update(dict(other.by_kind))
        return DeadLetters(
            self.total + other.total,
            tuple(sorted(counts.items())),
            self.refused_asks + other.refused_asks,
        )


NO_DEAD_LETTERS = DeadLetters()


@dataclass(frozen=True, slots=True)
class ChildDied:
    """A child of a supervisor ended. `generation` tells a stale report from a current one."""

    name: str
    kind: str
    generation: int
    cause: DeathCause
    detail: str = ""
    dead_letters: DeadLetters = NO_DEAD_LETTERS
    # The exception itself, for the supervisor's one ERROR line (with traceback).
    error: BaseException | None = field(default=None, compare=False, repr=False)

    @property
    def normal(self) -> bool:
        """OTP's `normal`/`shutdown`: a transient child is not restarted after it."""
        return self.cause is DeathCause.STOPPED


@dataclass(frozen=True, slots=True)
class Crash:
    """Test-only: the receiving actor raises `InjectedFault` from its handler."""

    note: str = "injected"


@dataclass(frozen=True, slots=True)
class Stall:
    """Test-only: the handler blocks until `release` is set (at most `max_s`): a stuck actor."""

    release: threading.Event
    max_s: float = 5.0
