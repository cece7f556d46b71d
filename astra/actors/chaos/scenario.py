"""The seeded chaos scenario behind `tests/chaos/` and `astra chaos`.

It runs the real engine (SQLite journal, threads, supervisors, watchdog) over a synthetic
stream of N markets and, K times, kills a random actor — market (mostly), risk or
telemetry — in a random way: an exception on the tell path, in `on_start` (the next
generation fails to start), in an ask handler, a `stop()` behind the supervisor's back, or a
stuck handler the watchdog must find. After each kill it checks halt-first and cancels,
resumes explicitly, and carries on; at the end it checks every invariant (a)-(i).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pykka

from astra.actors.chaos.checks import Invariant, accounting
from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.faults import CancelTracker, ChaosFaults, ErrorLog
from astra.actors.chaos.final import RunFacts, escalation_check, final_checks
from astra.actors.chaos.synthetic import SyntheticStream, synthetic_markets
from astra.actors.engine import Engine, EngineParts, WallClock
from astra.actors.engine_events import EVENTS, ArbConfig
from astra.actors.halt_protocol import HaltEntry
from astra.actors.market_actor import market_producer
from astra.actors.messages import MarketDigest
from astra.actors.ports import JournalOpener, JournalPort
from astra.actors.runtime.runtime_messages import Crash, Stall
from astra.actors.runtime.tally import MessageTally
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics

_log = logging.getLogger("astra.actors.chaos")
FAULTS = ("tell", "start", "ask", "stop", "stuck")
ACCOUNTED_KINDS = (
    "FeedEvent",
    "CancelAll",
    "TradingResumed",
    "FillReport",
    "JournalDoorbell",
    "Crash",
    "TopOfBook",
)
EVENT_SIZE = 4


def grouped_markets(markets: list[MarketInfo]) -> list[MarketInfo]:
    """The markets as neg-risk events of EVENT_SIZE outcomes (the EventActor fault kind)."""
    return [
        replace(m, neg_risk=True, event_id=f"chaos-event-{i // EVENT_SIZE}",
                neg_risk_market_id=f"chaos-event-{i // EVENT_SIZE}")
        for i, m in enumerate(markets)
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChaosConfig:
    markets: int = 20
    kills: int = 30
    seed: int = 7
    events_per_kill: int = 6
    stuck_share: float = 0.04
    cancel_bound_s: float = 2.0
    settle_timeout_s: float = 5.0
    # The EventActor fault kind: > 0 groups the markets into neg-risk events of
    # EVENT_SIZE, runs their EventActors and aims this share of the kills at them.
    event_share: float = 0.0
    isolation_every: int = 5


@dataclass
class ChaosReport:
    config: ChaosConfig
    invariants: list[Invariant] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(inv.ok for inv in self.invariants)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "config": {k: getattr(self.config, k) for k in self.config.__dataclass_fields__},
            "figures": self.figures,
            "invariants": [inv.as_dict() for inv in self.invariants],
        }


def run_chaos(
    config: ChaosConfig, open_journal: JournalOpener, workdir: Path | None = None
) -> ChaosReport:
    """Run the scenario on a journal opened by `open_journal` (the composition root's
    choice of store) in `workdir` (a temporary directory by default)."""
    with _workdir(workdir) as path, ErrorLog.capture() as errors:
        return _Run(config, path, errors, open_journal).run()


@contextmanager
def _workdir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="astra-chaos-") as tmp:
        yield Path(tmp)


class _Run:
    def __init__(
        self, config: ChaosConfig, path: Path, errors: ErrorLog, open_journal: JournalOpener
    ) -> None:
        self.config = config
        self.open_journal = open_journal
        self.errors = errors
        self.rng = np.random.default_rng(config.seed)
        self.markets = synthetic_markets(config.markets)
        if config.event_share > 0:
            self.markets = grouped_markets(self.markets)
        self.stream = SyntheticStream(self.markets, config.seed)
        self.store = open_journal(path / "journal.sqlite3")
        self.journal: JournalPort = self.store
        self.metrics = CountingMetrics()
        self.tally = MessageTally()
        self.faults = ChaosFaults(self.tally)
        self.cancels = CancelTracker()
        self.engine_config = chaos_engine_config()
        if config.event_share > 0:
            pool = replace(self.engine_config.markets, name=EVENTS)
            self.engine_config = replace(self.engine_config, arb=ArbConfig(supervisor=pool))
        self.engine = Engine(
            self.markets,
            self.journal,
            self.stream,
            clock=WallClock(),
            metrics=self.metrics,
            config=self.engine_config,
            parts=EngineParts(
                faults=self.faults, on_canceled=self.cancels.record, tally=self.tally
            ),
        )
        self.latencies: list[float] = []
        self.cancel_misses = 0
        self.isolation: dict[str, int] = {"checks": 0, "changed": 0}
        self.kills: dict[str, int] = {}
        self.stalls: list[threading.Event] = []

    def run(self) -> ChaosReport:
        started = time.monotonic()
        report = ChaosReport(self.config)
        engine = self.engine
        engine.start()
        try:
            self._settle_and_resume()
            for number in range(self.config.kills):
                self._feed(self.config.events_per_kill)
                self._kill(number)
            self._feed(self.config.events_per_kill)
            engine.drain(self.config.settle_timeout_s * 2)
            report.invariants.extend(final_checks(self._facts()))
        finally:
            for release in self.stalls:
                release.set()
            shutdown_started = time.monotonic()
            shutdown = engine.shutdown(10.0)
            shutdown_s = time.monotonic() - shutdown_started
        report.invariants.append(self._accounting())
        report.invariants.append(
            escalation_check(shutdown, shutdown_s, engine.escalated, self.open_journal)
        )
        report.invariants.sort(key=lambda inv: inv.key)
        self.store.close()
        report.figures = self._figures(time.monotonic() - started, shutdown_s)
        return report

    # -- driving ---------------------------------------------------------------------------
    def _feed(self, steps: int) -> None:
        now = self.engine.clock.now_ms()
        for _ in range(steps):
            for event in self.stream.step(self.stream.pick(), now):
                self.engine.feed(event)

    def _target(self) -> str:
        events = self.engine.event_names()
        # Drawn only when the EventActor fault kind is on: other runs keep their sequence.
        if self.config.event_share > 0 and float(self.rng.random()) < self.config.event_share:
            return events[int(self.rng.integers(0, len(events)))]
        roll = float(self.rng.random())
        if roll < 0.1:
            return "risk"
        if roll < 0.2:
            return "telemetry"
        return market_producer(
            self.markets[int(self.rng.integers(0, len(self.markets)))].condition_id
        )

    def _fault(self) -> str:
        if float(self.rng.random()) < self.config.stuck_share:
            return "stuck"
        return FAULTS[int(self.rng.integers(0, 4))]

    def _kill(self, number: int) -> None:
        target, fault = self._target(), self._fault()
        before = len(self.engine.halt_entries())
        watched = self._isolation_before(target, number)
        self.kills[fault] = self.kills.get(fault, 0) + 1
        self._inject(target, fault)
        deaths = 2 if fault == "start" else 1
        entries = self._await_halts(before + deaths)
        for entry in entries:
            self._check_cancels(entry)
        self._isolation_after(watched)
        self._settle_and_resume()

    def _inject(self, target: str, fault: str) -> None:
        registry = self.engine.registry
        if fault == "start":
            self.faults.arm_start(target)
        if fault in ("tell", "start"):
            self.engine.router.tell(target, Crash(f"chaos {fault}"))
        elif fault == "ask":
            message = Crash("chaos ask")
            self.tally.sent(message)
            try:
                registry.ask(target, message, 2.0)
            except pykka.ActorDeadError:
                self.tally.denied(message)
            except Exception as exc:  # noqa: BLE001 - the injected fault comes back here
                _log.debug("ask fault returned %r", exc)
        elif fault == "stop":
            ref = registry.ref(target)
            if ref is not None:
                ref.stop(block=True, timeout=2.0)
        else:
            release = threading.Event()
            self.stalls.append(release)
            ref = registry.ref(target)
            if ref is not None:
                ref.tell(Stall(release, max_s=3.0))

    def _await_halts(self, count: int) -> list[HaltEntry]:
        deadline = time.monotonic() + self.config.settle_timeout_s
        while time.monotonic() < deadline:
            entries = self.engine.halt_entries()
            if len(entries) >= count:
                return entries[count - 1 :] if count else []
            time.sleep(0.002)
        return self.engine.halt_entries()[-1:]

    def _check_cancels(self, entry: HaltEntry) -> None:
        """(c) every live market reports the cancel of this halt within the bound."""
        expected = set(self.engine.market_names()) - {entry.name}
        deadline = entry.started_s + self.config.cancel_bound_s
        while True:
            restarted = self.faults.started_since(entry.started_s)
            missing = expected - restarted - self.cancels.reported(entry.halt_id)
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.002)
        if missing:
            self.cancel_misses += 1
            _log.error(
                "cancel not confirmed: halt=%d missing=%s", entry.halt_id, sorted(missing)[:3]
            )
            return
        done = self.cancels.last_time(entry.halt_id)
        self.latencies.append(max(0.0, (done or entry.committed_s) - entry.started_s))

    def _settle_and_resume(self) -> None:
        deadline = time.monotonic() + self.config.settle_timeout_s
        while time.monotonic() < deadline:
            if self.engine.all_healthy() and self.engine.resume("chaos").resumed:
                return
            time.sleep(0.005)
        _log.error("could not resume within %.1fs", self.config.settle_timeout_s)

    # -- (h) isolation ---------------------------------------------------------------------
    def _isolation_before(self, target: str, number: int) -> dict[str, str]:
        if not target.startswith(market_producer("")) or number % self.config.isolation_every:
            return {}
        self.engine.drain(self.config.settle_timeout_s)
        others = [m.condition_id for m in self.markets if market_producer(m.condition_id) != target]
        picks = self.rng.choice(len(others), size=min(3, len(others)), replace=False)
        watched = {}
        for index in picks:
            digest = self.engine.digest(others[int(index)])
            if digest is not None:
                watched[digest.market] = _isolation_key(digest)
        return watched

    def _isolation_after(self, watched: dict[str, str]) -> None:
        for market, before in watched.items():
            digest = self.engine.digest(market)
            self.isolation["checks"] += 1
            after = None if digest is None else _isolation_key(digest)
            self.isolation["changed"] += int(after != before)

    # -- figures ---------------------------------------------------------------------------
    def _facts(self) -> RunFacts:
        return RunFacts(
            engine=self.engine,
            journal=self.journal,
            config=self.engine_config,
            faults=self.faults,
            errors=self.errors,
            metrics=self.metrics,
            latencies=self.latencies,
            cancel_misses=self.cancel_misses,
            cancel_bound_s=self.config.cancel_bound_s,
            isolation=self.isolation,
            kills=self.config.kills,
        )

    def _accounting(self) -> Invariant:
        rows = {}
        for kind in ACCOUNTED_KINDS:
            sent, processed, fatal, denied = self.tally.counts(kind)
            dead = self.engine.dead_letters.total(message_kind=kind)
            rows[kind] = (sent, processed, dead, fatal, denied)
        return accounting(rows)

    def _figures(self, elapsed_s: float, shutdown_s: float) -> dict[str, Any]:
        metrics = self.metrics
        return {
            "elapsed_s": round(elapsed_s, 3),
            "kills_by_fault": dict(sorted(self.kills.items())),
            "halts": len(self.engine.halt_entries()),
            "halts_by_kind": dict(
                sorted(Counter(e.kind for e in self.engine.halt_entries()).items())
            ),
            "restarts": int(metrics.counter_sum("astra_actor_restarts_total")),
            "failures": int(metrics.counter_sum("astra_actor_failures_total")),
            "dead_letters": self.engine.dead_letters.total(),
            "worst_halt_to_all_canceled_ms": round(1000 * max(self.latencies, default=0.0), 3),
            "cancel_checks": len(self.latencies),
            "shutdown_s": round(shutdown_s, 3),
        }


def _isolation_key(digest: MarketDigest) -> str:
    """What must not change in a market while another one crashes: its book and event count."""
    return f"{digest.book_digest}|{digest.events}"
