"""The registry: stable names, routing by generation, refused mail counted."""

from __future__ import annotations

import pykka
import pytest

from astra.actors.runtime.base import spawn
from astra.actors.runtime.dead_letters import DeadLetterLog
from astra.actors.runtime.registry import Entry, Registry
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import DEAD_LETTERS_TOTAL, CountingMetrics
from tests.actors.runtime_support import WAIT_S, Echo, EchoActor, Recorder, context

pytestmark = pytest.mark.usefixtures("stop_all_actors")


def test_routes_by_name_and_ignores_unbinding_an_old_generation() -> None:
    metrics, clock, report = CountingMetrics(), ManualClock(0), Recorder()
    registry = Registry(metrics)
    first = spawn(EchoActor, context("a", report, clock, metrics, generation=1))
    second = spawn(EchoActor, context("a", report, clock, metrics, generation=2))
    registry.bind(Entry(first, report, "sup"))
    registry.bind(Entry(second, report, "sup"))
    registry.unbind("a", 1)  # a stale unbind must not drop the new generation
    assert registry.ref("a") is second.ref
    assert registry.ask("a", Echo(2), WAIT_S) == 2
    registry.unbind("a", 2)
    assert registry.names() == []


def test_unroutable_mail_is_refused_and_counted() -> None:
    metrics, clock, report = CountingMetrics(), ManualClock(0), Recorder()
    letters = DeadLetterLog()
    registry = Registry(metrics, letters)
    child = spawn(EchoActor, context("a", report, clock, metrics))
    registry.bind(Entry(child, report, "sup"))
    child.ref.stop(timeout=WAIT_S)
    assert not registry.tell("a", Echo(1))  # bound but dead
    registry.unbind("a", 1)
    assert not registry.tell("a", Echo(2))  # unbound
    assert not registry.tell("ghost", Echo(3))
    assert metrics.counter(DEAD_LETTERS_TOTAL, {"kind": "test"}) == 2
    assert metrics.counter(DEAD_LETTERS_TOTAL, {"kind": "unbound"}) == 1
    assert letters.total("Echo") == 3
    with pytest.raises(pykka.ActorDeadError):
        registry.ask("a", Echo(4), WAIT_S)


def test_an_ask_later_to_a_stopped_actor_is_counted_and_answered_dead() -> None:
    """pykka answers an ask to a stopped actor with a dead future and never delivers it;
    the registry must count that message (the halt's CancelAll leaked from chaos (e))."""
    metrics, clock, report = CountingMetrics(), ManualClock(0), Recorder()
    registry = Registry(metrics, DeadLetterLog())
    child = spawn(EchoActor, context("a", report, clock, metrics))
    registry.bind(Entry(child, report, "sup"))
    assert registry.ask_later("a", Echo(1)) is not None
    child.ref.stop(timeout=WAIT_S)
    future = registry.ask_later("a", Echo(2))  # bound but dead
    assert future is not None
    with pytest.raises(pykka.ActorDeadError):
        future.get(timeout=WAIT_S)
    assert metrics.counter(DEAD_LETTERS_TOTAL, {"kind": "test"}) == 1
    registry.unbind("a", 1)
    assert registry.ask_later("a", Echo(3)) is None
    assert metrics.counter(DEAD_LETTERS_TOTAL, {"kind": "test"}) == 2
