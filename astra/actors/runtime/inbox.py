"""A pykka inbox that can be closed, so a dead actor's mail is counted rather than lost.

pykka silently discards `tell`s still queued when an actor stops, and a `tell` that races with
the stop can land in a queue nobody will read again. Here `close()` drains the queue and marks
it closed under one lock, and every later `put` is refused at once: an ask is answered with
`ActorDeadError`, a tell is handed to the `on_late` callback. So every message that reached the
inbox is either handled, in the drained list, or seen by `on_late` — never lost silently.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pykka
from pykka import messages
from pykka._envelope import Envelope

from astra.actors.runtime.runtime_messages import DeadLetters

LateLetter = Callable[[DeadLetters], None]


@dataclass(frozen=True, slots=True)
class InboxBound:
    """Backpressure for one inbox: only *data* messages (`is_data`) are bounded; control
    messages (cancels, queries, stops) are always accepted, or a full mailbox could not be
    halted.

    From `conflate_depth` queued envelopes on, a data tell is first offered to `merge` with
    the last queued envelope (also a data tell): a merged message replaces that envelope and
    `on_conflated(new)` is called (the new message's content lives on in the merged one). At
    `capacity` queued envelopes a data tell that cannot be merged is refused: it is counted
    as a dead letter and `on_overflow(new)` is called (the owner halts: `overload`).
    """

    capacity: int
    conflate_depth: int
    is_data: Callable[[object], bool]
    merge: Callable[[object, object], object | None]
    on_conflated: Callable[[object], None]
    on_overflow: Callable[[object], None]

    def __post_init__(self) -> None:
        if not 0 < self.conflate_depth <= self.capacity:
            raise ValueError("an inbox bound needs 0 < conflate_depth <= capacity")


class ClosableInbox:
    """The `put`/`get`/`empty` inbox pykka expects, plus `close`, `depth` and `current`.

    A deque under one lock; `get` waits on a condition of that lock. `PooledInbox` (in
    dispatcher.py) is this inbox without the waiting: it schedules its actor instead.
    """

    def __init__(self) -> None:
        self._queue: deque[Envelope[Any]] = deque()
        self._lock = threading.Lock()
        self._mail = threading.Condition(self._lock)  # `get` waits here for a `put`
        self._closed = False
        # Envelopes ever queued, except kinds in `unordered` (handled ones are counted by the
        # block): what a `ControlBlock.wait_ordered` caller must see handled.
        self.accepted = 0
        self.unordered: tuple[type, ...] = ()
        self.on_late: LateLetter | None = None
        # The envelope being handled now: lets the actor tell an ask from a tell.
        self.current: Envelope[Any] | None = None
        self.bound: InboxBound | None = None
        self.conflated = 0
        self.overflowed = 0

    def put(self, envelope: Envelope[Any], /) -> None:
        ready = False
        outcome = "queued"
        with self._lock:
            closed = self._closed
            if not closed:
                outcome = self._bounded(envelope)
                if outcome == "queued":
                    self._queue.append(envelope)
                    if not isinstance(envelope.message, self.unordered):
                        self.accepted += 1
                    ready = self._queued()
        if closed:
            letters = refuse((envelope,))
            if letters.total and self.on_late is not None:
                self.on_late(letters)
        elif outcome != "queued":
            self._after_bound(outcome, envelope)
        elif ready:
            self._ready()

    def _bounded(self, envelope: Envelope[Any]) -> str:
        """Under the lock: 'queued', 'conflated' (merged into the tail) or 'overflow'."""
        bound = self.bound
        depth = len(self._queue)
        if bound is None or depth < bound.conflate_depth or envelope.reply_to is not None:
            return "queued"
        if not bound.is_data(envelope.message):
            return "queued"
        tail = self._queue[-1]
        if tail.reply_to is None and bound.is_data(tail.message):
            merged = bound.merge(tail.message, envelope.message)
            if merged is not None:
                self._queue[-1] = Envelope(merged)
                self.conflated += 1
                return "conflated"
        if depth >= bound.capacity:
            self.overflowed += 1
            return "overflow"
        return "queued"

    def _after_bound(self, outcome: str, envelope: Envelope[Any]) -> None:
        bound = self.bound
        if bound is None:
            return
        if outcome == "conflated":
            bound.on_conflated(envelope.message)
            return
        letters = refuse((envelope,))
        if self.on_late is not None:
            self.on_late(letters)
        bound.on_overflow(envelope.message)

    def _queued(self) -> bool:
        """Under the lock, right after an envelope was queued: True to call `_ready`."""
        self._mail.notify()
        return False

    def _ready(self) -> None:
        """Outside the lock, after a `put` whose `_queued` said so."""

    def get(self) -> Envelope[Any]:
        with self._mail:
            while not self._queue:
                self._mail.wait()
            envelope = self._queue.popleft()
            self.current = envelope
            return envelope

    def empty(self) -> bool:
        return not self._queue

    def depth(self) -> int:
        return len(self._queue)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> DeadLetters:
        """Refuse all further mail; answer and count what is queued. Idempotent."""
        with self._lock:
            self._closed = True
            drained = list(self._queue)
            self._queue.clear()
        return refuse(drained)

    def wake(self) -> None:
        """Unblock a loop waiting in `get` after close: it reads a stop and exits."""
        with self._lock:
            self._queue.append(Envelope(messages._ActorStop()))
            self._mail.notify()


def refuse(envelopes: Iterable[Envelope[Any]]) -> DeadLetters:
    """Answer asks with `ActorDeadError` (stops with None, as pykka does); count the rest."""
    kinds: list[str] = []
    asks = 0
    for envelope in envelopes:
        if isinstance(envelope.message, messages._ActorStop):
            if envelope.reply_to is not None:
                envelope.reply_to.set(None)
            continue
        kinds.append(type(envelope.message).__name__)
        if envelope.reply_to is not None:
            asks += 1
            error = pykka.ActorDeadError("actor stopped before handling the message")
            envelope.reply_to.set_exception(exc_info=(pykka.ActorDeadError, error, None))
    return DeadLetters.of(kinds, asks)
