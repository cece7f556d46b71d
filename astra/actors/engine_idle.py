"""When the engine is up and when it is idle: the waits `Engine.start` and `Engine.drain` do."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pykka

from astra.actors.messages import FlushTick
from astra.actors.runtime.dispatcher import Dispatcher
from astra.actors.runtime.registry import Registry


class EngineStartError(RuntimeError):
    """The actor tree did not come up (every actor started) within the wait."""


def await_started(
    all_started: Callable[[], bool], escalated: Callable[[], bool], wait_s: float
) -> None:
    """Return once every actor has run `on_started` (or the tree escalated).

    A pooled market's start slice may run after `start()` returned; a replay that fed (and a
    BookSource that observed) events before it would seed that market's books with them at
    start and then apply them again: a replay that is not reproducible."""
    deadline = time.monotonic() + wait_s
    while not (all_started() or escalated()):
        if time.monotonic() >= deadline:
            raise EngineStartError(f"engine: actors not all started after {wait_s} s")
        time.sleep(0.005)


def tree_busy(registry: Registry, dispatcher: Dispatcher | None, pooled: frozenset[str]) -> bool:
    """Some mailbox has mail or some handler runs. Pooled actors are idle when their
    dispatcher is (nothing queued, no slice running): one check instead of one each."""
    if dispatcher is not None and not dispatcher.idle():
        return True
    entries = (e for e in registry.entries() if e.child.name not in pooled)
    return any(
        h.mailbox_depth or h.busy_since_ms is not None for h in (e.child.health() for e in entries)
    )


def drain_tree(busy: Callable[[], bool], flush: Callable[[float], bool], timeout_s: float) -> bool:
    """Wait for two quiet looks in a row (nothing in flight between them), then commit."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline:
        quiet = 0 if busy() else quiet + 1
        if quiet >= 2:
            return flush(max(deadline - time.monotonic(), 0.1))
        time.sleep(0.002)
    return False


def tick_flushes(registry: Registry, name: str, stop: threading.Event, interval_s: float) -> None:
    """The journal flush timer: a `FlushTick` to the TelemetryActor every interval."""
    while not stop.wait(interval_s):
        ref = registry.ref(name)
        if ref is not None:
            try:
                ref.tell(FlushTick())
            except pykka.ActorDeadError:
                continue  # between generations: the next tick finds the new one
