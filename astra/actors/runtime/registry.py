"""Stable names -> the current generation of an actor. Routing follows restarts.

A restart makes a new pykka ref (a stopped pykka actor cannot be restarted), so nobody keeps
refs: senders address actors by name through this registry, which supervisors rebind on every
(re)start. While a name has no live actor (between death and restart) a `tell` is refused:
it returns False and is counted as a dead letter, never lost silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pykka
from pykka._envelope import Envelope

from astra.actors.runtime.base import ActorChild
from astra.actors.runtime.dead_letters import DeadLetterLog, account
from astra.actors.runtime.runtime_messages import ChildDied, DeadLetters
from astra.domain.metrics_port import MetricsSink


@dataclass(frozen=True, slots=True)
class Entry:
    """One bound actor and where its deaths are reported (its supervisor's inbox)."""

    child: ActorChild[Any]
    report: Callable[[ChildDied], None]
    supervisor: str


class Registry:
    """Thread-safe name -> current actor map, shared by a whole supervision tree."""

    def __init__(self, metrics: MetricsSink, dead_letters: DeadLetterLog | None = None) -> None:
        self._metrics = metrics
        self._dead_letters = dead_letters
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._kinds: dict[str, str] = {}  # kept after unbind, to label refused mail

    def bind(self, entry: Entry) -> None:
        with self._lock:
            self._entries[entry.child.name] = entry
            self._kinds[entry.child.name] = entry.child.kind

    def unbind(self, name: str, generation: int) -> None:
        """Drop `name` if it still points at `generation` (a newer binding is left alone)."""
        with self._lock:
            entry = self._entries.get(name)
            if entry is not None and entry.child.generation == generation:
                del self._entries[name]

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries.values())

    def names(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def get(self, name: str) -> ActorChild[Any] | None:
        # Lock-free read on every send: a single dict lookup is atomic in CPython, and the
        # map only changes under the lock. A shared lock here convoyed ~1,000 sender threads.
        entry = self._entries.get(name)
        return None if entry is None else entry.child

    def ref(self, name: str) -> pykka.ActorRef[Any] | None:
        child = self.get(name)
        return None if child is None else child.ref

    def tell(self, name: str, message: object) -> bool:
        """Send by name. False (and a counted dead letter) if no live actor has that name."""
        ref = self.ref(name)
        if ref is not None and _send(ref, message):
            return True
        self._refused(name, message)
        return False

    def _refused(self, name: str, message: object) -> None:
        with self._lock:
            kind = self._kinds.get(name, "unbound")
        account(self._metrics, self._dead_letters, kind, DeadLetters.of([type(message).__name__]))

    def entry(self, name: str) -> Entry | None:
        return self._entries.get(name)

    def ask_later(self, name: str, message: object) -> pykka.Future[Any] | None:
        """Ask by name without waiting. None (and a counted dead letter) if no actor has
        that name; an actor that dies before answering answers `ActorDeadError`.

        The envelope goes straight into the actor's closable inbox rather than through
        `ref.ask`: pykka answers an ask to a stopped actor with an `ActorDeadError` future
        and never delivers it, so the message would be neither handled nor counted. The
        closable inbox counts it instead (drained at close, or refused as late mail)."""
        ref = self.ref(name)
        if ref is None:
            self._refused(name, message)
            return None
        future: pykka.Future[Any] = ref.actor_class._create_future()
        ref.actor_inbox.put(Envelope(message, reply_to=future))
        return future

    def ask(self, name: str, message: object, timeout_s: float) -> Any:
        """Ask by name with a timeout. Raises `pykka.ActorDeadError` or `pykka.Timeout`."""
        ref = self.ref(name)
        if ref is None:
            raise pykka.ActorDeadError(f"no live actor named {name!r}")
        return ref.ask(message, timeout=timeout_s)


def _send(ref: pykka.ActorRef[Any], message: object) -> bool:
    try:
        ref.tell(message)
    except pykka.ActorDeadError:
        return False  # died between lookup and send: the caller counts it as unroutable
    return True
