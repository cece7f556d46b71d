"""The threaded supervisor, one_for_one: restart the dead child only; routing follows."""

from __future__ import annotations

import pytest

from astra.actors.runtime.registry import Registry
from astra.actors.runtime.runtime_messages import ChildDied, Crash, DeathCause
from astra.actors.runtime.supervision import Intensity, RestartType, Strategy
from astra.actors.runtime.supervisor import Supervisor, SupervisorConfig
from astra.domain.metrics_port import (
    ACTOR_FAILURES_TOTAL,
    ACTOR_RESTARTS_TOTAL,
    CountingMetrics,
)
from tests.actors.runtime_support import NO_BACKOFF, WAIT_S, Echo, echo_spec, running, wait_until

pytestmark = pytest.mark.usefixtures("stop_all_actors")

CONFIG = SupervisorConfig(
    "sup", Strategy.ONE_FOR_ONE, Intensity(3, 5_000), NO_BACKOFF, shutdown_timeout_s=WAIT_S
)


def generations(supervisor: Supervisor) -> dict[str, int]:
    return {name: gen for name, gen, _ in supervisor.children()}


def test_restarts_only_the_dead_child_and_routes_to_the_new_ref(
    registry: Registry, metrics: CountingMetrics
) -> None:
    hooked: list[tuple[ChildDied, bool]] = []

    def before_restart(died: ChildDied) -> None:
        hooked.append((died, registry.get(died.name) is None))

    specs = [echo_spec("a"), echo_spec("b")]
    with running(registry, metrics, CONFIG, specs, before_restart=before_restart) as supervisor:
        old_ref = registry.ref("a")
        assert registry.tell("a", Crash())
        wait_until(lambda: generations(supervisor) == {"a": 2, "b": 1})
        wait_until(lambda: registry.ref("a") is not None)
        assert registry.ref("a") is not old_ref
        assert registry.ask("a", Echo(5), WAIT_S) == 5
        assert registry.ask("b", Echo(6), WAIT_S) == 6
        ((died, unbound),) = hooked
        assert died.cause is DeathCause.TELL_EXCEPTION
        assert unbound
        labels = {"kind": "test", "reason": "tell_exception"}
        assert metrics.counter(ACTOR_FAILURES_TOTAL, labels) == 1
        assert metrics.counter(ACTOR_RESTARTS_TOTAL, {"kind": "test"}) == 1


@pytest.mark.parametrize(
    ("restart", "stop_normally", "restarted"),
    [
        (RestartType.PERMANENT, True, True),
        (RestartType.PERMANENT, False, True),
        (RestartType.TRANSIENT, True, False),
        (RestartType.TRANSIENT, False, True),
        (RestartType.TEMPORARY, True, False),
        (RestartType.TEMPORARY, False, False),
    ],
)
def test_restart_types(
    registry: Registry,
    metrics: CountingMetrics,
    restart: RestartType,
    stop_normally: bool,
    restarted: bool,
) -> None:
    with running(registry, metrics, CONFIG, [echo_spec("a", restart)]) as supervisor:
        ref = registry.ref("a")
        assert ref is not None
        if stop_normally:
            ref.stop(timeout=WAIT_S)
        else:
            ref.tell(Crash())
        if restarted:
            wait_until(lambda: generations(supervisor) == {"a": 2})
            wait_until(lambda: registry.ref("a") is not None)
        else:
            wait_until(lambda: generations(supervisor) == {})
            assert registry.ref("a") is None
            assert not registry.tell("a", Echo(1))  # refused and counted, not lost
