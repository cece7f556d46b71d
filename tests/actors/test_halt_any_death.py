"""Halt first for any death: nothing rests when anything restarts.

Each case rests orders in every market, kills something, and checks two witnesses: the
`RestartAudit` reads the committed journal at the instant each new generation starts (no
market may show an open order then), and `halt_first_in_journal` and
`global_halt_reaches_every_market` walk the whole journal afterwards. These are the holes
found outside the previously tested paths: the markets pool supervisor, a burst of kills, a
market too slow to confirm, the watchdog and the root.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.faults import ChaosFaults
from astra.actors.chaos.journal_checks import (
    RestartAudit,
    global_halt_reaches_every_market,
    halt_first_in_journal,
)
from astra.actors.chaos.synthetic import SyntheticStream, synthetic_markets
from astra.actors.engine import MARKETS, Engine, EngineConfig, EngineParts, WallClock
from astra.actors.market_state import open_orders_from_journal
from astra.actors.runtime.runtime_messages import Crash, Stall
from astra.actors.runtime.supervisor import SupervisorChild
from astra.actors.runtime.tally import MessageTally
from astra.actors.runtime.watchdog import WatchdogConfig
from astra.adapters.journal.store import JournalStore
from astra.domain.journal_record import RecordKind
from astra.domain.metrics_port import ACTOR_FAILURES_TOTAL, CountingMetrics

from .trading_support import feed_steps, records, wait_for


@dataclass
class Rig:
    engine: Engine
    store: JournalStore
    stream: SyntheticStream
    faults: ChaosFaults
    audit: RestartAudit

    def restarted(self, name: str) -> bool:
        return sum(1 for n, _, _ in self.faults.starts if n == name) > 1

    def check_journal(self) -> None:
        assert self.engine.drain()
        rows = self.store.records_since(0)
        audit = self.audit.invariant()
        assert audit.ok, audit.figures
        assert audit.figures["restarts_checked"] >= 1
        walk = halt_first_in_journal(rows)
        assert walk.ok, walk.figures
        reach = global_halt_reaches_every_market(rows, self.engine.market_names())
        assert reach.ok, reach.figures


@contextmanager
def rig(tmp_path: Path, markets: int, config: EngineConfig | None = None) -> Iterator[Rig]:
    infos = synthetic_markets(markets)
    stream = SyntheticStream(infos, seed=3)
    store = JournalStore.open(tmp_path / "journal.sqlite3", synchronous="NORMAL")
    audit = RestartAudit(store)
    faults = ChaosFaults(MessageTally(), audit.on_start)
    engine = Engine(
        infos,
        store,
        stream,
        clock=WallClock(),
        metrics=CountingMetrics(),
        config=config or replace(chaos_engine_config(), watchdog=None),
        parts=EngineParts(faults=faults),
    )
    engine.start()
    try:
        assert wait_for(engine.all_healthy)
        yield Rig(engine, store, stream, faults, audit)
    finally:
        engine.shutdown(5.0)
        store.close()


def _resting(engine: Engine) -> int:
    total = 0
    for name in engine.market_names():
        digest = engine.digest(name.removeprefix("market:"))
        assert digest is not None
        total += digest.resting
    return total


def _quote_everywhere(engine: Engine, stream: SyntheticStream) -> int:
    assert engine.resume("test").resumed
    feed_steps(engine, stream, 40)
    assert engine.drain()
    resting = _resting(engine)
    assert resting > 0
    return resting


def _journal_open(store: JournalStore, engine: Engine) -> int:
    return sum(
        len(open_orders_from_journal(store.producer_records(name)))
        for name in engine.market_names()
    )


def test_pool_supervisor_stop_cancels_every_order_before_the_pool_restarts(
    tmp_path: Path,
) -> None:
    with rig(tmp_path, markets=4) as r:
        engine = r.engine
        resting = _quote_everywhere(engine, r.stream)
        root = engine.root
        assert root is not None
        pool = root.child(MARKETS)
        assert isinstance(pool, SupervisorChild)
        pool.supervisor.shutdown(2.0)  # behind the root's back
        assert wait_for(lambda: len(engine.halt_entries()) >= 1 and engine.all_healthy(), 5.0)
        entry = engine.halt_entries()[0]
        assert (entry.name, entry.kind) == (MARKETS, "supervisor")
        assert entry.dead_orders_canceled == resting
        assert len(entry.fan_out.from_journal) == 4
        r.check_journal()
        assert r.audit.checked == 4  # every market of the new pool
        halted = [
            s.record.data()
            for s in r.store.records_since(0, [RecordKind.ORDER_EVENT])
            if s.record.data()["reason"] == "halt"
        ]
        assert len(halted) == resting
        assert _resting(engine) == 0


def test_burst_of_kills_leaves_nothing_open_at_the_first_restart(tmp_path: Path) -> None:
    with rig(tmp_path, markets=12) as r:
        engine = r.engine
        _quote_everywhere(engine, r.stream)
        for name in engine.market_names()[:10]:
            engine.router.tell(name, Crash("burst"))
        assert wait_for(lambda: len(engine.halt_entries()) >= 10 and engine.all_healthy(), 10.0)
        r.check_journal()
        assert r.audit.checked == 10
        assert _journal_open(r.store, engine) == 0


def test_a_market_too_slow_to_confirm_is_given_up_before_the_dead_one_restarts(
    tmp_path: Path,
) -> None:
    """A market that does not confirm its cancel in time is abandoned and canceled from its
    journal before the dead one restarts, instead of resting orders through the restart."""
    config = replace(chaos_engine_config(), watchdog=None, halt_timeout_s=0.3)
    with rig(tmp_path, markets=3, config=config) as r:
        engine = r.engine
        _quote_everywhere(engine, r.stream)
        slow, victim = engine.market_names()[:2]
        release = threading.Event()
        ref = engine.registry.ref(slow)
        assert ref is not None
        ref.tell(Stall(release, max_s=3.0))
        try:
            engine.router.tell(victim, Crash("test"))
            assert wait_for(lambda: len(engine.halt_entries()) >= 2 and engine.all_healthy(), 5.0)
        finally:
            release.set()
        assert engine.halt_entries()[0].fan_out.given_up == (slow,)
        assert (slow, "stuck_handler") in {(e.name, e.cause) for e in engine.halt_entries()}
        r.check_journal()


def test_watchdog_death_is_a_halt_and_the_watchdog_is_restarted(tmp_path: Path) -> None:
    watchdog = WatchdogConfig(stuck_ms=200, stale_ms=2_000, interval_s=0.02)
    with rig(tmp_path, 2, replace(chaos_engine_config(), watchdog=watchdog)) as r:
        engine = r.engine
        _quote_everywhere(engine, r.stream)
        r.faults.arm_crash("watchdog")
        assert wait_for(lambda: len(engine.halt_entries()) == 1, 5.0)
        entry = engine.halt_entries()[0]
        assert (entry.name, entry.kind, entry.cause) == ("watchdog", "watchdog", "loop_exception")
        assert wait_for(lambda: r.restarted("watchdog"), 5.0)
        r.check_journal()
        metrics = engine.metrics
        assert isinstance(metrics, CountingMetrics)
        assert metrics.counter_sum(ACTOR_FAILURES_TOTAL) == 1
        # The new generation works: a stuck market is found, halted for and restarted.
        assert engine.resume("test").resumed
        stuck = engine.market_names()[0]
        release = threading.Event()
        ref = engine.registry.ref(stuck)
        assert ref is not None
        ref.tell(Stall(release, max_s=3.0))
        try:
            assert wait_for(lambda: len(engine.halt_entries()) == 2, 5.0)
        finally:
            release.set()
        assert engine.halt_entries()[1].name == stuck


def test_root_death_journals_the_halt_and_cancels_everything_before_exit(
    tmp_path: Path,
) -> None:
    with rig(tmp_path, markets=3) as r:
        engine = r.engine
        _quote_everywhere(engine, r.stream)
        r.faults.arm_crash("root")  # the root's next death report raises inside the root
        engine.router.tell("risk", Crash("test"))
        root = engine.root
        assert root is not None
        assert root.escalated.wait(5.0)
        assert root.exit_code == 1
        assert _journal_open(r.store, engine) == 0
        halts = [h for h in records(r.store, RecordKind.HALT) if h.producer == "supervision"]
        assert halts
        assert halts[-1].data()["state"] == "halted"
        assert engine.halt_entries()[-1].name == "root"
        assert records(r.store, RecordKind.INCIDENT)[-1].data()["actor_name"] == "root"
