"""Supervision vocabulary and the pure decision logic (OTP semantics), with no threads.

`SupervisionPolicy.decide` turns "child X died (normally or not) at time t" into a `Plan`:
ignore it, remove the child, restart a set of children after a backoff delay, or escalate
because the restart intensity (at most `max_restarts` within `period_ms`) is spent. The
threaded `Supervisor` only carries plans out, so every rule here is unit-tested with plain
integers for time.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from astra.actors.runtime.backoff import Backoff, BackoffPolicy
from astra.actors.runtime.dead_letters import DeadLetterLog
from astra.actors.runtime.health import ControlBlock, HealthSnapshot
from astra.actors.runtime.runtime_messages import ChildDied, DeadLetters
from astra.domain.clock import Clock
from astra.domain.metrics_port import MetricsSink


class RestartType(enum.StrEnum):
    PERMANENT = "permanent"  # always restarted
    TRANSIENT = "transient"  # restarted only after an abnormal end
    TEMPORARY = "temporary"  # never restarted, and dropped if a sibling's restart stops it


class Strategy(enum.StrEnum):
    ONE_FOR_ONE = "one_for_one"  # restart the dead child only
    ONE_FOR_ALL = "one_for_all"  # stop all children, restart all
    REST_FOR_ONE = "rest_for_one"  # stop and restart the dead child and those started after it
    SIMPLE_ONE_FOR_ONE = "simple_one_for_one"  # dynamic pool of like children; one_for_one


@dataclass(frozen=True, slots=True)
class Intensity:
    """At most `max_restarts` restarts within `period_ms`; one more escalates (OTP MaxR/MaxT)."""

    max_restarts: int = 3
    period_ms: int = 5_000

    def __post_init__(self) -> None:
        if self.max_restarts < 0 or self.period_ms <= 0:
            raise ValueError("intensity needs max_restarts >= 0 and period_ms > 0")


class RestartWindow:
    """Sliding window of restart times. A restart at t counts while `now - t < period_ms`."""

    def __init__(self, intensity: Intensity) -> None:
        self._intensity = intensity
        self._times: deque[int] = deque()

    def admit(self, now_ms: int) -> bool:
        """Record a restart at `now_ms`; False when it exceeds the budget (escalate)."""
        while self._times and now_ms - self._times[0] >= self._intensity.period_ms:
            self._times.popleft()
        self._times.append(now_ms)
        return len(self._times) <= self._intensity.max_restarts

    def __len__(self) -> int:
        return len(self._times)


def should_restart(restart: RestartType, died: ChildDied) -> bool:
    if restart is RestartType.PERMANENT:
        return True
    if restart is RestartType.TRANSIENT:
        return not died.normal
    return False


class Directive(enum.StrEnum):
    REMOVE = "remove"  # the child is not restarted and leaves the supervisor
    RESTART = "restart"
    ESCALATE = "escalate"  # budget spent: stop everything, fail to the parent


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do about one death. Names in `stop` are in reverse start order, `start` in order."""

    directive: Directive
    stop: tuple[str, ...] = ()  # live siblings to stop before the restart
    start: tuple[str, ...] = ()  # children to start again, dead one included
    drop: tuple[str, ...] = ()  # temporary siblings stopped and not restarted
    delay_ms: int = 0


def affected(strategy: Strategy, order: Sequence[str], dead: str) -> list[str]:
    """The children a death touches, in start order (OTP strategy semantics)."""
    if strategy is Strategy.ONE_FOR_ALL:
        return list(order)
    if strategy is Strategy.REST_FOR_ONE:
        return list(order[order.index(dead) :])
    return [dead]


class SupervisionPolicy:
    """The supervisor's decisions: strategy, restart types, intensity and backoff."""

    def __init__(
        self, strategy: Strategy, intensity: Intensity, backoff: BackoffPolicy, seed: int
    ) -> None:
        self.strategy = strategy
        self._window = RestartWindow(intensity)
        self._backoff = Backoff(backoff, seed)
        self._reset_after_ms = backoff.reset_after_ms
        self._attempts: dict[str, tuple[int, int]] = {}  # name -> (consecutive, last ms)

    def decide(
        self, children: Sequence[tuple[str, RestartType]], died: ChildDied, now_ms: int
    ) -> Plan:
        """`children` are (name, restart type) in start order and include the dead one."""
        types = dict(children)
        if not should_restart(types[died.name], died):
            return Plan(Directive.REMOVE)
        if not self._window.admit(now_ms):
            return Plan(Directive.ESCALATE)
        touched = affected(self.strategy, [name for name, _ in children], died.name)
        siblings = [name for name in touched if name != died.name]
        return Plan(
            Directive.RESTART,
            stop=tuple(reversed(siblings)),
            start=tuple(n for n in touched if n == died.name or types[n] != RestartType.TEMPORARY),
            drop=tuple(n for n in siblings if types[n] is RestartType.TEMPORARY),
            delay_ms=self._next_delay(died.name, now_ms),
        )

    def _next_delay(self, name: str, now_ms: int) -> int:
        # Consecutive failures back off; a child that lived `reset_after_ms` starts over.
        count, last = self._attempts.get(name, (0, now_ms))
        if now_ms - last >= self._reset_after_ms:
            count = 0
        self._attempts[name] = (count + 1, now_ms)
        return self._backoff.delay_ms(count + 1)

    def forget(self, name: str) -> None:
        self._attempts.pop(name, None)


@dataclass(frozen=True, slots=True)
class ChildContext:
    """Everything a child gets from its supervisor when it is (re)started.

    `report` is the supervisor's death inbox (thread-safe, never blocks); `block` is this
    generation's control block (health, exit claim); `faults` is a test-only fault hook.
    """

    name: str
    generation: int
    clock: Clock
    metrics: MetricsSink
    report: Callable[[ChildDied], None]
    block: ControlBlock
    dead_letters: DeadLetterLog | None = None
    faults: FaultHook | None = None


class FaultHook(Protocol):
    """Test-only fault injection: either method may raise to simulate a crash there."""

    def on_start(self, name: str, generation: int) -> None: ...

    def on_message(self, name: str, generation: int, message: object) -> None: ...


class Child(Protocol):
    """A running child as its supervisor sees it: an actor or a nested supervisor."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def generation(self) -> int: ...

    def is_alive(self) -> bool: ...

    def health(self) -> HealthSnapshot: ...

    def stop(self, timeout_s: float) -> bool:
        """Ask it to stop and wait up to `timeout_s`; False if it did not stop in time."""
        ...

    def abandon(self) -> DeadLetters | None:
        """Give it up now (stuck or dead); None if its end was already claimed."""
        ...


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """How to start a child. `start` is called again, with a new context, on every restart."""

    name: str
    start: Callable[[ChildContext], Child]
    restart: RestartType = RestartType.PERMANENT
    shutdown_timeout_s: float = 5.0
    kind: str = "actor"  # metrics label if the factory fails before the actor exists
