"""A pykka inbox that can be closed, so a dead actor's mail is counted rather than lost.

pykka silently discards `tell`s still queued when an actor stops, and a `tell` that races with
the stop can land in a queue nobody will read again. Here `close()` drains the queue and marks
it closed under one lock, and every later `put` is refused at once: an ask is answered with
`ActorDeadError`, a tell is handed to the `on_late` callback. So every message that reached the
inbox is either handled, in the drained list, or seen by `on_late` — never lost silently.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pykka
from pykka import messages
from pykka._envelope import Envelope

from astra.actors.runtime_messages import DeadLetters

LateLetter = Callable[[DeadLetters], None]


class ClosableInbox:
    """The `put`/`get`/`empty` inbox pykka expects, plus `close`, `depth` and `current`."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Envelope[Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        # Envelopes ever queued, except kinds in `unordered` (handled ones are counted by the
        # block): what a `ControlBlock.wait_ordered` caller must see handled.
        self.accepted = 0
        self.unordered: tuple[type, ...] = ()
        self.on_late: LateLetter | None = None
        # The envelope being handled now: lets the actor tell an ask from a tell.
        self.current: Envelope[Any] | None = None

    def put(self, envelope: Envelope[Any], /) -> None:
        with self._lock:
            if not self._closed:
                self._queue.put(envelope)
                if not isinstance(envelope.message, self.unordered):
                    self.accepted += 1
                return
        letters = refuse((envelope,))
        if letters.total and self.on_late is not None:
            self.on_late(letters)

    def get(self) -> Envelope[Any]:
        envelope = self._queue.get()
        self.current = envelope
        return envelope

    def empty(self) -> bool:
        return self._queue.empty()

    def depth(self) -> int:
        return self._queue.qsize()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> DeadLetters:
        """Refuse all further mail; answer and count what is queued. Idempotent."""
        with self._lock:
            self._closed = True
            drained: list[Envelope[Any]] = []
            while True:
                try:
                    drained.append(self._queue.get_nowait())
                except queue.Empty:
                    break
        return refuse(drained)

    def wake(self) -> None:
        """Unblock a loop waiting in `get` after close: it reads a stop and exits."""
        self._queue.put(Envelope(messages._ActorStop()))


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
