"""The watchdog as a supervised child: its death is reported, halted for, and restarted.

A bare watchdog thread that raised once ended silently, and a stuck market then rested its
orders with no halt at all. Here each generation runs the sweep loop on its own thread
under a guard: an exception claims the generation's end and reports it to the supervisor
(the root), whose halt-first protocol halts trading and cancels every order before a new
generation starts. The `Watchdog` itself (what it already reported) outlives generations,
so a restart does not report the same stuck actor twice.
"""

from __future__ import annotations

import logging
import threading

from astra.actors.runtime.health import HealthSnapshot
from astra.actors.runtime.runtime_messages import ChildDied, DeadLetters, DeathCause
from astra.actors.runtime.supervision import ChildContext, ChildSpec
from astra.actors.runtime.watchdog import Watchdog

_log = logging.getLogger("astra.actors.runtime.watchdog")
WATCHDOG = "watchdog"
SWEEP = "watchdog_sweep"  # what the fault hook sees for each sweep


class WatchdogChild:
    """One generation of the watchdog loop (implements `supervision.Child`)."""

    kind = WATCHDOG

    def __init__(self, watchdog: Watchdog, ctx: ChildContext, interval_s: float) -> None:
        self._watchdog = watchdog
        self._ctx = ctx
        self._interval_s = interval_s
        self._stop = threading.Event()
        if ctx.faults is not None:
            ctx.faults.on_start(ctx.name, ctx.generation)
        ctx.block.attach(self.kind, lambda: 0, self._give_up)
        self._thread = threading.Thread(
            target=self._loop, name=f"watchdog-{ctx.generation}", daemon=True
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
                self._watchdog.check()
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


def watchdog_spec(watchdog: Watchdog, interval_s: float) -> ChildSpec:
    """The watchdog as a root child (started last, so it is stopped first)."""
    return ChildSpec(
        WATCHDOG,
        lambda ctx: WatchdogChild(watchdog, ctx, interval_s),
        shutdown_timeout_s=max(1.0, 4 * interval_s),
        kind=WATCHDOG,
    )
