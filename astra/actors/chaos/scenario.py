"""The seeded chaos scenario behind `tests/chaos/` and `astra chaos`.

It runs the real engine (SQLite journal, threads, supervisors, watchdog) over a synthetic
stream of N markets and, K times, injects a random fault of the enabled kinds
(`injectors.FAULT_KINDS`): it kills an actor — market (mostly), risk or telemetry — in a
random way (an exception on the tell path, in `on_start`, in an ask handler, a `stop()`
behind the supervisor's back, a stuck handler the watchdog must find), or kills the markets
pool supervisor, the watchdog, a dispatcher worker's slice, stalls the journal, silences a
feed or sends a poison frame. After each fault it waits for the halts, resumes explicitly and
carries on; at the end it checks every invariant, most of them read from the journal; the
root's death runs once as a drill (it ends the process).
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

from astra.actors.chaos.checks import Invariant, accounting, orders_digest_rows
from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.faults import CancelTracker, ChaosFaults, ErrorLog
from astra.actors.chaos.final import RunFacts, escalation_check, final_checks, missing_cancels
from astra.actors.chaos.injectors import (
    ACTOR_FAULTS,
    INFRA_FAULTS,
    Decoder,
    Injectors,
    StallingJournal,
    figures_dict,
)
from astra.actors.chaos.journal_checks import RestartAudit
from astra.actors.chaos.synthetic import SyntheticStream, synthetic_markets
from astra.actors.engine import Engine, EngineParts, WallClock
from astra.actors.engine_events import EVENTS, ArbConfig
from astra.actors.halt_protocol import HaltEntry
from astra.actors.market_actor import market_producer
from astra.actors.market_records import book_digest
from astra.actors.ports import JournalOpener, JournalPort
from astra.actors.runtime.runtime_messages import Crash, Stall
from astra.actors.runtime.tally import MessageTally
from astra.domain.book import MarketBooks
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics

_log = logging.getLogger("astra.actors.chaos")
FAULTS = ACTOR_FAULTS
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
    """The markets as neg-risk events of EVENT_SIZE outcomes (the `event` fault kind)."""
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
    isolation_every: int = 5
    faults: tuple[str, ...] = ACTOR_FAULTS  # see injectors.FAULT_KINDS; "root" is a drill


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
    config: ChaosConfig,
    open_journal: JournalOpener,
    workdir: Path | None = None,
    decoder: Decoder | None = None,
) -> ChaosReport:
    """Run the scenario on a journal opened by `open_journal` (the composition root's
    choice of store) in `workdir` (a temporary directory by default); `decoder` is the venue
    frame decoder the poison-frame fault feeds (an adapter, so the composition root's)."""
    with _workdir(workdir) as path, ErrorLog.capture() as errors:
        return _Run(config, path, errors, open_journal, decoder).run()


@contextmanager
def _workdir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="astra-chaos-") as tmp:
        yield Path(tmp)


class _Run:
    def __init__(
        self,
        config: ChaosConfig,
        path: Path,
        errors: ErrorLog,
        open_journal: JournalOpener,
        decoder: Decoder | None,
    ) -> None:
        self.config = config
        self.open_journal = open_journal
        self.errors = errors
        self.rng = np.random.default_rng(config.seed)
        self.markets = synthetic_markets(config.markets)
        if "event" in config.faults:
            # The EventActor fault kind: markets grouped into neg-risk events, one
            # EventActor each (started and fed like in a live run with [arb] on).
            self.markets = grouped_markets(self.markets)
        self.stream = SyntheticStream(self.markets, config.seed)
        self.store = open_journal(path / "journal.sqlite3")
        self.stalling = StallingJournal(self.store)
        self.journal: JournalPort = self.stalling
        self.metrics = CountingMetrics()
        self.tally = MessageTally()
        self.audit = RestartAudit(self.store)
        self.faults = ChaosFaults(self.tally, self.audit.on_start)
        self.cancels = CancelTracker()
        self.engine_config = chaos_engine_config()
        if "event" in config.faults:
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
        self.isolation: dict[str, int] = {"checks": 0, "mismatched": 0, "moved": 0, "restarted": 0}
        self.isolation_wrong: list[str] = []
        self.kills: dict[str, int] = {}
        self.deaths = 0  # deaths the injected faults caused (what (i) must see)
        self.stalls: list[threading.Event] = []
        self.injectors = Injectors(
            self.engine, self.faults, self.stalling, self.markets, decoder, self._resync
        )
        self.shadow = {m.condition_id: MarketBooks(m) for m in self.markets}
        self.shadow_events = {m.condition_id: 0 for m in self.markets}

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
            self.stalling.release()
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
    def _feed(self, steps: int, market: MarketInfo | None = None) -> None:
        now = self.engine.clock.now_ms()
        for _ in range(steps):
            for event in self.stream.step(market or self.stream.pick(), now):
                if self.engine.feed(event):
                    self.shadow[event.market].apply(event)
                    self.shadow_events[event.market] += 1

    def _target(self) -> str:
        roll = float(self.rng.random())
        if roll < 0.1:
            return "risk"
        if roll < 0.2:
            return "telemetry"
        return market_producer(
            self.markets[int(self.rng.integers(0, len(self.markets)))].condition_id
        )

    def _fault(self) -> str:
        enabled = [f for f in self.config.faults if f in (*ACTOR_FAULTS, *INFRA_FAULTS)]
        if "stuck" in enabled and float(self.rng.random()) < self.config.stuck_share:
            return "stuck"
        others = [f for f in enabled if f != "stuck"] or ["stuck"]
        return others[int(self.rng.integers(0, len(others)))]

    def _resync(self, market: MarketInfo) -> None:
        now = self.engine.clock.now_ms()
        for snapshot in self.stream.snapshots(market):
            self.engine.feed(replace(snapshot, ts_ms=now))

    def _pick(self, count: int) -> int:
        return int(self.rng.integers(0, count))

    def _kill(self, number: int) -> None:
        target, fault = self._target(), self._fault()
        before = len(self.engine.halt_entries())
        self.kills[fault] = self.kills.get(fault, 0) + 1
        if fault in INFRA_FAULTS:
            deaths = self.injectors.inject(fault, self._pick)
            watched: dict[str, tuple[str, int, int]] = {}
        else:
            watched = self._isolation_before(target, number)
            delivered = self._inject(target, fault)
            # A target that died just before the fault reached it was killed by no one.
            deaths = (2 if fault == "start" else 1) if delivered else 0
        self.deaths += deaths
        if deaths:
            entries = self._await_halts(before + deaths, feeding=fault in INFRA_FAULTS)
            for entry in entries:
                self._check_cancels(entry)
        self._isolation_after(watched)
        self._settle_and_resume()

    def _inject(self, target: str, fault: str) -> bool:
        """Send the fault; False if the target had no live actor to receive it."""
        if fault == "start":
            self.faults.arm_start(target)
        if fault in ("tell", "start"):
            if self.engine.router.tell(target, Crash(f"chaos {fault}")):
                return True
            self.faults.disarm_start(target)
            return False
        if fault == "ask":
            return self._inject_ask(target)
        ref = self.engine.registry.ref(target)
        if ref is None:
            return False
        try:
            if fault == "stop":
                ref.stop(block=True, timeout=2.0)
            else:
                release = threading.Event()
                self.stalls.append(release)
                ref.tell(Stall(release, max_s=3.0))
        except pykka.ActorDeadError:
            return False  # died between the lookup and the fault
        return True

    def _inject_ask(self, target: str) -> bool:
        message = Crash("chaos ask")
        self.tally.sent(message)
        try:
            self.engine.registry.ask(target, message, 2.0)
        except pykka.ActorDeadError:
            self.tally.denied(message)
            return False
        except Exception as exc:  # noqa: BLE001 - the injected fault comes back here
            _log.debug("ask fault returned %r", exc)
        return True

    def _await_halts(self, count: int, *, feeding: bool = False) -> list[HaltEntry]:
        """Wait for the halts; with `feeding`, keep mail flowing (a dropped pooled market is
        found stale only with mail waiting; a stalled journal only with records to write)."""
        deadline = time.monotonic() + self.config.settle_timeout_s
        while time.monotonic() < deadline:
            entries = self.engine.halt_entries()
            if len(entries) >= count:
                return entries[count - 1 :] if count else []
            if feeding:
                self._feed(1)
            time.sleep(0.002)
        return self.engine.halt_entries()[-1:]

    def _check_cancels(self, entry: HaltEntry) -> None:
        """(c) the halt accounted for every market before it returned (confirmed, or
        canceled from the journal), within the bound."""
        missing = missing_cancels(entry, self.engine.market_names())
        if missing:
            self.cancel_misses += 1
            _log.error(
                "cancel not confirmed: halt=%d missing=%s", entry.halt_id, sorted(missing)[:3]
            )
            return
        self.latencies.append(max(0.0, entry.canceled_s - entry.started_s))

    def _settle_and_resume(self) -> None:
        deadline = time.monotonic() + self.config.settle_timeout_s
        while time.monotonic() < deadline:
            if self.engine.all_healthy() and self.engine.resume("chaos").resumed:
                return
            time.sleep(0.005)
        _log.error("could not resume within %.1fs", self.config.settle_timeout_s)

    # -- (h) isolation ---------------------------------------------------------------------
    def _generation(self, market: str) -> str:
        child = self.engine.registry.get(market_producer(market))
        return "" if child is None else str(child.generation)

    def _isolation_before(self, target: str, number: int) -> dict[str, tuple[str, int, int]]:
        if not target.startswith(market_producer("")) or number % self.config.isolation_every:
            return {}
        self.engine.drain(self.config.settle_timeout_s)
        others = [m.condition_id for m in self.markets if market_producer(m.condition_id) != target]
        picks = self.rng.choice(len(others), size=min(3, len(others)), replace=False)
        watched = {}
        infos = {m.condition_id: m for m in self.markets}
        for index in picks:
            digest = self.engine.digest(others[int(index)])
            if digest is not None:
                # The reference book starts from the stream's truth now (what every event or
                # a restart's snapshot gave the market); the live book must equal it.
                shadow = MarketBooks(infos[digest.market])
                for snapshot in self.stream.snapshots(infos[digest.market]):
                    shadow.apply(snapshot)
                self.shadow[digest.market] = shadow
                expected = book_digest(shadow, infos[digest.market].tokens)
                if digest.book_digest != expected:
                    self.isolation["mismatched"] += 1
                    self.isolation_wrong.append(f"{digest.market}: book before")
                fed = self.shadow_events[digest.market]
                watched[digest.market] = (self._generation(digest.market), digest.events, fed)
        # Events keep arriving for the watched markets while the other one dies: their
        # digests must move exactly as those events say, and nothing else.
        for market in watched:
            self._feed(2, infos[market])
        return watched

    def _isolation_after(self, watched: dict[str, tuple[str, int, int]]) -> None:
        if not watched:
            return
        self.engine.drain(self.config.settle_timeout_s)
        infos = {m.condition_id: m for m in self.markets}
        for market, (generation, events_before, fed_before) in watched.items():
            if self._generation(market) != generation:
                # Died itself meanwhile (e.g. stuck on a stalled RiskActor): a death of its
                # own, halted for and checked as one, not a leak of the other crash.
                self.isolation["restarted"] += 1
                continue
            digest = self.engine.digest(market)
            self.isolation["checks"] += 1
            if digest is None:
                self.isolation["mismatched"] += 1
                continue
            rows = self.journal.producer_records(market_producer(market))
            expected_book = book_digest(self.shadow[market], infos[market].tokens)
            wrong = [
                what
                for what, ok in (
                    ("book", digest.book_digest == expected_book),
                    (
                        "events",
                        digest.events - events_before == self.shadow_events[market] - fed_before,
                    ),
                    ("orders", digest.orders_digest == orders_digest_rows(rows)),
                    ("resting", digest.resting == 0),  # the halt canceled them; no resume yet
                )
                if not ok
            ]
            if wrong:
                self.isolation["mismatched"] += 1
                _log.error("isolation: market=%s differs in %s", market, wrong)
                self.isolation_wrong.append(f"{market}: {','.join(wrong)}")
            # The events fed meanwhile show (a book step may leave the mid where it was).
            self.isolation["moved"] += int(digest.events > events_before)

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
            isolation={**self.isolation, "first_wrong": self.isolation_wrong[:5]},
            kills=self.deaths,
            audit=self.audit,
            infra=self.injectors.figures,
            enabled=self.config.faults,
            open_journal=self.open_journal,
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
            "deaths_injected": self.deaths,
            "restart_audits": self.audit.checked,
            **figures_dict(self.injectors.figures),
        }
