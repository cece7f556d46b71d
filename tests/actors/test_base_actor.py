"""SupervisedActor: every end is reported once, with dead letters, from every path."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pykka
import pytest

from astra.actors.runtime.base import spawn
from astra.actors.runtime.dispatcher import Dispatcher
from astra.actors.runtime.runtime_messages import Crash, DeathCause, InjectedFault, Stall
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import DEAD_LETTERS_TOTAL, HANDLE_SECONDS, CountingMetrics
from tests.actors.runtime_support import (
    WAIT_S,
    Boom,
    Echo,
    EchoActor,
    Gate,
    Recorder,
    context,
)

pytestmark = pytest.mark.usefixtures("stop_all_actors")


@pytest.fixture
def parts() -> tuple[Recorder, ManualClock, CountingMetrics]:
    return Recorder(), ManualClock(1_000), CountingMetrics()


@pytest.fixture(params=["thread", "pooled"])
def dispatcher(request: pytest.FixtureRequest) -> Iterator[Dispatcher | None]:
    """Every test runs on pykka's thread per actor and on a two-worker pool."""
    if request.param == "thread":
        yield None
        return
    pool = Dispatcher("test", workers=2, throughput=4)
    pool.start()
    yield pool
    pykka.ActorRegistry.stop_all(block=True, timeout=WAIT_S)
    assert pool.stop(WAIT_S)


def _queue_behind_gate(ref: pykka.ActorRef[EchoActor]) -> threading.Event:
    gate = Gate(threading.Event(), threading.Event())
    ref.tell(gate)
    assert gate.entered.wait(WAIT_S)
    return gate.release


def test_ask_answers_and_beats_heartbeat(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=dispatcher)
    clock.advance(50)
    assert child.ref.ask(Echo(7), timeout=WAIT_S) == 7
    health = child.health()
    assert (health.kind, health.handled, health.last_beat_ms, health.busy_since_ms) == (
        "test",
        1,
        1_050,
        None,
    )
    assert health.started
    assert len(metrics.observations[(HANDLE_SECONDS, (("kind", "test"),))]) == 1


def test_tell_failure_is_reported_with_dead_letters(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=dispatcher)
    release = _queue_behind_gate(child.ref)
    child.ref.tell(Boom())
    child.ref.tell(Echo(1))
    child.ref.tell(Echo(2))
    asked = child.ref.ask(Echo(3), block=False)
    release.set()
    (died,) = report.wait_for(1)
    assert died.cause is DeathCause.TELL_EXCEPTION
    assert not died.normal
    assert (died.name, died.kind, died.generation) == ("a", "test", 1)
    assert died.dead_letters.total == 3
    assert died.dead_letters.by_kind == (("Echo", 3),)
    assert died.dead_letters.refused_asks == 1
    assert isinstance(died.error, ValueError)
    with pytest.raises(pykka.ActorDeadError):
        asked.get(timeout=WAIT_S)
    assert not child.is_alive()


def test_ask_failure_reaches_caller_and_stops_actor(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=dispatcher)
    with pytest.raises(ValueError, match="bad"):
        child.ref.ask(Boom("bad"), timeout=WAIT_S)
    (died,) = report.wait_for(1)
    assert died.cause is DeathCause.ASK_EXCEPTION
    assert not child.is_alive()  # pykka would have kept it running
    with pytest.raises(pykka.ActorDeadError):
        child.ref.tell(Echo(1))


def test_on_start_failure_is_reported(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    ref = EchoActor.start(
        context("a", report, clock, metrics), fail_start=True, dispatcher=dispatcher
    )
    (died,) = report.wait_for(1)
    assert died.cause is DeathCause.START_EXCEPTION
    assert "cannot start" in died.detail
    assert not ref.is_alive()


def test_normal_stop_counts_mail_after_the_stop(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    log: list[str] = []
    child = spawn(EchoActor, context("a", report, clock, metrics), log=log, dispatcher=dispatcher)
    release = _queue_behind_gate(child.ref)
    stopping = child.ref.stop(block=False)
    child.ref.tell(Echo(1))  # queued behind the stop: never handled
    release.set()
    assert stopping.get(timeout=WAIT_S) is True
    (died,) = report.wait_for(1)
    assert died.normal
    assert died.cause is DeathCause.STOPPED
    assert died.dead_letters.total == 1
    assert log == ["start:a:1", "stop:a:1"]


def test_crash_message_is_an_injected_fault(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=dispatcher)
    child.ref.tell(Crash("chaos"))
    (died,) = report.wait_for(1)
    assert isinstance(died.error, InjectedFault)
    assert died.detail == "InjectedFault: chaos"


def test_abandoned_actor_is_reported_once_and_late_mail_counted(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=dispatcher)
    release = _queue_behind_gate(child.ref)
    child.ref.tell(Echo(1))
    clock.advance(10)
    health = child.health()
    assert (health.busy_with, health.busy_since_ms, health.mailbox_depth) == ("Gate", 1_000, 1)
    letters = child.abandon()
    assert letters is not None
    assert letters.total == 1
    assert child.abandon() is None  # the exit is claimed once
    with pytest.raises(pykka.ActorDeadError):
        child.ref.tell(Echo(2))  # pykka refuses: the actor is marked stopped
    release.set()
    assert child.ref.actor_stopped.wait(WAIT_S)
    assert child.health().abandoned
    assert report.deaths == []  # an abandoned actor never reports itself


def test_late_tell_after_close_is_counted(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=dispatcher)
    child.ref.tell(Boom())
    report.wait_for(1)
    # A sender that looked the actor up before it died puts straight into the closed inbox.
    from pykka._envelope import Envelope

    child.ref.actor_inbox.put(Envelope(Echo(9)))
    assert metrics.counter(DEAD_LETTERS_TOTAL, {"kind": "test"}) == 1


def test_stall_blocks_until_released(
    parts: tuple[Recorder, ManualClock, CountingMetrics],
    dispatcher: Dispatcher | None,
) -> None:
    report, clock, metrics = parts
    child = spawn(EchoActor, context("a", report, clock, metrics), dispatcher=dispatcher)
    release = threading.Event()
    child.ref.tell(Stall(release, WAIT_S))
    asked = child.ref.ask(Echo(4), block=False)
    with pytest.raises(pykka.Timeout):
        asked.get(timeout=0.05)
    release.set()
    assert asked.get(timeout=WAIT_S) == 4
