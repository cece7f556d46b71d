"""The threaded supervisor: strategies, dynamic pool, escalation, halt-first hook, shutdown."""

from __future__ import annotations

import threading
import time

import pytest

from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.base import ActorChild, spawn
from astra.actors.runtime.dead_letters import DeadLetterLog
from astra.actors.runtime.inbox import ClosableInbox
from astra.actors.runtime.registry import Registry
from astra.actors.runtime.runtime_messages import ChildDied, Crash, DeadLetters, DeathCause
from astra.actors.runtime.supervision import (
    ChildContext,
    ChildSpec,
    Intensity,
    RestartType,
    Strategy,
)
from astra.actors.runtime.supervisor import Supervisor, SupervisorConfig, supervisor_spec
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import ESCALATIONS_TOTAL, CountingMetrics
from tests.actors.runtime_support import (
    NO_BACKOFF,
    WAIT_S,
    Echo,
    EchoActor,
    Gate,
    echo_spec,
    running,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("stop_all_actors")

ROOMY = Intensity(10, 60_000)


def config(
    name: str = "root",
    strategy: Strategy = Strategy.ONE_FOR_ONE,
    intensity: Intensity = ROOMY,
    backoff: BackoffPolicy = NO_BACKOFF,
) -> SupervisorConfig:
    return SupervisorConfig(name, strategy, intensity, backoff, shutdown_timeout_s=WAIT_S)


def gens(supervisor: Supervisor) -> dict[str, int]:
    return {name: gen for name, gen, _ in supervisor.children()}


def settled(registry: Registry, supervisor: Supervisor, expected: dict[str, int]) -> None:
    wait_until(lambda: gens(supervisor) == expected)
    wait_until(lambda: all(registry.ref(name) is not None for name in expected))


def test_one_for_all_restarts_everyone_stopping_in_reverse(
    registry: Registry, metrics: CountingMetrics
) -> None:
    log: list[str] = []
    specs = [echo_spec(n, log=log) for n in "abc"]
    with running(registry, metrics, config(strategy=Strategy.ONE_FOR_ALL), specs) as sup:
        wait_until(lambda: len(log) == 3)
        registry.tell("b", Crash())
        settled(registry, sup, {"a": 2, "b": 2, "c": 2})
        stops = [entry for entry in log if entry.startswith("stop")]
        assert stops == ["stop:b:1", "stop:c:1", "stop:a:1"]


def test_rest_for_one_restarts_the_dead_and_later_children(
    registry: Registry, metrics: CountingMetrics
) -> None:
    specs = [echo_spec(n) for n in "abc"]
    with running(registry, metrics, config(strategy=Strategy.REST_FOR_ONE), specs) as sup:
        registry.tell("b", Crash())
        settled(registry, sup, {"a": 1, "b": 2, "c": 2})


def test_one_for_all_drops_a_temporary_sibling(
    registry: Registry, metrics: CountingMetrics
) -> None:
    specs = [echo_spec("a"), echo_spec("t", RestartType.TEMPORARY), echo_spec("b")]
    with running(registry, metrics, config(strategy=Strategy.ONE_FOR_ALL), specs) as sup:
        registry.tell("a", Crash())
        settled(registry, sup, {"a": 2, "b": 2})
        assert registry.ref("t") is None


def test_dynamic_pool_adds_removes_and_restarts_by_name(
    registry: Registry, metrics: CountingMetrics
) -> None:
    cfg = config("markets", Strategy.SIMPLE_ONE_FOR_ONE)
    with running(registry, metrics, cfg, []) as sup:
        for market in ("m1", "m2", "m3"):
            sup.add_child(echo_spec(market, RestartType.TRANSIENT))
        with pytest.raises(ValueError, match="already supervises"):
            sup.add_child(echo_spec("m1"))
        registry.tell("m2", Crash())
        settled(registry, sup, {"m1": 1, "m2": 2, "m3": 1})
        assert sup.remove_child("m1", WAIT_S)
        assert gens(sup) == {"m2": 2, "m3": 1}
        assert registry.ref("m1") is None
        assert not sup.remove_child("nope")


def test_start_failure_under_supervision_is_restarted(
    registry: Registry, metrics: CountingMetrics
) -> None:
    class FailSecondStart:
        def on_start(self, name: str, generation: int) -> None:
            if generation == 2:
                raise RuntimeError("second start fails")

        def on_message(self, name: str, generation: int, message: object) -> None:
            return None

    deaths: list[ChildDied] = []
    with running(
        registry,
        metrics,
        config(),
        [echo_spec("a")],
        faults=FailSecondStart(),
        before_restart=deaths.append,
    ) as sup:
        registry.tell("a", Crash())
        settled(registry, sup, {"a": 3})
        assert [d.cause for d in deaths] == [DeathCause.TELL_EXCEPTION, DeathCause.START_EXCEPTION]
        assert registry.ask("a", Echo(1), WAIT_S) == 1


def test_before_restart_completes_before_the_restart(
    registry: Registry, metrics: CountingMetrics
) -> None:
    entered, release = threading.Event(), threading.Event()

    def halt_first(died: ChildDied) -> None:
        entered.set()
        release.wait(WAIT_S)

    with running(registry, metrics, config(), [echo_spec("a")], before_restart=halt_first) as sup:
        registry.tell("a", Crash())
        assert entered.wait(WAIT_S)
        time.sleep(0.02)  # give a wrong implementation the chance to restart early
        assert registry.ref("a") is None
        assert gens(sup) == {"a": 1}
        release.set()
        settled(registry, sup, {"a": 2})


def test_backoff_delay_is_waited_before_restart(
    registry: Registry, metrics: CountingMetrics
) -> None:
    waits: list[float] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return False

    backoff = BackoffPolicy(base_ms=100, cap_ms=1_000, jitter=0.0)
    with running(registry, metrics, config(backoff=backoff), [echo_spec("a")], wait=wait) as sup:
        for expected in (2, 3):
            registry.tell("a", Crash())
            settled(registry, sup, {"a": expected})
        assert waits == [0.1, 0.2]


def test_spent_budget_escalates_beyond_the_root(
    registry: Registry, metrics: CountingMetrics
) -> None:
    cfg = config(intensity=Intensity(max_restarts=1, period_ms=60_000))
    with running(registry, metrics, cfg, [echo_spec("a"), echo_spec("b")]) as sup:
        registry.tell("a", Crash())
        settled(registry, sup, {"a": 2, "b": 1})
        assert sup.exit_code is None
        registry.tell("a", Crash())
        assert sup.escalated.wait(WAIT_S)
        assert sup.exit_code == 1
        assert registry.names() == []
        assert metrics.counter(ESCALATIONS_TOTAL, {"supervisor": "root"}) == 1


def test_child_supervisor_escalates_to_its_parent_which_restarts_it(
    registry: Registry, metrics: CountingMetrics
) -> None:
    markets = supervisor_spec(
        config("markets", intensity=Intensity(0, 60_000)), registry, [echo_spec("m1")]
    )
    with running(registry, metrics, config(), [markets]) as root:
        first = registry.ref("m1")
        registry.tell("m1", Crash())
        wait_until(lambda: gens(root) == {"markets": 2})
        wait_until(lambda: registry.ref("m1") not in (None, first))
        assert registry.ask("m1", Echo(3), WAIT_S) == 3
        assert not root.escalated.is_set()
        assert metrics.counter(ESCALATIONS_TOTAL, {"supervisor": "markets"}) == 1


def test_failing_before_restart_escalates(registry: Registry, metrics: CountingMetrics) -> None:
    def broken(died: ChildDied) -> None:
        raise RuntimeError("cannot halt")

    with running(registry, metrics, config(), [echo_spec("a")], before_restart=broken) as sup:
        registry.tell("a", Crash())
        assert sup.escalated.wait(WAIT_S)
        assert sup.exit_code == 1


def test_a_factory_failing_during_restart_spends_the_budget(
    registry: Registry, metrics: CountingMetrics
) -> None:
    starts: list[int] = []

    def start(ctx: ChildContext) -> ActorChild[EchoActor]:
        starts.append(ctx.generation)
        if ctx.generation > 1:
            raise OSError("resource gone")
        return spawn(EchoActor, ctx)

    spec = ChildSpec("a", start, kind="test")
    cfg = config(intensity=Intensity(max_restarts=2, period_ms=60_000))
    with running(registry, metrics, cfg, [spec]) as sup:
        registry.tell("a", Crash())
        assert sup.escalated.wait(WAIT_S)
        assert starts == [1, 2, 3]


def test_shutdown_is_reverse_order_and_bounded_with_a_stuck_child(
    registry: Registry, metrics: CountingMetrics
) -> None:
    log: list[str] = []
    specs = [
        echo_spec("a", log=log),
        echo_spec("stuck", log=log, shutdown_timeout_s=0.1),
        echo_spec("c", log=log),
    ]
    sup = Supervisor(config(), clock=ManualClock(0), metrics=metrics, registry=registry)
    sup.start(specs)
    gate = Gate(threading.Event(), threading.Event())
    registry.tell("stuck", gate)
    assert gate.entered.wait(WAIT_S)
    began = time.monotonic()
    report = sup.shutdown(timeout_s=1.0)
    elapsed = time.monotonic() - began
    gate.release.set()
    assert report.stopped == ("c", "a")
    assert report.not_stopped == ("stuck",)
    assert elapsed < 1.0
    assert [e for e in log if e.startswith("stop")] == ["stop:c:1", "stop:a:1"]
    assert sup.exit_code == 0
    assert sup.stopped.is_set()
    with pytest.raises(RuntimeError, match="stopped"):
        sup.add_child(echo_spec("late"))


def test_mail_of_a_child_stopped_by_an_escalation_is_counted(
    registry: Registry, metrics: CountingMetrics
) -> None:
    """A sibling stopped by the escalation reports its queued mail after the worker's last
    read of its death queue; those dead letters must still be counted (chaos invariant (e))."""
    letters = DeadLetterLog()
    cfg = config(intensity=Intensity(max_restarts=0, period_ms=60_000))
    gate = Gate(threading.Event(), threading.Event())
    with running(
        registry, metrics, cfg, [echo_spec("a"), echo_spec("b")], dead_letters=letters
    ) as sup:
        b = registry.ref("b")
        assert b is not None
        b.tell(gate)
        assert gate.entered.wait(WAIT_S)
        registry.tell("a", Crash())  # no restart budget: the supervisor escalates
        inbox = b.actor_inbox
        assert isinstance(inbox, ClosableInbox)
        wait_until(lambda: inbox.depth() >= 1)  # the escalation's stop is queued
        for value in range(3):
            b.tell(Echo(value))  # behind the stop: never handled
        gate.release.set()
        assert sup.escalated.wait(WAIT_S)
        wait_until(lambda: letters.total(message_kind="Echo") == 3)


def test_a_report_after_the_supervisor_ended_is_counted(
    registry: Registry, metrics: CountingMetrics
) -> None:
    letters = DeadLetterLog()
    with running(registry, metrics, config(), [echo_spec("a")], dead_letters=letters) as sup:
        pass
    assert sup.stopped.is_set()
    late = ChildDied("a", "test", 7, DeathCause.STOPPED, "", DeadLetters.of(["Echo", "Echo"]))
    sup.report(late)
    assert letters.total(message_kind="Echo") == 2
