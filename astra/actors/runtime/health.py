"""The control block shared by an actor, its supervisor and the watchdog.

It is read from other threads without going through the mailbox (a stuck actor cannot answer
an ask), so it is a small struct behind a lock. It also decides, once, who reports an actor's
end: the actor itself (death or stop) or an outsider abandoning it (watchdog, supervisor) —
`claim_exit` returns True to exactly one of them, which makes every death reported once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from astra.actors.runtime.runtime_messages import NO_DEAD_LETTERS, DeadLetters


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    """A consistent copy of one actor's health at one instant."""

    name: str
    kind: str
    generation: int
    started: bool  # on_started finished
    exited: bool  # the end was claimed (reported or being reported)
    abandoned: bool  # given up by an outsider; its late results must be ignored
    last_beat_ms: int  # clock time of the last finished message (or of start)
    busy_since_ms: int | None  # clock time the current message started, if handling one
    busy_with: str | None  # class name of the message being handled
    handled: int  # messages handled so far (the watchdog's progress counter)
    mailbox_depth: int
    # A pooled actor on its dispatcher's run queue (or in a slice): its waiting mail is the
    # dispatcher's backlog, not a lost actor.
    queued_for_worker: bool = False


class ControlBlock:
    """Mutable health and exit claim of one actor generation."""

    def __init__(self, name: str, generation: int, now_ms: int) -> None:
        self.name = name
        self.generation = generation
        self.kind = "actor"
        # A condition, so a caller can wait until the actor has handled N messages.
        self._lock = threading.Condition()
        self._started = False
        self._exited = False
        self._abandoned = False
        self._last_beat_ms = now_ms
        self._busy_since_ms: int | None = None
        self._busy_with: str | None = None
        self._handled = 0
        self._ordered = 0  # handled messages of kinds a `wait_ordered` caller waits for
        self._depth: Callable[[], int] = lambda: 0
        self._abandon: Callable[[], DeadLetters] = lambda: NO_DEAD_LETTERS
        self._queued: Callable[[], bool] = lambda: False

    def attach(
        self,
        kind: str,
        depth: Callable[[], int],
        abandon: Callable[[], DeadLetters],
        queued: Callable[[], bool] | None = None,
    ) -> None:
        """Called once by the actor's constructor: how to read its depth, whether it is
        waiting for a pool worker (pooled actors only), and how to give it up."""
        self.kind = kind
        self._depth = depth
        self._abandon = abandon
        if queued is not None:
            self._queued = queued

    def mark_started(self, now_ms: int) -> None:
        with self._lock:
            self._started = True
            self._last_beat_ms = now_ms

    def begin(self, message_kind: str, now_ms: int) -> None:
        with self._lock:
            self._busy_since_ms = now_ms
            self._busy_with = message_kind

    def end(self, now_ms: int, *, ordered: bool = True) -> None:
        """One message handled; `ordered` unless its kind is exempt from `wait_ordered`."""
        with self._lock:
            self._busy_since_ms = None
            self._busy_with = None
            self._handled += 1
            self._last_beat_ms = now_ms
            if ordered:
                self._ordered += 1
                self._lock.notify_all()

    def wait_ordered(self, count: int, timeout_s: float) -> bool:
        """Wait until `count` ordered messages are handled; False on timeout or at the end."""
        with self._lock:
            done = self._lock.wait_for(
                lambda: self._ordered >= count or self._exited, max(timeout_s, 0.0)
            )
            return done and self._ordered >= count

    def claim_exit(self, *, abandon: bool = False) -> bool:
        """True for the first claimant only; the winner reports the end."""
        with self._lock:
            if self._exited:
                return False
            self._exited = True
            self._abandoned = abandon
            self._lock.notify_all()  # nobody waits for messages an ended actor won't handle
            return True

    @property
    def abandoned(self) -> bool:
        with self._lock:
            return self._abandoned

    def abandon(self) -> DeadLetters | None:
        """Give the actor up from outside (it may be stuck). None if its end is already claimed.

        Python cannot kill a thread: a stuck handler keeps running until it returns, then its
        loop exits. Whatever it produces meanwhile comes from a superseded generation.
        """
        if not self.claim_exit(abandon=True):
            return None
        return self._abandon()

    def snapshot(self) -> HealthSnapshot:
        depth = self._depth()
        # Only an actor with mail can be stale: ask the dispatcher (its lock is on every
        # send's path) only then.
        queued = self._queued() if depth else False
        with self._lock:
            return HealthSnapshot(
                name=self.name,
                kind=self.kind,
                generation=self.generation,
                started=self._started,
                exited=self._exited,
                abandoned=self._abandoned,
                last_beat_ms=self._last_beat_ms,
                busy_since_ms=self._busy_since_ms,
                busy_with=self._busy_with,
                handled=self._handled,
                mailbox_depth=depth,
                queued_for_worker=queued,
            )
