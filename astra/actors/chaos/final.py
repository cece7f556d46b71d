"""End-of-run checks of the chaos scenario, and the escalation drill (g)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from astra.actors.chaos.checks import (
    Invariant,
    no_duplicates,
    no_submit_while_halted,
    replayed_ledger_digest,
    state_equals_replay,
)
from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.drills import root_drill, root_drill_ok
from astra.actors.chaos.faults import ChaosFaults, ErrorLog
from astra.actors.chaos.injectors import InfraFigures
from astra.actors.chaos.journal_checks import (
    RestartAudit,
    event_deaths_in_journal,
    global_halt_reaches_every_market,
    halt_first_in_journal,
)
from astra.actors.chaos.synthetic import SyntheticStream, synthetic_markets
from astra.actors.engine import Engine, EngineConfig, EngineParts, WallClock
from astra.actors.halt_protocol import HaltEntry
from astra.actors.market_state import open_orders_from_journal
from astra.actors.messages import Reconcile
from astra.actors.ports import JournalOpener, JournalPort, StoredRecordLike
from astra.actors.runtime.runtime_messages import Crash
from astra.actors.runtime.supervision import Intensity
from astra.actors.runtime.supervisor import ShutdownReport
from astra.domain.journal_record import JournalRecord
from astra.domain.metrics_port import ACTOR_FAILURES_TOTAL, CountingMetrics


@dataclass(frozen=True, slots=True)
class RunFacts:
    engine: Engine
    journal: JournalPort
    config: EngineConfig
    faults: ChaosFaults
    errors: ErrorLog
    metrics: CountingMetrics
    latencies: Sequence[float]
    cancel_misses: int
    cancel_bound_s: float
    isolation: dict[str, Any]
    kills: int  # deaths the injected faults were to cause
    audit: RestartAudit
    infra: InfraFigures
    enabled: Sequence[str]  # the fault kinds this run injects
    open_journal: JournalOpener


def final_checks(facts: RunFacts) -> list[Invariant]:
    engine = facts.engine
    engine.router.ask("risk", Reconcile(), 5.0)
    _settle(engine)
    live = {}
    resting: dict[str, int] = {}
    for name in engine.market_names():
        digest = engine.digest(name.removeprefix("market:"))
        live[name] = "unavailable" if digest is None else digest.orders_digest
        resting[name] = -1 if digest is None else digest.resting
    status = engine.risk_status()
    # The live state is read first, then everything it had journaled is committed and read:
    # the journal may only be ahead of it by what happened in between (clock ticks).
    _settle(engine)
    stored = list(facts.journal.records_since(0))
    records = [s.record for s in stored]
    ledger = replayed_ledger_digest(
        records, facts.config.risk_limits, facts.config.initial_cash, engine.clock.now_ms()
    )
    return [
        halt_before_restart(engine.halt_entries(), facts.faults.starts),
        no_submit_while_halted(records),
        cancels_within_bound(facts),
        _with_resting(
            state_equals_replay(
                records, live, None if status is None else status.ledger_digest, ledger
            ),
            resting,
            records,
        ),
        no_duplicates(records),
        isolation(facts.isolation),
        observability(facts),
        halt_first_in_journal(stored),
        global_halt_reaches_every_market(stored, engine.market_names()),
        facts.audit.invariant(),
        *infra_checks(facts, stored),
    ]


def _settle(engine: Engine, attempts: int = 6) -> bool:
    """Drain until every mailbox was empty and the journal committed (a 100-market run under
    load can need more than one 5 s drain); False if it never did."""
    return any(engine.drain(5.0) for _ in range(attempts))


def _with_resting(
    inv: Invariant, resting: dict[str, int], records: Sequence[JournalRecord]
) -> Invariant:
    """(d) with, for the first mismatches, live resting orders vs the journal's open ones."""
    detail = {}
    for name in inv.figures.get("first_mismatches", []):
        rows = sorted((r for r in records if r.producer == name), key=lambda r: r.seq)
        detail[name] = f"live {resting.get(name)} / journal {len(open_orders_from_journal(rows))}"
    return replace(inv, figures={**inv.figures, "resting_live_vs_journal": detail})


def halt_before_restart(
    entries: Sequence[HaltEntry], starts: Sequence[tuple[str, int, float]]
) -> Invariant:
    """(a) every restart of a name follows a committed halt for its previous generation."""
    # A name can have the same generation twice (a restarted pool numbers its children
    # from 1 again), so the k-th restart into generation g pairs with the k-th halt of
    # generation g - 1. Durable means every market's cancels too (`canceled_s`).
    halts: dict[tuple[str, int], list[float]] = {}
    for e in entries:
        halts.setdefault((e.name, e.generation), []).append(max(e.committed_s, e.canceled_s))
    restarts = sorted(((n, g, t) for n, g, t in starts if g > 1), key=lambda r: r[2])
    used: dict[tuple[str, int], int] = {}
    late = []
    for n, g, t in restarts:
        key = (n, g - 1)
        done = sorted(halts.get(key, []))
        k = used.get(key, 0)
        used[key] = k + 1
        if k >= len(done) or done[k] > t:
            late.append(f"{n}#{g}")
    figures = {"restarts": len(restarts), "halts": len(entries), "restart_before_halt": late[:5]}
    return Invariant("a", "halt recorded before any restart", not late, figures)


def cancels_within_bound(facts: RunFacts) -> Invariant:
    worst = max(facts.latencies, default=0.0)
    figures = {
        "halts_checked": len(facts.latencies),
        "unconfirmed": facts.cancel_misses,
        "worst_ms": round(worst * 1000, 3),
        "bound_ms": facts.cancel_bound_s * 1000,
    }
    ok = not facts.cancel_misses and worst <= facts.cancel_bound_s
    return Invariant("c", "every resting order canceled within a bound after a halt", ok, figures)


def isolation(figures: dict[str, Any]) -> Invariant:
    """(h) while one market crashes, every watched market's book follows exactly the events
    fed to it meanwhile (so its digest moves), its event count grows by them, and its orders
    equal its journal (the halt's cancels and nothing else)."""
    ok = figures["mismatched"] == 0 and figures["moved"] == figures["checks"]
    return Invariant(
        "h",
        "a crash in one market changes other markets only as their own events and the halt do",
        ok,
        dict(figures),
    )


def infra_checks(facts: RunFacts, stored: Sequence[StoredRecordLike] = ()) -> list[Invariant]:
    """(m) poison frames, (n) feed silence, (o) the root drill, (p) EventActor deaths (read
    from the journal `stored`): only for enabled faults."""
    out: list[Invariant] = []
    infra = facts.infra
    if "event" in facts.enabled:
        out.append(event_deaths_in_journal(stored, infra.event_kills))
    if "poison" in facts.enabled:
        figures = {
            "frames": infra.poison_frames,
            "escaped": len(infra.poison_escaped),
            "escape_kinds": sorted(set(infra.poison_escaped)),
            "accepted": infra.poison_accepted,
        }
        ok = not infra.poison_escaped and not infra.poison_accepted
        out.append(
            Invariant("m", "a poison frame is a counted rejection, never a crash", ok, figures)
        )
    if "feed_silence" in facts.enabled:
        figures = {"silences": infra.silences, "left_open": infra.silence_left_open}
        ok = infra.silence_left_open == 0
        out.append(Invariant("n", "a silent feed cancels its markets' orders", ok, figures))
    if "root" in facts.enabled:
        drill = root_drill(facts.open_journal)
        out.append(
            Invariant(
                "o",
                "the root's death is halted for before the process restarts",
                root_drill_ok(drill),
                drill,
            )
        )
    return out


def observability(facts: RunFacts) -> Invariant:
    failures = int(facts.metrics.counter_sum(ACTOR_FAILURES_TOTAL))
    halts = len(facts.engine.halt_entries())
    figures = {
        "kills": facts.kills,
        "failure_metric": failures,
        "error_lines": facts.errors.deaths,
        "halts": halts,
    }
    ok = observability_ok(facts.kills, failures, facts.errors.deaths, halts)
    return Invariant("i", "every fault is a metric increment and an ERROR log line", ok, figures)


def poison_check(infra: InfraFigures) -> Invariant:
    figures = {
        "frames": infra.poison_frames,
        "escaped": len(infra.poison_escaped),
        "escape_kinds": sorted(set(infra.poison_escaped)),
        "accepted": infra.poison_accepted,
    }
    ok = infra.poison_frames > 0 and not infra.poison_escaped and not infra.poison_accepted
    return Invariant("m", "a poison frame is a counted rejection, never a crash", ok, figures)


def silence_check(infra: InfraFigures) -> Invariant:
    figures = {"silences": infra.silences, "left_open": infra.silence_left_open}
    ok = infra.silences > 0 and infra.silence_left_open == 0
    return Invariant("n", "a silent feed cancels its markets' orders", ok, figures)


def missing_cancels(entry: HaltEntry, markets: Sequence[str]) -> set[str]:
    """(c) the markets a halt neither confirmed nor canceled from the journal."""
    fan = entry.fan_out
    return set(markets) - {entry.name} - {*fan.confirmed, *fan.from_journal, *fan.given_up}


def observability_ok(kills: int, failures: int, error_lines: int, halts: int) -> bool:
    return failures >= kills and failures == error_lines == halts


def escalation_check(
    shutdown: ShutdownReport, shutdown_s: float, escalated: bool, open_journal: JournalOpener
) -> Invariant:
    drill = escalation_drill(open_journal)
    figures: dict[str, Any] = {
        "main_run_escalated": escalated,
        "main_shutdown_s": round(shutdown_s, 3),
        "main_shutdown_clean": shutdown.clean,
        **drill,
    }
    ok = (
        not escalated
        and shutdown.clean
        and shutdown_s < 10.0
        and drill["drill_escalated"]
        and drill["drill_exit_code"] == 1
        and drill["drill_shutdown_s"] < 10.0
    )
    return Invariant(
        "g", "restart budgets escalate as configured; shutdown never hangs", ok, figures
    )


def escalation_drill(open_journal: JournalOpener) -> dict[str, Any]:
    """A pool allowed 1 restart per minute under a root allowed none: the second crash of a
    market must escalate to the root, which stops everything and sets exit code 1."""
    base = chaos_engine_config()
    config = replace(
        base,
        root=replace(base.root, intensity=Intensity(0, 60_000)),
        markets=replace(base.markets, intensity=Intensity(1, 60_000)),
    )
    markets = synthetic_markets(2)
    with tempfile.TemporaryDirectory(prefix="astra-drill-") as tmp:
        store = open_journal(Path(tmp) / "journal.sqlite3")
        engine = Engine(
            markets,
            store,
            SyntheticStream(markets, 0),
            clock=WallClock(),
            metrics=CountingMetrics(),
            config=config,
            parts=EngineParts(),
        )
        engine.start()
        name = engine.market_names()[0]
        started = time.monotonic()
        for generation in (1, 2):
            _crash_when_bound(engine, name, generation)
        root = engine.root
        escalated = root is not None and root.escalated.wait(5.0)
        escalation_s = time.monotonic() - started
        begun = time.monotonic()
        engine.shutdown(5.0)
        shutdown_s = time.monotonic() - begun
        exit_code = None if root is None else root.exit_code
        store.close()
    return {
        "drill_escalated": escalated,
        "drill_exit_code": exit_code,
        "drill_escalation_s": round(escalation_s, 3),
        "drill_shutdown_s": round(shutdown_s, 3),
    }


def _crash_when_bound(engine: Engine, name: str, generation: int) -> None:
    """Crash generation `generation` of `name` once it is bound and started."""
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        child = engine.registry.get(name)
        if child is not None and child.generation == generation and child.health().started:
            engine.registry.tell(name, Crash("drill"))
            return
        time.sleep(0.005)
