"""The watchdog: dead, stuck and stale actors become failures reported to their supervisor."""

from __future__ import annotations

import threading
from typing import Any

import pykka
import pytest

from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.base import ActorChild, spawn
from astra.actors.runtime.dispatcher import Dispatcher
from astra.actors.runtime.registry import Entry, Registry
from astra.actors.runtime.runtime_messages import DeathCause
from astra.actors.runtime.supervision import Intensity, Strategy
from astra.actors.runtime.supervisor import Supervisor, SupervisorConfig
from astra.actors.runtime.watchdog import Watchdog, WatchdogConfig
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import ACTOR_FAILURES_TOTAL, ACTORS, MAILBOX_DEPTH, CountingMetrics
from tests.actors.runtime_support import (
    WAIT_S,
    Echo,
    EchoActor,
    Gate,
    Recorder,
    context,
    echo_spec,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("stop_all_actors")

CFG = WatchdogConfig(stuck_ms=1_000, stale_ms=500, interval_s=0.01)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(10_000)


def bound(
    registry: Registry, clock: ManualClock, metrics: CountingMetrics
) -> tuple[Recorder, ActorChild[EchoActor]]:
    report = Recorder()
    child = spawn(EchoActor, context("a", report, clock, metrics))
    registry.bind(Entry(child, report, "sup"))
    return report, child


def gate_in(ref: pykka.ActorRef[EchoActor]) -> threading.Event:
    gate = Gate(threading.Event(), threading.Event())
    ref.tell(gate)
    assert gate.entered.wait(WAIT_S)
    return gate.release


def test_healthy_actor_is_not_reported(clock: ManualClock, metrics: CountingMetrics) -> None:
    registry = Registry(metrics)
    report, child = bound(registry, clock, metrics)
    ref = child.ref
    dog = Watchdog(registry, clock, metrics, CFG)
    for _ in range(3):
        assert ref.ask(Echo(1), timeout=WAIT_S) == 1
        clock.advance(2_000)
        assert dog.check() == []
    assert report.deaths == []
    assert metrics.gauges[(ACTORS, (("kind", "test"), ("state", "running")))] == 1


def test_dead_actor_without_a_report_is_found(clock: ManualClock, metrics: CountingMetrics) -> None:
    registry = Registry(metrics)
    report, child = bound(registry, clock, metrics)
    child.ref.actor_stopped.set()  # died outside the base actor's guard
    dog = Watchdog(registry, clock, metrics, CFG)
    (died,) = dog.check()
    assert (died.cause, died.name, died.generation) == (DeathCause.FOUND_DEAD, "a", 1)
    assert dog.check() == []  # reported once
    assert report.deaths == [died]
    # What the supervisor does next: give the generation up, which also ends its thread.
    assert child.abandon() is not None
    assert dog.check() == []


def test_stuck_handler_is_reported_after_the_threshold(
    clock: ManualClock, metrics: CountingMetrics
) -> None:
    registry = Registry(metrics)
    report, child = bound(registry, clock, metrics)
    release = gate_in(child.ref)
    dog = Watchdog(registry, clock, metrics, CFG)
    clock.advance(999)
    assert dog.check() == []
    clock.advance(1)
    (died,) = dog.check()
    assert died.cause is DeathCause.STUCK
    assert "Gate" in died.detail
    assert report.deaths == [died]
    release.set()


def test_stale_heartbeat_with_waiting_mail(clock: ManualClock, metrics: CountingMetrics) -> None:
    registry = Registry(metrics)
    _, child = bound(registry, clock, metrics)
    release = gate_in(child.ref)
    child.ref.tell(Echo(1))
    dog = Watchdog(registry, clock, metrics, WatchdogConfig(stuck_ms=60_000, stale_ms=500))
    assert dog.check() == []  # first sight of waiting mail starts the stale timer
    assert metrics.gauges[(MAILBOX_DEPTH, (("kind", "test"),))] == 1
    clock.advance(499)
    assert dog.check() == []
    clock.advance(1)
    (died,) = dog.check()
    assert died.cause is DeathCause.STALE
    release.set()


def test_stuck_actor_is_abandoned_and_restarted_under_its_name(
    clock: ManualClock, metrics: CountingMetrics
) -> None:
    registry = Registry(metrics)
    cfg = SupervisorConfig(
        "sup", Strategy.ONE_FOR_ONE, Intensity(3, 60_000), BackoffPolicy(0, 0, jitter=0.0)
    )
    sup = Supervisor(cfg, clock=clock, metrics=metrics, registry=registry)
    sup.start([echo_spec("a")])
    old = registry.ref("a")
    assert old is not None
    release = gate_in(old)
    late = old.ask(Echo(7), block=False)
    dog = Watchdog(registry, clock, metrics, CFG)
    dog.start()
    try:
        clock.advance(1_000)
        wait_until(lambda: registry.ref("a") not in (None, old))
        assert registry.ask("a", Echo(8), WAIT_S) == 8
        with pytest.raises(pykka.ActorDeadError):
            late.get(timeout=WAIT_S)  # queued on the abandoned generation: refused, counted
        labels = {"kind": "test", "reason": "stuck_handler"}
        assert metrics.counter(ACTOR_FAILURES_TOTAL, labels) == 1
    finally:
        dog.stop()
        release.set()
        sup.shutdown(WAIT_S)
    assert old.actor_stopped.wait(WAIT_S)


class DropOnce:
    """A dispatcher fault hook: the next slice of the actor named `armed` raises outside its
    loop, so the dispatcher drops that actor from its run queue with its mail waiting."""

    def __init__(self) -> None:
        self.armed: str | None = None
        self.dropped: Any = None  # the Runnable the dispatcher dropped
        self.fired = threading.Event()

    def on_start(self, name: str, generation: int) -> None:
        return None

    def on_message(self, name: str, generation: int, message: object) -> None:
        if self.armed is not None and getattr(message, "name", None) == self.armed:
            self.armed, self.dropped = None, message
            self.fired.set()
            raise RuntimeError("slice raised outside the actor loop")


def test_a_pooled_actor_waiting_for_a_busy_worker_is_not_stale_but_a_dropped_one_is(
    clock: ManualClock, metrics: CountingMetrics
) -> None:
    hook = DropOnce()
    pool = Dispatcher("dog", workers=1, faults=hook)
    pool.start()
    registry, report = Registry(metrics), Recorder()
    busy = spawn(EchoActor, context("busy", report, clock, metrics), dispatcher=pool)
    waiting = spawn(EchoActor, context("waiting", report, clock, metrics), dispatcher=pool)
    for child in (busy, waiting):
        registry.bind(Entry(child, report, "sup"))
    assert waiting.ref.ask(Echo(0), timeout=WAIT_S) == 0
    dog = Watchdog(registry, clock, metrics, WatchdogConfig(stuck_ms=60_000, stale_ms=500))
    release = gate_in(busy.ref)  # the only worker is held
    waiting.ref.tell(Echo(1))  # queued for that worker
    assert dog.check() == []
    clock.advance(5_000)
    assert dog.check() == []  # ten times stale_ms behind a busy worker: only waiting
    release.set()
    assert waiting.ref.ask(Echo(2), timeout=WAIT_S) == 2
    hook.armed = "waiting"
    waiting.ref.tell(Echo(3))  # its slice raises: dropped, mail waiting
    assert hook.fired.wait(WAIT_S)
    wait_until(lambda: hook.dropped is not None and not pool.holds(hook.dropped))
    assert dog.check() == []  # first sight starts the stale timer
    clock.advance(500)
    (died,) = dog.check()
    assert died.name == "waiting"
    assert died.cause is DeathCause.STALE
    assert waiting.abandon() is not None  # what its supervisor does with a STALE report
    busy.ref.stop(timeout=WAIT_S)  # before the pool: a pooled stop needs a worker
    assert pool.stop(WAIT_S)
