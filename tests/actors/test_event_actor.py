"""EventActors in the engine: top of book from the markets, an opportunity logged once from
open to close with its event-time duration, and a crash that halts first like any actor."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from astra.actors.arb_feed import TopOfBook
from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.engine import Engine
from astra.actors.engine_events import ArbConfig
from astra.actors.engine_parts import EngineParts
from astra.adapters.journal.store import JournalStore
from astra.domain.arb_taker import EscalationConfig
from astra.domain.clock import ManualClock
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import ARB_CLOSED_TOTAL, ARB_OPENED_TOTAL, CountingMetrics

from .trading_support import NoBooks, records, running, wait_for

T0 = 1_700_000_000_000
EVENT = "0xnegriskevent"


def neg_risk_markets(n: int) -> list[MarketInfo]:
    return [
        replace(
            m, neg_risk=True, event_id=EVENT, neg_risk_market_id=EVENT, group_item_title=f"C{i}"
        )
        for i, m in enumerate(synthetic_markets(n))
    ] + [synthetic_markets(n + 1)[n]]  # one market outside any event


class CrashOnce:
    """Fault hook: the EventActor's first TopOfBook after `armed` raises."""

    def __init__(self) -> None:
        self.armed = threading.Event()

    def on_start(self, name: str, generation: int) -> None:
        return None

    def on_message(self, name: str, generation: int, message: object) -> None:
        if name.startswith("arb:") and isinstance(message, TopOfBook) and self.armed.is_set():
            self.armed.clear()
            raise RuntimeError("injected EventActor fault")


@contextmanager
def arb_engine(
    path: Path,
    clock: ManualClock,
    faults: CrashOnce | None = None,
    arb: ArbConfig | None = None,
) -> Iterator[tuple[Engine, JournalStore, CountingMetrics]]:
    config = replace(
        chaos_engine_config(),
        watchdog=None,
        flush_interval_s=None,
        arb=arb or ArbConfig(depth=5),
    )
    store = JournalStore.open(path, synchronous="NORMAL")
    metrics = CountingMetrics()
    engine = Engine(
        neg_risk_markets(3),
        store,
        NoBooks(),
        clock=clock,
        metrics=metrics,
        config=config,
        parts=EngineParts(faults=faults),
    )
    with running(engine, store):
        yield engine, store, metrics


def arb_records(store: JournalStore) -> list[JournalRecord]:
    return [r for r in records(store, RecordKind.DECISION) if r.producer.startswith("arb:")]


def feed_mids(engine: Engine, clock: ManualClock, mids: list[int]) -> None:
    for info, mid in zip(engine_markets(engine), mids, strict=True):
        for snap in book_pair(info, mid, clock.now_ms()):
            engine.feed(snap)
        assert engine.drain()


def resting(engine: Engine, market: MarketInfo) -> int:
    digest = engine.digest(market.condition_id)
    assert digest is not None
    return int(digest.resting)


def engine_markets(engine: Engine) -> list[MarketInfo]:
    assert engine.event_tree is not None
    [event] = engine.event_tree.events
    return list(event.members)


def test_an_injected_mispricing_is_logged_once_with_its_duration(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    with arb_engine(tmp_path / "j.sqlite3", clock) as (engine, store, metrics):
        assert engine.event_names() == [f"arb:{EVENT}"]
        # Fair books: YES asks 0.34 + 0.34 + 0.34 = 1.02, nothing to take.
        feed_mids(engine, clock, [3300, 3300, 3300])
        assert arb_records(store) == []
        # The mispricing: outcome 2's book drops to mid 0.20 (ask 0.21): 0.34+0.34+0.21 < 1.
        clock.advance(1_000)
        feed_mids(engine, clock, [3300, 3300, 2000])
        # Unrelated updates while it is open: same size and edge, nothing journaled.
        clock.advance(500)
        feed_mids(engine, clock, [3300, 3300, 2000])
        clock.advance(750)
        feed_mids(engine, clock, [3300, 3300, 3300])
        logged = [r.data() for r in arb_records(store)]
    assert [d["action"] for d in logged] == ["arb_open", "arb_close"]
    opened, closed = logged
    assert opened["kind"] == "event_buy_yes"
    assert opened["opened_ms"] == T0 + 1_000
    assert closed["duration_ms"] == 1_250
    # Three levels of 50 shares on each ask: 0.34+0.34+0.21, then 0.35+0.35+0.22, then
    # 0.36+0.36+0.23: 50 × (0.11 + 0.08 + 0.05) = 12 collateral, no fees.
    assert opened["size"] == 150_000_000
    assert opened["net"] == 12_000_000
    assert closed["close_reason"] == "gone"
    assert metrics.counter_sum(ARB_OPENED_TOTAL) == 1
    assert metrics.counter_sum(ARB_CLOSED_TOTAL) == 1


def test_a_desynced_market_closes_the_event_sum(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    with arb_engine(tmp_path / "j.sqlite3", clock) as (engine, store, _):
        feed_mids(engine, clock, [3300, 3300, 2000])
        clock.advance(40)
        assert engine.desync([engine_markets(engine)[0].yes_token]) == 1
        assert engine.drain()
        logged = [r.data() for r in arb_records(store)]
    assert [d["action"] for d in logged] == ["arb_open", "arb_close"]
    assert logged[1]["duration_ms"] == 40


def test_an_event_actor_crash_halts_first_and_its_restart_closes_what_was_open(
    tmp_path: Path,
) -> None:
    clock = ManualClock(T0)
    faults = CrashOnce()
    with arb_engine(tmp_path / "j.sqlite3", clock, faults) as (engine, store, _):
        assert engine.resume("test").resumed
        feed_mids(engine, clock, [3300, 3300, 2000])
        resting_before = sum(resting(engine, m) for m in engine_markets(engine))
        clock.advance(100)
        faults.armed.set()
        feed_mids(engine, clock, [3300, 3300, 3300])
        assert wait_for(lambda: len(engine.halt_entries()) == 1)
        assert wait_for(engine.all_healthy)
        assert engine.drain()
        [entry] = engine.halt_entries()
        status = engine.risk_status()
        resting_after = sum(resting(engine, m) for m in engine_markets(engine))
        halt_cancels = [
            r for r in records(store, RecordKind.ORDER_EVENT) if r.data()["reason"] == "halt"
        ]
        logged = [r.data() for r in arb_records(store)]
        incidents = [r.data() for r in records(store, RecordKind.INCIDENT)]
    assert entry.kind == "event"
    assert entry.name == f"arb:{EVENT}"
    assert status is not None
    assert status.state == "halted"
    assert resting_before > 0
    assert resting_after == 0
    assert len(halt_cancels) == resting_before
    assert incidents[0]["actor_kind"] == "event"
    assert [d["action"] for d in logged] == ["arb_open", "arb_close"]
    assert logged[1]["close_reason"] == "restart"


def test_maker_then_taker_escalation_waits_then_takes_after_its_latency(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    escalation = EscalationConfig(
        enabled=True, daily_budget=1_000_000_000, per_opportunity_budget=60_000_000, latency_ms=100
    )
    arb = ArbConfig(depth=5, escalation=escalation, maker_wait_ms=200)
    with arb_engine(tmp_path / "j.sqlite3", clock, arb=arb) as (engine, store, _):
        # Same levels every time; each new snapshot is still an update (its timestamp).
        feed_mids(engine, clock, [3300, 3300, 2000])  # opens at T0
        clock.advance(150)
        feed_mids(engine, clock, [3300, 3300, 2000])  # waited 150 < 200: the maker legs rest
        clock.advance(100)
        feed_mids(engine, clock, [3300, 3300, 2000])  # T0+250: waited 250 >= 200: escalate
        clock.advance(100)
        feed_mids(engine, clock, [3300, 3300, 2000])  # T0+350: the take is due: fills
        logged = [(r.ts_ms - T0, r.data()) for r in arb_records(store)]
    actions = [(ts, d["action"], d.get("reason")) for ts, d in logged]
    assert (250, "arb_escalate", "taker_sent") in actions
    assert (350, "arb_take", "taker_filled") in actions
    [(_, sent)] = [(ts, d) for ts, d in logged if d["action"] == "arb_escalate"]
    [(_, take)] = [(ts, d) for ts, d in logged if d["action"] == "arb_take"]
    # 150 sets would spend 138 USD; the 60 USD per-opportunity budget sizes the take down:
    # 50 sets at 0.89 (44.5 USD), then 15.5 / 0.92 = 16.847 -> 16.84 sets at 0.92.
    assert sent["size"] == 66_840_000
    assert sent["cost"] == 44_500_000 + 15_492_800
    assert take["hedged"] == sent["size"]
    # 50 sets at 0.11 and 16.84 at 0.08 edge (the books are the same when the take lands).
    assert take["net"] == 5_500_000 + 1_347_200


def test_a_retired_market_closes_the_event_sum_it_was_part_of(tmp_path: Path) -> None:
    """A market that leaves the universe takes its books out of its event: the event sum
    it completed closes (fail closed: no sum over the last books of an unwatched market)."""
    clock = ManualClock(T0)
    with arb_engine(tmp_path / "j.sqlite3", clock) as (engine, store, _):
        feed_mids(engine, clock, [3300, 3300, 2000])
        clock.advance(60)
        leaving = engine_markets(engine)[2]
        assert engine.retire_market(leaving.condition_id)
        assert engine.drain()
        logged = [r.data() for r in arb_records(store)]
    assert [d["action"] for d in logged] == ["arb_open", "arb_close"]
    assert logged[1]["duration_ms"] == 60
    assert logged[1]["close_reason"] == "gone"
