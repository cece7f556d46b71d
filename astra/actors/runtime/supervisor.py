"""The threaded supervisor: a thin shell that carries out `SupervisionPolicy` plans.

Choice: a plain thread-safe object with one worker thread, not a pykka actor. Death reports
arrive from any thread through `report()` (a queue put under a short lock: never blocks), and
the worker handles them one at a time, so a child that dies *during* a restart is just the
next report — and a report about a generation that is no longer current is stale and
ignored. Once the supervisor has finished (shut down or escalated) nobody reads that queue
again, so `_finish` closes it: what is still queued, and any report that arrives later, has
its dead letters counted on the spot (a child stopped by an escalation reports *after* the
worker's last read; its mail would otherwise be lost to the accounting).

Children and the registry are changed only under `_lock`; the `before_restart` callback and
the backoff wait run outside it, so `shutdown()` from another thread can always proceed (it
wakes the backoff wait and then stops children in reverse start order, each within its
shutdown timeout, abandoning those that do not stop).

For every death it acts on, the worker: logs one ERROR line and counts the failure; calls
`before_restart(died)` and waits for it to return (the halt-first protocol runs there); then
removes, restarts (after the backoff delay) or escalates. Escalation stops all children and
reports this supervisor's own death to its parent; the root (no parent) sets `escalated` and
`exit_code = 1` for the composition root, which exits the process — the library never does.
Do not call `add_child`/`remove_child`/`shutdown` from inside a child's `on_stopping`.

Starting and stopping the children themselves (slots, generations, registry binding,
abandoning a child that will not stop) lives in `astra.actors.runtime.child_slots`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.child_slots import (
    ChildSlots,
    Failure,
    ShutdownReport,
    attempt,
    count_restart,
    log_death,
)
from astra.actors.runtime.dead_letters import DeadLetterLog, account
from astra.actors.runtime.health import ControlBlock, HealthSnapshot
from astra.actors.runtime.registry import Registry
from astra.actors.runtime.runtime_messages import ChildDied, DeadLetters, DeathCause
from astra.actors.runtime.supervision import (
    Child,
    ChildContext,
    ChildSpec,
    Directive,
    FaultHook,
    Intensity,
    Plan,
    RestartType,
    Strategy,
    SupervisionPolicy,
)
from astra.domain.clock import Clock
from astra.domain.metrics_port import ESCALATIONS_TOTAL, MetricsSink

__all__ = [
    "ESCALATION_EXIT_CODE",
    "BeforeRestart",
    "ShutdownReport",
    "Supervisor",
    "SupervisorChild",
    "SupervisorConfig",
    "supervisor_spec",
]

_log = logging.getLogger("astra.actors.runtime.supervisor")

BeforeRestart = Callable[[ChildDied], None]
ESCALATION_EXIT_CODE = 1


@dataclass(frozen=True, slots=True)
class SupervisorConfig:
    name: str
    strategy: Strategy = Strategy.ONE_FOR_ONE
    intensity: Intensity = field(default_factory=Intensity)
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    seed: int = 0
    shutdown_timeout_s: float = 10.0  # whole-tree budget for shutdown and escalation


class _Stop:
    """Sentinel that ends the worker loop."""


class Supervisor:
    """OTP-style supervisor. Build, then `start(specs)`; `report` is the children's inbox."""

    kind = "supervisor"

    def __init__(
        self,
        config: SupervisorConfig,
        *,
        clock: Clock,
        metrics: MetricsSink,
        registry: Registry,
        parent: Callable[[ChildDied], None] | None = None,
        generation: int = 0,
        before_restart: BeforeRestart | None = None,
        dead_letters: DeadLetterLog | None = None,
        faults: FaultHook | None = None,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self.config = config
        self.name = config.name
        self.generation = generation
        self._clock = clock
        self._metrics = metrics
        self._registry = registry
        self._parent = parent
        self._before_restart = before_restart
        self._dead_letters = dead_letters
        self._faults = faults
        self._policy = SupervisionPolicy(
            config.strategy, config.intensity, config.backoff, config.seed
        )
        self._lock = threading.RLock()
        self._slots = ChildSlots(
            config.name,
            clock=clock,
            metrics=metrics,
            registry=registry,
            report=self.report,
            dead_letters=dead_letters,
            faults=faults,
        )
        self._events: queue.Queue[ChildDied | _Stop] = queue.Queue()
        self._reports_lock = threading.Lock()  # orders `report` against `_close_reports`
        self._reports_closed = False
        self._halt = threading.Event()  # set by shutdown/escalation: stop acting
        self._handling = False  # the worker is inside a death's handling
        self._wait = wait or self._halt.wait  # backoff wait; True means "halted, give up"
        self.block = ControlBlock(config.name, generation, clock.now_ms())
        self.block.attach(self.kind, self._events.qsize, self._abandoned)
        self.escalated = threading.Event()
        self.stopped = threading.Event()
        self.exit_code: int | None = None
        self._worker = threading.Thread(target=self._run, name=f"supervisor-{self.name}")

    # -- public API ----------------------------------------------------------------------

    def start(self, specs: Sequence[ChildSpec] = ()) -> None:
        """Start the children in order (a factory error propagates), then the worker."""
        with self._lock:
            for spec in specs:
                self._slots.add(spec)
        self._worker.start()
        self.block.mark_started(self._clock.now_ms())

    def report(self, died: ChildDied) -> None:
        """Thread-safe, non-blocking: a child (or the watchdog) reports a death."""
        with self._reports_lock:
            if not self._reports_closed:
                self._events.put(died)
                return
        self._count_unread(died)

    def add_child(self, spec: ChildSpec) -> Child:
        """Start a new child at the end of the start order (the dynamic pool's `start_child`)."""
        with self._lock:
            if self._halt.is_set():
                raise RuntimeError(f"supervisor {self.name} is stopped")
            return self._slots.add(spec)

    def remove_child(self, name: str, timeout_s: float = 5.0) -> bool:
        """Stop and forget a child; False if it had to be abandoned or was unknown."""
        with self._lock:
            slot = self._slots.pop(name)
            if slot is None:
                return False
            self._policy.forget(name)
            return self._slots.stop(slot, timeout_s)

    def child(self, name: str) -> Child | None:
        with self._lock:
            slot = self._slots.get(name)
            return None if slot is None else slot.child

    def children(self) -> list[tuple[str, int, bool]]:
        """(name, generation, alive) in start order."""
        with self._lock:
            return self._slots.listing()

    def shutdown(self, timeout_s: float | None = None) -> ShutdownReport:
        """Stop every child in reverse start order within `timeout_s`; never hangs."""
        budget = self.config.shutdown_timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + budget
        self._halt.set()
        if self._lock.acquire(timeout=budget):
            try:
                result = self._slots.stop_all(deadline)
            finally:
                self._lock.release()
        else:
            # The worker is stuck inside a stop; report every child as not stopped.
            result = ShutdownReport((), self._slots.names())
        self._finish(DeathCause.STOPPED, "shutdown", deadline)
        if self.exit_code is None:
            self.exit_code = 0
        return result

    # -- worker --------------------------------------------------------------------------

    def busy(self) -> bool:
        """A death is queued or being handled, or this supervisor is stopping: the tree is
        not settled (an operator resume now would race the halt or the restart)."""
        return self._handling or not self._events.empty() or self._halt.is_set()

    def _run(self) -> None:
        while True:
            event = self._events.get()
            if isinstance(event, _Stop):
                return
            self._handling = True
            outcome = attempt(lambda: self._on_death(event))  # noqa: B023 - called at once
            self._handling = False
            if isinstance(outcome, Failure):
                # A bug in supervision itself: fail closed, like a spent budget.
                self._escalate(event, f"supervisor error: {outcome.error!r}")
                return
            if self.stopped.is_set():
                return

    def _on_death(self, died: ChildDied) -> None:
        account(self._metrics, self._dead_letters, died.kind, died.dead_letters)
        if self._faults is not None:
            self._faults.on_message(self.name, self.generation, died)
        with self._lock:
            if self._halt.is_set():
                return
            slot = self._slots.get(died.name)
            child = None if slot is None else slot.child
            if slot is None or child is None or child.generation != died.generation:
                return  # stale: a generation we already replaced or stopped on purpose
            slot.child = None
            self._registry.unbind(died.name, died.generation)
            order = self._slots.restart_order()
            plan = self._policy.decide(order, died, self._clock.now_ms())
        died = self._with_abandoned(child, died)
        log_death(self._metrics, died)
        if not self._run_before_restart(died):
            return
        if plan.directive is Directive.ESCALATE:
            self._escalate(died, "restart intensity exceeded")
        elif plan.directive is Directive.REMOVE:
            with self._lock:
                self._slots.pop(died.name)
                self._policy.forget(died.name)
        else:
            self._restart(plan, died)

    def _with_abandoned(self, child: Child, died: ChildDied) -> ChildDied:
        # Found dead/stuck by the watchdog: give the old generation up and count its mail.
        letters = child.abandon()
        if letters is None:
            return died
        account(self._metrics, self._dead_letters, died.kind, letters)
        return replace(died, dead_letters=died.dead_letters.merge(letters))

    def _run_before_restart(self, died: ChildDied) -> bool:
        if self._before_restart is None:
            return True
        hook = self._before_restart
        outcome = attempt(lambda: hook(died))
        if isinstance(outcome, Failure):
            # Halt-first could not be guaranteed: restarting would fail open.
            self._escalate(died, f"before_restart failed: {outcome.error!r}")
            return False
        return True

    def _restart(self, plan: Plan, died: ChildDied) -> None:
        if plan.delay_ms and self._wait(plan.delay_ms / 1000.0):
            return  # shut down while waiting
        with self._lock:
            if self._halt.is_set():
                return
            for name in plan.stop:
                slot = self._slots.get(name)
                if slot is not None:
                    self._slots.stop(slot, slot.spec.shutdown_timeout_s)
            for name in plan.drop:
                self._slots.pop(name)
            for name in plan.start:
                slot = self._slots.get(name)
                if slot is not None and slot.child is None:
                    self._slots.launch(slot)
                    count_restart(self._metrics, slot, died)

    def _escalate(self, died: ChildDied, why: str) -> None:
        self._metrics.inc(ESCALATIONS_TOTAL, {"supervisor": self.name})
        _log.error(
            "supervisor escalated: supervisor=%s after kind=%s name=%s reason=%s: %s",
            self.name,
            died.kind,
            died.name,
            died.cause,
            why,
        )
        self._halt.set()
        deadline = time.monotonic() + self.config.shutdown_timeout_s
        with self._lock:
            self._slots.stop_all(deadline)
        detail = f"{why} (last: {died.kind} {died.name} {died.cause})"
        if self._parent is None:
            self._halt_before_exit(detail)
        self._finish(DeathCause.ESCALATED, detail, deadline)
        if self._parent is None:
            self.exit_code = ESCALATION_EXIT_CODE
            self.escalated.set()

    def _halt_before_exit(self, detail: str) -> None:
        """The root has no parent to halt for it: its own death runs `before_restart` (every
        child is stopped by now, so the halt is journaled and every order canceled from the
        journal) before the process exits and a new one restarts the tree."""
        hook = self._before_restart
        if hook is None:
            return
        died = ChildDied(self.name, self.kind, self.generation, DeathCause.ESCALATED, detail)
        log_death(self._metrics, died)
        outcome = attempt(lambda: hook(died))
        if isinstance(outcome, Failure):
            _log.error(
                "halt before exit failed: kind=%s name=%s reason=%s: %r",
                self.kind,
                self.name,
                died.cause,
                outcome.error,
            )

    def _finish(self, cause: DeathCause, detail: str, deadline: float) -> None:
        self._events.put(_Stop())
        if threading.current_thread() is not self._worker and self._worker.is_alive():
            self._worker.join(max(deadline - time.monotonic(), 0.0))
        self._close_reports()
        first = self.block.claim_exit()
        self.stopped.set()
        if first and self._parent is not None:
            self._parent(ChildDied(self.name, self.kind, self.generation, cause, detail))

    def _close_reports(self) -> None:
        """No worker will read `_events` again: count what it holds and refuse more."""
        with self._reports_lock:
            self._reports_closed = True
        unread: list[ChildDied] = []
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            if isinstance(event, ChildDied):
                unread.append(event)
        if self._worker.is_alive() and threading.current_thread() is not self._worker:
            self._events.put(_Stop())  # a worker still inside a handling must end after it
        for died in unread:
            self._count_unread(died)

    def _count_unread(self, died: ChildDied) -> None:
        account(self._metrics, self._dead_letters, died.kind, died.dead_letters)
        _log.info(
            "report after the end: supervisor=%s kind=%s name=%s reason=%s dead_letters=%d",
            self.name,
            died.kind,
            died.name,
            died.cause,
            died.dead_letters.total,
        )

    def _abandoned(self) -> DeadLetters:
        self._halt.set()
        return DeadLetters()


class SupervisorChild:
    """A nested supervisor as its parent sees it (implements `supervision.Child`)."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.kind = Supervisor.kind

    @property
    def name(self) -> str:
        return self.supervisor.name

    @property
    def generation(self) -> int:
        return self.supervisor.generation

    def is_alive(self) -> bool:
        return not self.supervisor.stopped.is_set()

    def health(self) -> HealthSnapshot:
        return self.supervisor.block.snapshot()

    def stop(self, timeout_s: float) -> bool:
        return self.supervisor.shutdown(timeout_s).clean

    def abandon(self) -> DeadLetters | None:
        return self.supervisor.block.abandon()


def supervisor_spec(
    config: SupervisorConfig,
    registry: Registry,
    children: Sequence[ChildSpec],
    *,
    restart: RestartType = RestartType.PERMANENT,
    **options: Any,
) -> ChildSpec:
    """A ChildSpec that starts a nested supervisor (fresh on every restart) under a parent.

    `options` go to `Supervisor` (before_restart, dead_letters, faults, wait).
    """

    def start(ctx: ChildContext) -> Child:
        supervisor = Supervisor(
            replace(config, name=ctx.name),
            clock=ctx.clock,
            metrics=ctx.metrics,
            registry=registry,
            parent=ctx.report,
            generation=ctx.generation,
            **options,
        )
        supervisor.start(children)
        return SupervisorChild(supervisor)

    return ChildSpec(config.name, start, restart, config.shutdown_timeout_s, kind=Supervisor.kind)
