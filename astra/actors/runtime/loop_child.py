"""Supervised loops: the watchdog (and the market clock tick) as children of the root.

A bare watchdog thread that raised once ended silently, and a stuck market then rested its
orders with no halt at all. Here each generation of a `LoopChild` runs its step every
interval on its own thread under a guard: an exception claims the generation's end and
reports it to the supervisor (the root), whose halt-first protocol halts trading and cancels
every order before a new generation starts. The step's owner (the `Watchdog`, with what it
already reported) outlives generations, so a restart does not report the same actor twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from astra.actors.runtime.health import HealthSnapshot
from astra.actors.runtime.runtime_messages import ChildDied, DeadLetters, DeathCause
from astra.actors.runtime.supervision import ChildContext, ChildSpec
from astra.actors.runtime.watchdog import Watchdog

_log = logging.getLogger("astra.actors.runtime.watchdog")
WATCHDOG = "watchdog"
SWEEP = "loop_step"  # what the fault hook sees for each step


class LoopChild:
    """One generation of a supervised loop (implements `supervision.Child`)."""

    def __init__(
        self, kind: str, step: Callable[[], object], ctx: ChildContext, interval_s: float
    ) -> None:
        self.kind = kind
        self._step = step
        self._ctx = ctx
        self._interval_s = interval_s
        self._stop = threading.Event()
        if ctx.faults is not None:
            ctx.faults.on_start(ctx.name, ctx.generation)
        ctx.block.attach(self.kind, lambda: 0, self._give_up)
        self._thread = threading.Thread(
            target=self._loop, name=f"{ctx.name}-{ctx.generation}", daemon=True
        )
        self._thread.start()
        ctx.block.mark_started(ctx.clock.now_ms())

    @property
    def name(self) -> str:
        return self._ctx.name

    @property
    def generation(self) -> int:
        return self._ctx.generation

    def is_alive(self) -> bool:
        return self._thread.is_alive() and not self._ctx.block.snapshot().exited

    def health(self) -> HealthSnapshot:
        return self._ctx.block.snapshot()

    def stop(self, timeout_s: float) -> bool:
        self._ctx.block.claim_exit()  # a stop is no death: nothing to report
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(max(timeout_s, 0.0))
        return not self._thread.is_alive()

    def abandon(self) -> DeadLetters | None:
        return self._ctx.block.abandon()

    def _give_up(self) -> DeadLetters:
        self._stop.set()
        return DeadLetters()

    def _loop(self) -> None:
        ctx = self._ctx
        while not self._stop.wait(self._interval_s):
            try:
                if ctx.faults is not None:
                    ctx.faults.on_message(ctx.name, ctx.generation, SWEEP)
                self._step()
            except Exception as error:  # noqa: BLE001 - the death is reported, not lost
                if ctx.block.claim_exit():
                    detail = f"sweep raised {type(error).__name__}: {error}"
                    ctx.report(
                        ChildDied(
                            ctx.name,
                            self.kind,
                            ctx.generation,
                            DeathCause.LOOP_EXCEPTION,
                            detail,
                            error=error,
                        )
                    )
                return


def loop_spec(name: str, step: Callable[[], object], interval_s: float) -> ChildSpec:
    """A loop as a child (`name` is its kind too)."""
    return ChildSpec(
        name,
        lambda ctx: LoopChild(name, step, ctx, interval_s),
        shutdown_timeout_s=max(1.0, 4 * interval_s),
        kind=name,
    )


def watchdog_spec(watchdog: Watchdog, interval_s: float) -> ChildSpec:
    """The watchdog as a root child (started last, so it is stopped first)."""
    return loop_spec(WATCHDOG, watchdog.check, interval_s)
