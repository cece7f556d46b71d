"""The pure supervision state machine: strategies, restart types, intensity, backoff."""

from __future__ import annotations

import pytest

from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.runtime_messages import ChildDied, DeathCause
from astra.actors.runtime.supervision import (
    Directive,
    Intensity,
    Plan,
    RestartType,
    RestartWindow,
    Strategy,
    SupervisionPolicy,
    affected,
)

P, T, X = RestartType.PERMANENT, RestartType.TRANSIENT, RestartType.TEMPORARY
FLAT = BackoffPolicy(base_ms=0, cap_ms=0, jitter=0.0)
ROOMY = Intensity(10, 1_000)


def crash(name: str) -> ChildDied:
    return ChildDied(name, "test", 1, DeathCause.TELL_EXCEPTION)


def normal(name: str) -> ChildDied:
    return ChildDied(name, "test", 1, DeathCause.STOPPED)


def policy(strategy: Strategy, intensity: Intensity = ROOMY) -> SupervisionPolicy:
    return SupervisionPolicy(strategy, intensity, FLAT, seed=0)


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (Strategy.ONE_FOR_ONE, ["b"]),
        (Strategy.SIMPLE_ONE_FOR_ONE, ["b"]),
        (Strategy.ONE_FOR_ALL, ["a", "b", "c"]),
        (Strategy.REST_FOR_ONE, ["b", "c"]),
    ],
)
def test_affected_children_per_strategy(strategy: Strategy, expected: list[str]) -> None:
    assert affected(strategy, ["a", "b", "c"], "b") == expected


def test_one_for_all_stops_siblings_in_reverse_and_drops_temporaries() -> None:
    children = [("a", P), ("b", T), ("c", X), ("d", P)]
    plan = policy(Strategy.ONE_FOR_ALL).decide(children, crash("b"), now_ms=0)
    assert plan == Plan(Directive.RESTART, stop=("d", "c", "a"), start=("a", "b", "d"), drop=("c",))


def test_rest_for_one_touches_only_later_children() -> None:
    children = [("a", P), ("b", P), ("c", P)]
    plan = policy(Strategy.REST_FOR_ONE).decide(children, crash("b"), now_ms=0)
    assert (plan.stop, plan.start) == (("c",), ("b", "c"))


def test_one_for_one_touches_no_sibling() -> None:
    plan = policy(Strategy.ONE_FOR_ONE).decide([("a", P), ("b", P)], crash("a"), now_ms=0)
    assert (plan.directive, plan.stop, plan.start) == (Directive.RESTART, (), ("a",))


@pytest.mark.parametrize(
    ("restart", "died", "directive"),
    [
        (P, crash("a"), Directive.RESTART),
        (P, normal("a"), Directive.RESTART),
        (T, crash("a"), Directive.RESTART),
        (T, normal("a"), Directive.REMOVE),
        (X, crash("a"), Directive.REMOVE),
        (X, normal("a"), Directive.REMOVE),
    ],
)
def test_restart_types(restart: RestartType, died: ChildDied, directive: Directive) -> None:
    plan = policy(Strategy.ONE_FOR_ONE).decide([("a", restart)], died, now_ms=0)
    assert plan.directive is directive


def test_intensity_inside_the_period_escalates() -> None:
    sup = policy(Strategy.ONE_FOR_ONE, Intensity(max_restarts=2, period_ms=1_000))
    directives = [sup.decide([("a", P)], crash("a"), t).directive for t in (0, 500, 999)]
    assert directives == [Directive.RESTART, Directive.RESTART, Directive.ESCALATE]


def test_intensity_outside_the_period_keeps_restarting() -> None:
    sup = policy(Strategy.ONE_FOR_ONE, Intensity(max_restarts=2, period_ms=1_000))
    directives = [sup.decide([("a", P)], crash("a"), t).directive for t in (0, 500, 1_000, 1_500)]
    assert directives == [Directive.RESTART] * 4


def test_zero_intensity_escalates_at_once() -> None:
    sup = policy(Strategy.ONE_FOR_ALL, Intensity(max_restarts=0, period_ms=5_000))
    assert sup.decide([("a", P)], crash("a"), 0).directive is Directive.ESCALATE


def test_removal_does_not_spend_the_budget() -> None:
    sup = policy(Strategy.ONE_FOR_ONE, Intensity(max_restarts=1, period_ms=1_000))
    assert sup.decide([("t", X)], crash("t"), 0).directive is Directive.REMOVE
    assert sup.decide([("a", P)], crash("a"), 1).directive is Directive.RESTART


def test_restart_window_counts() -> None:
    window = RestartWindow(Intensity(max_restarts=1, period_ms=100))
    assert window.admit(0)
    assert not window.admit(99)
    assert len(window) == 2
    assert window.admit(199)  # both earlier restarts left the window
    assert len(window) == 1


def test_backoff_grows_per_child_and_resets_after_quiet_time() -> None:
    backoff = BackoffPolicy(base_ms=100, cap_ms=10_000, jitter=0.0, reset_after_ms=5_000)
    sup = SupervisionPolicy(Strategy.ONE_FOR_ONE, Intensity(100, 1_000), backoff, seed=0)
    kids = [("a", P), ("b", P)]
    delays = [sup.decide(kids, crash(n), t).delay_ms for n, t in [("a", 0), ("a", 10), ("b", 20)]]
    assert delays == [100, 200, 100]
    assert sup.decide(kids, crash("a"), 6_000).delay_ms == 100  # lived long enough: reset


def test_invalid_intensity() -> None:
    with pytest.raises(ValueError, match="intensity"):
        Intensity(max_restarts=-1)
