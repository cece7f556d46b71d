"""The watchdog: notices dead and stuck actors that cannot report themselves.

pykka has no monitors, and a thread that is wedged inside a handler reports nothing. Each
`check()` reads every registered actor's `ControlBlock` (never its mailbox) and reports to the
owning supervisor, as a `ChildDied`:

- FOUND_DEAD: the pykka actor is stopped but no end was claimed (it died outside our guard);
- STUCK: one message has been handled for longer than `stuck_ms`;
- STALE: mail is waiting and the handled count has not moved for `stale_ms` (for a pooled
  actor: while it is not on its dispatcher's run queue, i.e. it was dropped; one that only
  waits for a busy worker is not stale).

The supervisor then abandons that generation (closes and counts its inbox, marks it stopped)
and restarts the name. A stuck Python thread cannot be killed: it runs until its handler
returns, then exits; its late results belong to a superseded generation (`superseded` is
True, late asks are refused), so consumers ignore them by generation.

`check()` is synchronous and clock-driven for tests; `start()` runs it on a daemon thread
every `interval_s` for the composition root. It also publishes MAILBOX_DEPTH (max per kind)
and ACTORS{kind,state} from the same snapshots.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass

from astra.actors.runtime.health import HealthSnapshot
from astra.actors.runtime.registry import Entry, Registry
from astra.actors.runtime.runtime_messages import ChildDied, DeathCause
from astra.domain.clock import Clock
from astra.domain.metrics_port import ACTORS, MAILBOX_DEPTH, MetricsSink

_log = logging.getLogger("astra.actors.runtime.watchdog")


@dataclass(frozen=True, slots=True)
class WatchdogConfig:
    stuck_ms: int = 10_000
    stale_ms: int = 5_000
    interval_s: float = 0.25


class Watchdog:
    def __init__(
        self, registry: Registry, clock: Clock, metrics: MetricsSink, config: WatchdogConfig
    ) -> None:
        self._registry = registry
        self._clock = clock
        self._metrics = metrics
        self._config = config
        self._waiting: dict[tuple[str, int], tuple[int, int]] = {}  # -> (handled, since ms)
        self._reported: set[tuple[str, int]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[ChildDied]:
        """One sweep: report every dead or stuck actor once; return what was reported."""
        now = self._clock.now_ms()
        found: list[ChildDied] = []
        depths: dict[str, int] = defaultdict(int)
        states: dict[tuple[str, str], int] = defaultdict(int)
        live: set[tuple[str, int]] = set()
        for entry in self._registry.entries():
            health = entry.child.health()
            key = (health.name, health.generation)
            live.add(key)
            depths[health.kind] = max(depths[health.kind], health.mailbox_depth)
            states[health.kind, "running" if entry.child.is_alive() else "dead"] += 1
            died = self._diagnose(entry, health, now)
            if died is not None and key not in self._reported:
                self._reported.add(key)
                found.append(died)
                entry.report(died)
        self._forget_gone(live)
        self._publish(depths, states)
        return found

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="watchdog", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 1.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stop.wait(self._config.interval_s):
            self.check()

    def _diagnose(self, entry: Entry, health: HealthSnapshot, now: int) -> ChildDied | None:
        if health.exited:
            return None  # its end is claimed and being reported by whoever claimed it
        if not entry.child.is_alive():
            return self._finding(health, DeathCause.FOUND_DEAD, "stopped without a report")
        if health.busy_since_ms is not None and now - health.busy_since_ms >= self._config.stuck_ms:
            busy_ms = now - health.busy_since_ms
            why = f"handling {health.busy_with} for {busy_ms} ms"
            return self._finding(health, DeathCause.STUCK, why)
        return self._stale(health, now)

    def _stale(self, health: HealthSnapshot, now: int) -> ChildDied | None:
        key = (health.name, health.generation)
        if health.mailbox_depth == 0 or health.queued_for_worker:
            # Waiting for a pool worker is the dispatcher's backlog (a pool restart, a halt's
            # fan-out), not a lost actor: restarting it would add to that backlog. A stuck
            # handler holding the workers is found by STUCK.
            self._waiting.pop(key, None)
            return None
        handled, since = self._waiting.get(key, (-1, now))
        if handled != health.handled:
            self._waiting[key] = (health.handled, now)
            return None
        if now - since < self._config.stale_ms:
            return None
        why = f"{health.mailbox_depth} waiting, no progress for {now - since} ms"
        return self._finding(health, DeathCause.STALE, why)

    def _finding(self, health: HealthSnapshot, cause: DeathCause, why: str) -> ChildDied:
        _log.warning("watchdog: kind=%s name=%s %s: %s", health.kind, health.name, cause, why)
        return ChildDied(health.name, health.kind, health.generation, cause, why)

    def _forget_gone(self, live: set[tuple[str, int]]) -> None:
        self._reported &= live
        for key in [k for k in self._waiting if k not in live]:
            del self._waiting[key]

    def _publish(self, depths: dict[str, int], states: dict[tuple[str, str], int]) -> None:
        for kind, depth in depths.items():
            self._metrics.set(MAILBOX_DEPTH, float(depth), {"kind": kind})
        for (kind, state), count in states.items():
            self._metrics.set(ACTORS, float(count), {"kind": kind, "state": state})
