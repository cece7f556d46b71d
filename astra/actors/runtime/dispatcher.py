"""A small pool of worker threads that runs many actors' mailboxes (an Akka-style dispatcher).

pykka gives every actor its own OS thread. With a thousand markets that is a thousand threads
contending for one GIL: every event costs several thread hand-offs and a halt wakes a
thousand threads one by one (benchmarks/RESULTS.md). A pooled actor keeps every actor
guarantee — one message at a time, in arrival order, state touched by nobody else — but its
mailbox is run by whichever worker picks it up. An actor with mail is on the run queue at
most once; a worker handles up to `throughput` of its messages, then puts it at the back of
the queue if more remain, so one busy market cannot starve the others.

A handler that blocks (a risk-approval ask, an injected stall) holds its worker. When the
watchdog abandons a stuck pooled actor, `compensate()` starts a replacement worker and one
worker retires after its current slice, so capacity stays constant. Pooled actors must not
ask other pooled actors (a full pool would wait on itself); they ask thread-backed actors
only (the RiskActor).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from pykka._envelope import Envelope

from astra.actors.runtime.inbox import ClosableInbox
from astra.actors.runtime.supervision import FaultHook

_log = logging.getLogger("astra.actors.runtime.dispatcher")


class Runnable(Protocol):
    def run_slice(self, budget: int) -> bool:
        """Handle up to `budget` messages; True to be queued again (more mail may remain)."""


class _Stop:
    def run_slice(self, budget: int) -> bool:  # pragma: no cover - never run, only seen
        return False


_STOP = _Stop()


class Dispatcher:
    """`workers` threads sharing one run queue of actors that have mail."""

    def __init__(
        self, name: str, workers: int, throughput: int = 64, faults: FaultHook | None = None
    ) -> None:
        if workers < 1 or throughput < 1:
            raise ValueError("a dispatcher needs at least one worker and a throughput >= 1")
        self.name = name
        self.fault_name = f"{name}-dispatcher"  # what the (test-only) fault hook sees
        self._faults = faults
        self.workers = workers
        self.throughput = throughput
        self._ready: queue.SimpleQueue[Runnable] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._outstanding = 0  # actors queued or in a slice
        # Per actor: submissions not yet finished (queued or in a slice). An actor with mail
        # and no holding here was dropped (a slice raised outside its loop): the watchdog's
        # STALE case. One with a holding is only waiting for a worker.
        self._held: Counter[int] = Counter()
        self._retire = 0  # workers to retire (each compensation added one)
        self._spawned = 0
        self.compensations = 0

    def start(self) -> None:
        for _ in range(self.workers):
            self._spawn()

    def submit(self, actor: Runnable) -> None:
        """Queue an actor that has mail (its inbox guarantees it is queued at most once)."""
        with self._lock:
            self._outstanding += 1
            self._held[id(actor)] += 1
        self._ready.put(actor)

    def holds(self, actor: Runnable) -> bool:
        """The actor is on the run queue or in a slice right now."""
        with self._lock:
            return self._held[id(actor)] > 0

    def idle(self) -> bool:
        """No actor queued and no slice running: every pooled mailbox was empty just now."""
        with self._lock:
            return self._outstanding == 0

    def compensate(self) -> None:
        """A worker is held by an abandoned handler: add one now, retire one later."""
        with self._lock:
            self._retire += 1
            self.compensations += 1
            count = self.compensations
        _log.warning(
            "dispatcher %s: a worker is held by an abandoned handler; one more worker "
            "(compensation %d, it retires once the held one returns)",
            self.name,
            count,
        )
        self._spawn()

    def stop(self, timeout_s: float = 2.0) -> bool:
        """Stop every worker after its current slice; False if one is still running."""
        with self._lock:
            threads = list(self._threads)
        for _ in threads:
            self._ready.put(_STOP)
        for thread in threads:
            thread.join(timeout_s)
        return not any(t.is_alive() for t in threads)

    def _spawn(self) -> None:
        with self._lock:
            self._spawned += 1
            # Daemon: a worker held forever by an abandoned handler must not block exit.
            thread = threading.Thread(
                target=self._work, name=f"{self.name}-worker-{self._spawned}", daemon=True
            )
            self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        while True:
            actor = self._ready.get()
            if actor is _STOP:
                return
            again = self._run(actor)
            if again:
                self._ready.put(actor)  # still outstanding: no count change
            else:
                with self._lock:
                    self._outstanding -= 1
                    key = id(actor)
                    self._held[key] -= 1
                    if self._held[key] <= 0:
                        del self._held[key]
            if self._retire and self._retire_one():
                return

    def _run(self, actor: Runnable) -> bool:
        try:
            if self._faults is not None:
                self._faults.on_message(self.fault_name, 0, actor)
            return actor.run_slice(self.throughput)
        except BaseException:  # noqa: BLE001 - a worker must outlive any actor's bug
            # The actor loop already turns handler errors into deaths; reaching here is a
            # runtime bug. Log it loudly and drop the actor from the queue.
            _log.exception("dispatcher %s: slice raised outside the actor loop", self.name)
            return False

    def _retire_one(self) -> bool:
        with self._lock:
            if self._retire <= 0:
                return False
            self._retire -= 1
            self._threads.remove(threading.current_thread())
            return True


class PooledInbox(ClosableInbox):
    """The inbox of a pooled actor: a `ClosableInbox` (close refuses and counts, late mail
    goes to `on_late`) that nobody waits on. Instead `put` hands the actor to its dispatcher
    when it had no mail and was not running, and the worker `take`s envelopes.
    """

    def __init__(self) -> None:
        super().__init__()
        # True until the start slice runs: mail that arrives earlier just waits.
        self._scheduled = True
        self.on_ready: Callable[[], None] | None = None

    def _queued(self) -> bool:
        # Mail for an actor neither queued nor running: it must go on the run queue (once).
        wake = not self._scheduled
        self._scheduled = True
        return wake

    def _ready(self) -> None:
        if self.on_ready is not None:
            self.on_ready()

    def take(self) -> Envelope[Any] | None:
        """The next envelope, or None — and then the actor is off the run queue."""
        with self._lock:
            if self._queue:
                envelope = self._queue.popleft()
                self.current = envelope
                return envelope
            self._scheduled = False
            return None

    def get(self) -> Envelope[Any]:
        """pykka's teardown reads what is left this way (only after `empty()` said no)."""
        with self._lock:
            return self._queue.popleft()

    def wake(self) -> None:
        """Nothing waits on a pooled inbox: the slice sees the stop after its handler."""
