"""Per-message-kind accounting for "sent = processed + dead-lettered + denied".

Senders count what they send (`sent`), actors count what they handled to the end
(`processed`); dead letters are counted by the runtime (`DeadLetterLog`); `fatal` is the one
message whose handling killed an actor (the chaos fault hook knows which), and `denied` an
ask refused before delivery.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pykka

from astra.actors.runtime.registry import Registry


class MessageTally:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: Counter[str] = Counter()
        self._processed: Counter[str] = Counter()
        self._fatal: Counter[str] = Counter()
        self._denied: Counter[str] = Counter()

    def sent(self, message: object) -> None:
        with self._lock:
            self._sent[type(message).__name__] += 1

    def processed(self, message: object) -> None:
        with self._lock:
            self._processed[type(message).__name__] += 1

    def fatal(self, message: object) -> None:
        with self._lock:
            self._fatal[type(message).__name__] += 1

    def denied(self, message: object) -> None:
        """An ask refused before delivery (no live actor): the caller saw ActorDeadError."""
        with self._lock:
            self._denied[type(message).__name__] += 1

    def counts(self, kind: str) -> tuple[int, int, int, int]:
        """(sent, processed, fatal, denied) of one message kind."""
        with self._lock:
            return self._sent[kind], self._processed[kind], self._fatal[kind], self._denied[kind]

    def kinds(self) -> list[str]:
        with self._lock:
            return sorted(set(self._sent) | set(self._processed))


class Router:
    """Send by stable name through the registry, counting every tell as sent."""

    def __init__(self, registry: Registry, tally: MessageTally | None = None) -> None:
        self.registry = registry
        self.tally = tally

    def tell(self, name: str, message: object) -> bool:
        if self.tally is not None:
            self.tally.sent(message)
        return self.registry.tell(name, message)

    def ask(self, name: str, message: object, timeout_s: float) -> Any:
        return self.registry.ask(name, message, timeout_s)

    def ask_later(self, name: str, message: object) -> pykka.Future[Any] | None:
        """Send an ask without waiting, counted as sent like a tell; None (and a counted
        dead letter) if no live actor has that name."""
        if self.tally is not None:
            self.tally.sent(message)
        return self.registry.ask_later(name, message)

    def processed(self, message: object) -> None:
        if self.tally is not None:
            self.tally.processed(message)
