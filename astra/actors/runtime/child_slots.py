"""A supervisor's children: one slot per `ChildSpec`, started and stopped in start order.

`ChildSlots` is the bookkeeping half of `astra.actors.runtime.supervisor.Supervisor`: it launches a
slot's next generation (binding actors in the registry; a factory that raises gives a
still-born child whose death goes to the supervisor's inbox), stops one slot within a timeout
(abandoning a child that does not stop and counting its mail as dead letters), and stops all
of them in reverse start order. It takes no lock: the supervisor calls it under its own.
Its log lines use the supervisor's logger, so the supervisor's output is one stream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from astra.actors.runtime.base import ActorChild
from astra.actors.runtime.dead_letters import DeadLetterLog, account
from astra.actors.runtime.health import ControlBlock, HealthSnapshot
from astra.actors.runtime.registry import Entry, Registry
from astra.actors.runtime.runtime_messages import ChildDied, DeadLetters, DeathCause
from astra.actors.runtime.supervision import Child, ChildContext, ChildSpec, FaultHook, RestartType
from astra.domain.clock import Clock
from astra.domain.metrics_port import ACTOR_FAILURES_TOTAL, ACTOR_RESTARTS_TOTAL, MetricsSink

_log = logging.getLogger("astra.actors.runtime.supervisor")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ShutdownReport:
    stopped: tuple[str, ...]  # in the order they were stopped (reverse start order)
    not_stopped: tuple[str, ...]  # did not stop in time: abandoned

    @property
    def clean(self) -> bool:
        return not self.not_stopped


class Failure:
    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def attempt(action: Callable[[], T]) -> T | Failure:
    try:
        return action()
    except Exception as error:  # noqa: BLE001 - the supervisor's one crash-to-report point
        return Failure(error)


class Slot:
    __slots__ = ("child", "generation", "spec")

    def __init__(self, spec: ChildSpec) -> None:
        self.spec = spec
        self.child: Child | None = None
        self.generation = 0


class ChildSlots:
    """The children of supervisor `owner`, by name; insertion order is start order."""

    def __init__(
        self,
        owner: str,
        *,
        clock: Clock,
        metrics: MetricsSink,
        registry: Registry,
        report: Callable[[ChildDied], None],
        dead_letters: DeadLetterLog | None,
        faults: FaultHook | None,
    ) -> None:
        self._owner = owner
        self._clock = clock
        self._metrics = metrics
        self._registry = registry
        self._report = report
        self._dead_letters = dead_letters
        self._faults = faults
        self._slots: dict[str, Slot] = {}

    # -- lookup ----------------------------------------------------------------------------

    def get(self, name: str) -> Slot | None:
        return self._slots.get(name)

    def pop(self, name: str) -> Slot | None:
        return self._slots.pop(name, None)

    def names(self) -> tuple[str, ...]:
        return tuple(self._slots)

    def restart_order(self) -> list[tuple[str, RestartType]]:
        return [(name, slot.spec.restart) for name, slot in self._slots.items()]

    def listing(self) -> list[tuple[str, int, bool]]:
        """(name, generation, alive) in start order."""
        return [
            (name, slot.generation, slot.child is not None and slot.child.is_alive())
            for name, slot in self._slots.items()
        ]

    # -- starting --------------------------------------------------------------------------

    def add(self, spec: ChildSpec) -> Child:
        if spec.name in self._slots:
            raise ValueError(f"{self._owner} already supervises a child named {spec.name!r}")
        slot = Slot(spec)
        self._slots[spec.name] = slot
        return self.launch(slot)

    def launch(self, slot: Slot) -> Child:
        slot.generation += 1
        block = ControlBlock(slot.spec.name, slot.generation, self._clock.now_ms())
        ctx = ChildContext(
            name=slot.spec.name,
            generation=slot.generation,
            clock=self._clock,
            metrics=self._metrics,
            report=self._report,
            block=block,
            dead_letters=self._dead_letters,
            faults=self._faults,
        )
        outcome = attempt(lambda: slot.spec.start(ctx))
        if isinstance(outcome, Failure):
            # The factory itself failed: a start failure like any other, handled by the worker.
            child: Child = _StillBorn(block, slot.spec.kind)
            self._report(_still_born_report(slot, outcome.error))
        else:
            child = outcome
        slot.child = child
        if isinstance(child, ActorChild):
            self._registry.bind(Entry(child, self._report, self._owner))
        return child

    # -- stopping --------------------------------------------------------------------------

    def stop(self, slot: Slot, timeout_s: float) -> bool:
        child = slot.child
        if child is None:
            return True
        slot.child = None  # its own exit report is now stale
        self._registry.unbind(child.name, child.generation)
        if child.stop(max(timeout_s, 0.0)):
            return True
        letters = child.abandon() or DeadLetters()
        account(self._metrics, self._dead_letters, child.kind, letters)
        log_death(
            self._metrics,
            ChildDied(
                child.name,
                child.kind,
                child.generation,
                DeathCause.SHUTDOWN_TIMEOUT,
                f"did not stop within {timeout_s:.3f}s; abandoned",
                letters,
            ),
        )
        return False

    def stop_all(self, deadline: float) -> ShutdownReport:
        stopped: list[str] = []
        stuck: list[str] = []
        for name, slot in reversed(list(self._slots.items())):
            if slot.child is None:
                continue
            budget = min(slot.spec.shutdown_timeout_s, deadline - time.monotonic())
            (stopped if self.stop(slot, budget) else stuck).append(name)
        return ShutdownReport(tuple(stopped), tuple(stuck))


# -- reporting -------------------------------------------------------------------------------


def log_death(metrics: MetricsSink, died: ChildDied) -> None:
    if died.normal:
        _log.info("actor stopped: kind=%s name=%s", died.kind, died.name)
        return
    metrics.inc(ACTOR_FAILURES_TOTAL, {"kind": died.kind, "reason": died.cause})
    _log.error(
        "actor failed: kind=%s name=%s generation=%d reason=%s dead_letters=%d %s",
        died.kind,
        died.name,
        died.generation,
        died.cause,
        died.dead_letters.total,
        died.detail,
        exc_info=died.error,
    )


def count_restart(metrics: MetricsSink, slot: Slot, died: ChildDied) -> None:
    kind = slot.child.kind if slot.child is not None else slot.spec.kind
    metrics.inc(ACTOR_RESTARTS_TOTAL, {"kind": kind})
    _log.error(
        "actor restarted: kind=%s name=%s generation=%d reason=%s (after %s %s)",
        kind,
        slot.spec.name,
        slot.generation,
        died.cause,
        died.kind,
        died.name,
    )


# -- a child whose factory raised --------------------------------------------------------------


def _still_born_report(slot: Slot, error: Exception) -> ChildDied:
    detail = f"start factory failed: {type(error).__name__}: {error}"
    return ChildDied(
        slot.spec.name,
        slot.spec.kind,
        slot.generation,
        DeathCause.START_EXCEPTION,
        detail,
        error=error,
    )


class _StillBorn:
    """A child whose factory raised: dead from the start, its death already reported."""

    def __init__(self, block: ControlBlock, kind: str) -> None:
        self._block = block
        self.kind = kind
        block.claim_exit()

    @property
    def name(self) -> str:
        return self._block.name

    @property
    def generation(self) -> int:
        return self._block.generation

    def is_alive(self) -> bool:
        return False

    def health(self) -> HealthSnapshot:
        return self._block.snapshot()

    def stop(self, timeout_s: float) -> bool:
        return True

    def abandon(self) -> DeadLetters | None:
        return None
