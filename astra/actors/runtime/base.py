"""`SupervisedActor`: a pykka actor whose every end is reported to its supervisor, once.

What pykka does not do, and this class does (see docs/architecture.md, "Actor runtime"):

- An exception in `handle` reached by `tell` **or by `ask`** stops the actor and is reported.
  (pykka keeps an actor running after an ask handler raised; here the caller still gets the
  exception, and the actor dies, because its state may be broken.)
- An exception in `on_started` is reported (pykka never calls `on_failure` there).
- Mail still queued at the end is counted as dead letters (pykka drops queued tells silently);
  mail arriving later is refused (asks get `ActorDeadError`) and counted too.
- A heartbeat, busy-since, handled count and mailbox depth live in a `ControlBlock` that the
  watchdog reads without the mailbox; handling time is observed per actor kind.

Subclasses set `kind`, implement `handle(message)` (used for tell and ask alike), and may
override `on_started()` / `on_stopping()`. They must not override pykka's `on_start`,
`on_receive`, `on_stop` or `on_failure`. Commands go by `tell` with frozen dataclass
messages; proxies bypass this class's guard and are for nothing supervised.
"""

from __future__ import annotations

import abc
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

import pykka

from astra.actors.runtime.dead_letters import account
from astra.actors.runtime.dispatcher import Dispatcher, PooledInbox
from astra.actors.runtime.health import ControlBlock, HealthSnapshot
from astra.actors.runtime.inbox import ClosableInbox
from astra.actors.runtime.runtime_messages import (
    ChildDied,
    Crash,
    DeadLetters,
    DeathCause,
    InjectedFault,
    Stall,
)
from astra.actors.runtime.supervision import ChildContext
from astra.domain.clock import Clock
from astra.domain.metrics_port import HANDLE_SECONDS, MetricsSink

_log = logging.getLogger("astra.actors.runtime.base")

T = TypeVar("T")
A = TypeVar("A", bound="SupervisedActor")


class _Failure:
    """What `_attempt` returns instead of raising: the one place a crash becomes data."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


class SupervisedActor(pykka.ThreadingActor):
    """Base of every Astra actor. Construct through `spawn(cls, ctx, ...)` or a ChildSpec."""

    kind: ClassVar[str] = "actor"

    def _create_actor_inbox(self) -> ClosableInbox | PooledInbox:  # type: ignore[override]
        return ClosableInbox() if self._dispatcher is None else PooledInbox()

    def __init__(self, ctx: ChildContext, *, dispatcher: Dispatcher | None = None) -> None:
        # Set before pykka's __init__, which creates the inbox: a dispatcher means a pooled
        # actor (run by the dispatcher's workers), none means pykka's thread per actor.
        self._dispatcher = dispatcher
        super().__init__()
        inbox = self.actor_inbox
        if not isinstance(inbox, ClosableInbox | PooledInbox):
            raise TypeError("SupervisedActor needs its closable inbox")
        self._inbox: ClosableInbox | PooledInbox = inbox
        self._pooled = inbox if isinstance(inbox, PooledInbox) else None
        self._loop_started = False
        self._on_worker = False  # a pooled actor inside a slice right now
        self._ctx = ctx
        self._kind_labels = {"kind": self.kind}  # built once: every message observes it
        inbox.on_late = self._count_late
        queued = None if dispatcher is None else (lambda: dispatcher.holds(self))
        ctx.block.attach(self.kind, inbox.depth, self._give_up, queued)

    # -- for subclasses ------------------------------------------------------------------

    @abc.abstractmethod
    def handle(self, message: Any) -> Any:
        """Handle one message; the return value answers an ask. Raise to fail (and die)."""

    def on_started(self) -> None:
        """Runs in the actor thread before any message. Raising is a reported death."""

    def on_stopping(self) -> None:
        """Runs in the actor thread at every end (stop or death): release resources here."""

    @property
    def name(self) -> str:
        return self._ctx.name

    @property
    def generation(self) -> int:
        """Increases on every restart under the same name; tag outputs with it."""
        return self._ctx.generation

    @property
    def clock(self) -> Clock:
        return self._ctx.clock

    @property
    def metrics(self) -> MetricsSink:
        return self._ctx.metrics

    @property
    def superseded(self) -> bool:
        """True once this generation was abandoned: anything it still produces is stale."""
        return self._ctx.block.abandoned

    def health(self) -> HealthSnapshot:
        return self._ctx.block.snapshot()

    # -- pykka hooks (final) -------------------------------------------------------------

    def on_start(self) -> None:
        outcome = self._attempt(self._start)
        if isinstance(outcome, _Failure):
            self._die(DeathCause.START_EXCEPTION, outcome.error)

    def on_receive(self, message: Any) -> Any:
        current = self._inbox.current
        is_ask = current is not None and current.reply_to is not None
        block = self._ctx.block
        block.begin(type(message).__name__, self.clock.now_ms())
        started = time.perf_counter()
        outcome = self._attempt(lambda: self._dispatch(message))
        self.metrics.observe(HANDLE_SECONDS, time.perf_counter() - started, self._kind_labels)
        block.end(self.clock.now_ms(), ordered=not isinstance(message, self._inbox.unordered))
        if isinstance(outcome, _Failure):
            self._die(
                DeathCause.ASK_EXCEPTION if is_ask else DeathCause.TELL_EXCEPTION, outcome.error
            )
            if is_ask:
                raise outcome.error  # the caller sees it too; the actor is already stopped
            return None
        if is_ask and block.abandoned:  # a tell's answer goes nowhere: skip the lock
            raise pykka.ActorDeadError(f"{self.name} generation {self.generation} was abandoned")
        return outcome

    def on_stop(self) -> None:
        # pykka calls this on a requested stop only (never after a failure).
        if not self._ctx.block.claim_exit():
            return
        letters = self._inbox.close()
        outcome = self._attempt(self.on_stopping)
        if isinstance(outcome, _Failure):
            self._report(DeathCause.STOP_EXCEPTION, letters, outcome.error)
        else:
            self._report(DeathCause.STOPPED, letters, None)

    # -- pooled execution (see dispatcher.py) --------------------------------------------

    def _start_actor_loop(self) -> None:
        dispatcher = self._dispatcher
        if dispatcher is None:
            super()._start_actor_loop()
            return
        if self._pooled is None:
            raise TypeError("a pooled actor needs a PooledInbox")
        self._pooled.on_ready = lambda: dispatcher.submit(self)
        dispatcher.submit(self)  # the start slice runs on_start, then any early mail

    def run_slice(self, budget: int) -> bool:
        """Up to `budget` messages on a pool worker; True if the actor should queue again."""
        inbox = self._pooled
        if inbox is None:
            raise TypeError("run_slice is for pooled actors")
        self._on_worker = True
        try:
            if not self._loop_started:
                self._loop_started = True
                self._actor_loop_setup()
            for _ in range(budget):
                if self.actor_stopped.is_set():
                    break
                envelope = inbox.take()
                if envelope is None:
                    return False
                self._run_envelope(envelope)
            if self.actor_stopped.is_set():
                self._actor_loop_teardown()
                return False
            return True
        finally:
            self._on_worker = False

    def _run_envelope(self, envelope: Any) -> None:
        # pykka's own loop body (`Actor._actor_loop_running`), one envelope at a time.
        try:
            response = self._handle_receive(envelope.message)
            if envelope.reply_to is not None:
                envelope.reply_to.set(response)
        except Exception:  # noqa: BLE001 - the same routing pykka's thread loop does
            if envelope.reply_to is not None:
                envelope.reply_to.set_exception()
            else:
                self._handle_failure(*sys.exc_info())
        except BaseException:  # noqa: BLE001 - pykka stops the actor here too
            _log.exception("%s: BaseException in a handler; stopping the actor", self.name)
            self._stop()

    # -- internals -----------------------------------------------------------------------

    def _start(self) -> None:
        if self._ctx.faults is not None:
            self._ctx.faults.on_start(self.name, self.generation)
        self.on_started()
        self._ctx.block.mark_started(self.clock.now_ms())

    def _dispatch(self, message: Any) -> Any:
        if self._ctx.faults is not None:
            self._ctx.faults.on_message(self.name, self.generation, message)
        if isinstance(message, Crash):
            raise InjectedFault(message.note)
        if isinstance(message, Stall):
            message.release.wait(message.max_s)
            return None
        return self.handle(message)

    def _attempt(self, action: Callable[[], T]) -> T | _Failure:
        try:
            return action()
        except Exception as error:  # noqa: BLE001 - every crash is turned into a death report
            return _Failure(error)

    def _die(self, cause: DeathCause, error: Exception) -> None:
        if not self._ctx.block.claim_exit():
            return  # already abandoned by the watchdog/supervisor, which reported it
        pykka.ActorRegistry.unregister(self.actor_ref)
        self.actor_stopped.set()
        letters = self._inbox.close()
        cleanup = self._attempt(self.on_stopping)
        if isinstance(cleanup, _Failure):
            # The death is what gets reported; the failed cleanup travels in its detail.
            error.add_note(f"on_stopping also failed: {cleanup.error!r}")
        self._report(cause, letters, error)

    def _report(self, cause: DeathCause, letters: DeadLetters, error: Exception | None) -> None:
        detail = "" if error is None else f"{type(error).__name__}: {error}"
        self._ctx.report(
            ChildDied(self.name, self.kind, self.generation, cause, detail, letters, error)
        )

    def _give_up(self) -> DeadLetters:
        # Called from another thread after it won the exit claim: the actor may be stuck.
        pykka.ActorRegistry.unregister(self.actor_ref)
        self.actor_stopped.set()
        letters = self._inbox.close()
        self._inbox.wake()
        if self._dispatcher is not None and self._on_worker:
            # Its handler holds a pool worker until it returns: keep the pool's capacity.
            self._dispatcher.compensate()
        return letters

    def _count_late(self, letters: DeadLetters) -> None:
        account(self.metrics, self._ctx.dead_letters, self.kind, letters)
        _log.warning(
            "dead letters: kind=%s name=%s late=%d %s",
            self.kind,
            self.name,
            letters.total,
            dict(letters.by_kind),
        )


class ActorChild(Generic[A]):
    """The supervisor's handle on one actor generation (implements `supervision.Child`)."""

    def __init__(self, ref: pykka.ActorRef[A], block: ControlBlock) -> None:
        self.ref = ref
        self._block = block

    @property
    def name(self) -> str:
        return self._block.name

    @property
    def kind(self) -> str:
        return self._block.kind

    @property
    def generation(self) -> int:
        return self._block.generation

    def is_alive(self) -> bool:
        return bool(self.ref.is_alive())

    def health(self) -> HealthSnapshot:
        return self._block.snapshot()

    def stop(self, timeout_s: float) -> bool:
        try:
            self.ref.stop(block=True, timeout=timeout_s)
        except pykka.Timeout:
            return False
        return True

    def abandon(self) -> DeadLetters | None:
        return self._block.abandon()


def spawn(actor_cls: type[A], ctx: ChildContext, *args: Any, **kwargs: Any) -> ActorChild[A]:
    """Start `actor_cls(ctx, *args, **kwargs)`; use as `ChildSpec(start=lambda c: spawn(...))`."""
    ref: pykka.ActorRef[A] = actor_cls.start(ctx, *args, **kwargs)
    return ActorChild(ref, ctx.block)
