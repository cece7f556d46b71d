"""Shared helpers for the actor-runtime tests: a small actor, a death recorder, contexts,
a running supervisor (fixtures are in conftest.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.base import ActorChild, SupervisedActor, spawn
from astra.actors.runtime.dispatcher import Dispatcher
from astra.actors.runtime.health import ControlBlock
from astra.actors.runtime.registry import Registry
from astra.actors.runtime.runtime_messages import ChildDied
from astra.actors.runtime.supervision import ChildContext, ChildSpec, RestartType
from astra.actors.runtime.supervisor import Supervisor, SupervisorConfig
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import CountingMetrics

WAIT_S = 5.0  # upper bound on event waits; tests normally finish in milliseconds


@dataclass(frozen=True, slots=True)
class Echo:
    value: int


@dataclass(frozen=True, slots=True)
class Boom:
    note: str = "boom"


@dataclass(frozen=True, slots=True)
class Gate:
    """Blocks the handler until `release` is set: keeps mail queued behind it."""

    entered: threading.Event
    release: threading.Event


class EchoActor(SupervisedActor):
    kind = "test"

    def __init__(
        self,
        ctx: ChildContext,
        *,
        fail_start: bool = False,
        log: list[str] | None = None,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        super().__init__(ctx, dispatcher=dispatcher)
        self._fail_start = fail_start
        self.log = log if log is not None else []

    def on_started(self) -> None:
        if self._fail_start:
            raise RuntimeError("cannot start")
        self.log.append(f"start:{self.name}:{self.generation}")

    def on_stopping(self) -> None:
        self.log.append(f"stop:{self.name}:{self.generation}")

    def handle(self, message: Any) -> Any:
        if isinstance(message, Echo):
            return message.value
        if isinstance(message, Boom):
            _explode(message.note)
        if isinstance(message, Gate):
            message.entered.set()
            message.release.wait(WAIT_S)
            return None
        raise TypeError(f"unexpected {message!r}")


def _explode(note: str) -> None:
    raise ValueError(note)


class Recorder:
    """A `report` callback that remembers deaths and lets a test wait for them."""

    def __init__(self) -> None:
        self.deaths: list[ChildDied] = []
        self._cond = threading.Condition()

    def __call__(self, died: ChildDied) -> None:
        with self._cond:
            self.deaths.append(died)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout_s: float = WAIT_S) -> list[ChildDied]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.deaths) >= count, timeout_s), self.deaths
            return list(self.deaths)


def context(
    name: str,
    report: Recorder,
    clock: ManualClock,
    metrics: CountingMetrics,
    generation: int = 1,
) -> ChildContext:
    block = ControlBlock(name, generation, clock.now_ms())
    return ChildContext(name, generation, clock, metrics, report, block)


def echo_spec(
    name: str,
    restart: RestartType = RestartType.PERMANENT,
    log: list[str] | None = None,
    shutdown_timeout_s: float = 2.0,
) -> ChildSpec:
    def start(ctx: ChildContext) -> ActorChild[EchoActor]:
        return spawn(EchoActor, ctx, log=log)

    return ChildSpec(name, start, restart, shutdown_timeout_s, kind="test")


NO_BACKOFF = BackoffPolicy(base_ms=0, cap_ms=0, jitter=0.0)


@contextmanager
def running(
    registry: Registry,
    metrics: CountingMetrics,
    cfg: SupervisorConfig,
    specs: list[ChildSpec],
    **options: Any,
) -> Iterator[Supervisor]:
    """A supervisor on a `ManualClock(0)` started with `specs`; shut down on exit."""
    supervisor = Supervisor(
        cfg, clock=ManualClock(0), metrics=metrics, registry=registry, **options
    )
    supervisor.start(specs)
    try:
        yield supervisor
    finally:
        supervisor.shutdown(WAIT_S)


def wait_until(predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    """Poll a condition another thread will make true (5 ms steps, bounded)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)
