"""Pooled actors: one message at a time, in order, fairly shared workers, stuck handlers
compensated. (Death reporting on the pool is covered by test_base_actor, run on both.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pykka
import pytest

from astra.actors.runtime.base import ActorChild, SupervisedActor, spawn
from astra.actors.runtime.dispatcher import Dispatcher
from astra.actors.runtime.supervision import ChildContext
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import CountingMetrics
from tests.actors.runtime_support import (
    WAIT_S,
    Echo,
    EchoActor,
    Gate,
    Recorder,
    context,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("stop_all_actors")


@dataclass(frozen=True, slots=True)
class Note:
    sender: int
    index: int


class Journal:
    """What every actor handled, in global order, and any overlap inside one actor."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.handled: list[tuple[str, Note]] = []
        self.overlaps = 0


class NoteActor(SupervisedActor):
    kind = "note"

    def __init__(self, ctx: ChildContext, journal: Journal, dispatcher: Dispatcher) -> None:
        super().__init__(ctx, dispatcher=dispatcher)
        self._journal = journal
        self._inside = False

    def handle(self, message: Any) -> Any:
        if self._inside:  # another worker is inside this actor: the pool broke its promise
            with self._journal.lock:
                self._journal.overlaps += 1
        self._inside = True
        try:
            total = sum(range(200))  # some work, so slices really interleave
            with self._journal.lock:
                self._journal.handled.append((self.name, message))
            return total
        finally:
            self._inside = False


@pytest.fixture
def pool() -> Iterator[Dispatcher]:
    dispatcher = Dispatcher("test", workers=2, throughput=8)
    dispatcher.start()
    yield dispatcher
    pykka.ActorRegistry.stop_all(block=True, timeout=WAIT_S)
    assert dispatcher.stop(WAIT_S)


def _note_actors(count: int, journal: Journal, pool: Dispatcher) -> list[ActorChild[NoteActor]]:
    clock, metrics, report = ManualClock(0), CountingMetrics(), Recorder()
    return [
        spawn(NoteActor, context(f"n{i}", report, clock, metrics), journal, pool)
        for i in range(count)
    ]


def test_many_actors_on_two_workers_handle_everything_in_order_one_at_a_time(
    pool: Dispatcher,
) -> None:
    journal = Journal()
    actors = _note_actors(100, journal, pool)
    senders, per_sender = 4, 30

    def send(sender: int) -> None:
        for index in range(per_sender):
            for child in actors:
                child.ref.tell(Note(sender, index))

    threads = [threading.Thread(target=send, args=(s,)) for s in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    wait_until(lambda: len(journal.handled) == len(actors) * senders * per_sender)
    wait_until(pool.idle)
    assert journal.overlaps == 0
    for child in actors:
        mine = [note for name, note in journal.handled if name == child.name]
        for sender in range(senders):
            assert [n.index for n in mine if n.sender == sender] == list(range(per_sender))


def test_a_flooded_actor_does_not_starve_the_others() -> None:
    pool = Dispatcher("fair", workers=1, throughput=4)
    pool.start()
    try:
        journal = Journal()
        busy, quiet = _note_actors(2, journal, pool)
        gate = Gate(threading.Event(), threading.Event())
        clock, metrics, report = ManualClock(0), CountingMetrics(), Recorder()
        blocker = spawn(EchoActor, context("blocker", report, clock, metrics), dispatcher=pool)
        blocker.ref.tell(gate)  # holds the only worker while the queues fill
        assert gate.entered.wait(WAIT_S)
        for index in range(400):
            busy.ref.tell(Note(0, index))
        quiet.ref.tell(Note(1, 0))
        gate.release.set()
        wait_until(lambda: len(journal.handled) == 401)
        position = [name for name, _ in journal.handled].index(quiet.name)
        # The quiet actor waited one slice of the busy one (throughput 4), not all 400.
        assert position == 4
    finally:
        pykka.ActorRegistry.stop_all(block=True, timeout=WAIT_S)
        assert pool.stop(WAIT_S)


def test_abandoning_a_stuck_actor_adds_a_worker_and_retires_one_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool = Dispatcher("stuck", workers=1, throughput=4)
    pool.start()
    clock, metrics, report = ManualClock(0), CountingMetrics(), Recorder()
    try:
        stuck = spawn(EchoActor, context("stuck", report, clock, metrics), dispatcher=pool)
        other = spawn(EchoActor, context("other", report, clock, metrics), dispatcher=pool)
        gate = Gate(threading.Event(), threading.Event())
        stuck.ref.tell(gate)
        assert gate.entered.wait(WAIT_S)
        waiting = other.ref.ask(Echo(1), block=False)
        with pytest.raises(pykka.Timeout):
            waiting.get(timeout=0.05)  # the only worker is held
        assert stuck.abandon() is not None
        assert waiting.get(timeout=WAIT_S) == 1  # the replacement worker answered
        assert pool.compensations == 1
        assert "dispatcher stuck: a worker is held by an abandoned handler" in caplog.text
        gate.release.set()
        wait_until(lambda: _workers(pool) == 1)  # the held worker retired when released
        assert other.ref.ask(Echo(2), timeout=WAIT_S) == 2
    finally:
        gate.release.set()
        pykka.ActorRegistry.stop_all(block=True, timeout=WAIT_S)
        assert pool.stop(WAIT_S)


def _workers(pool: Dispatcher) -> int:
    return sum(t.name.startswith("stuck-worker") for t in threading.enumerate())


def test_idle_is_false_while_a_handler_runs(pool: Dispatcher) -> None:
    clock, metrics, report = ManualClock(0), CountingMetrics(), Recorder()
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=pool)
    wait_until(pool.idle)
    gate = Gate(threading.Event(), threading.Event())
    child.ref.tell(gate)
    assert gate.entered.wait(WAIT_S)
    assert not pool.idle()
    gate.release.set()
    wait_until(pool.idle)
    assert child.ref.ask(Echo(3), timeout=WAIT_S) == 3


def test_mail_sent_before_the_start_slice_waits_for_on_started() -> None:
    pool = Dispatcher("late", workers=1)  # not started yet: nothing runs
    clock, metrics, report = ManualClock(0), CountingMetrics(), Recorder()
    log: list[str] = []
    child = spawn(EchoActor, context("a", report, clock, metrics), log=log, dispatcher=pool)
    answer = child.ref.ask(Echo(5), block=False)
    assert log == []
    pool.start()
    try:
        assert answer.get(timeout=WAIT_S) == 5
        assert log == ["start:a:1"]
    finally:
        pykka.ActorRegistry.stop_all(block=True, timeout=WAIT_S)
        assert pool.stop(WAIT_S)


def test_a_pool_needs_workers_and_a_throughput() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        Dispatcher("none", workers=0)
    with pytest.raises(ValueError, match="throughput"):
        Dispatcher("none", workers=1, throughput=0)
