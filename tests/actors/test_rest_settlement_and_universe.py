"""`Engine.settle` (a resolution learned from REST), the 50/50 through the actors and across a
restart, and the add/stop-quoting/retire API of the living universe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.engine import Engine
from astra.actors.market_actor import market_producer
from astra.actors.settlements import UNHELD, rebuild_settlements
from astra.adapters.journal.check import check_journal
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.events import Trade
from astra.domain.journal_record import RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.prices import Side
from astra.domain.risk_limits import RiskLimits
from astra.domain.trading import Settlement

from .trading_support import NoBooks, records, running, wait_for

INFOS = synthetic_markets(3)
INFO, OTHER, NEW = INFOS
T0 = 1_700_000_000_000
SHARES = 5_000_000  # SimpleQuoter's size
CASH = 10_000_000_000


@contextmanager
def engine_on(
    path: Path, clock: ManualClock, markets: list[MarketInfo]
) -> Iterator[tuple[Engine, JournalStore]]:
    limits = RiskLimits(cooldown_ms=0, max_orders_per_window=1_000_000)
    config = replace(
        chaos_engine_config(),
        watchdog=None,
        flush_interval_s=None,
        initial_cash=CASH,
        risk_limits=limits,
    )
    store = JournalStore.open(path, synchronous="NORMAL")
    engine = Engine(
        markets, store, NoBooks(), clock=clock, metrics=CountingMetrics(), config=config
    )
    with running(engine, store):
        yield engine, store


def risk_ledgers(store: JournalStore) -> list[dict[str, object]]:
    return [r.data() for r in records(store, RecordKind.LEDGER) if r.producer == "risk"]


def buy_yes(engine: Engine, store: JournalStore, clock: ManualClock, info: MarketInfo) -> int:
    """Quote, then a sell print through the bid: the paper bid on YES fills. Its cost."""
    for snap in book_pair(info, 5000, clock.now_ms()):
        engine.feed(snap)
    assert engine.drain()
    clock.advance(10)
    trade = Trade(info.condition_id, info.yes_token, clock.now_ms(), 4700, SHARES, Side.SELL, "t")
    engine.feed(trade)
    assert engine.drain()
    fills = [r.data() for r in records(store, RecordKind.FILL) if r.market == info.condition_id]
    assert [(f["asset_id"], f["side"]) for f in fills] == [(info.yes_token, "BUY")]
    return int(fills[0]["price"]) * SHARES // 10_000


def test_rest_split_settles_through_the_market_once_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    """Held YES 5 shares bought at the bid; the venue says 50/50: 5 × 0.5 = 2.5 paid back.
    Resent three times: paid once. Restarted: the ledger re-applies the split, same figures."""
    clock = ManualClock(T0)
    path = tmp_path / "journal.sqlite3"
    with engine_on(path, clock, [INFO, OTHER]) as (engine, store):
        assert engine.resume("test").resumed
        cost = buy_yes(engine, store, clock, INFO)
        clock.advance(10)
        split = Settlement(INFO.condition_id, INFO.yes_token, INFO.no_token, clock.now_ms(), True)
        for _ in range(3):
            assert engine.settle(split)
            assert engine.drain()
        ledgers = risk_ledgers(store)
        settled = [lg for lg in ledgers if lg.get("settled")]
        assert len({str(lg["settled"]) for lg in settled}) == 1  # one settlement, once
        last = ledgers[-1]
        assert last["settled"] == {INFO.yes_token: SHARES // 2}
        assert last["split_markets"] == [INFO.condition_id]
        assert last["positions"] == {}
        assert last["cash"] == CASH - cost + SHARES // 2
        assert last["realised"] == SHARES // 2 - cost
        market_rows = store.producer_records(market_producer(INFO.condition_id))
        events = [r.data() for r in market_rows if r.kind is RecordKind.RISK_EVENT]
        assert events[-1]["reason"] == "market_resolved"
        assert events[-1]["snapshot"]["split"] is True
        before = last
    clock.advance(1_000)
    with engine_on(path, clock, [INFO, OTHER]) as (engine, store):
        assert engine.drain()
        after = risk_ledgers(store)[-1]
        for key in ("cash", "realised", "settled", "positions", "fills", "split_markets"):
            assert after[key] == before[key], key
        status = engine.risk_status()
        assert status is not None
        assert status.equity == before["cash"]
    assert check_journal(path).ok


def test_a_market_no_actor_trades_settles_at_the_risk_actor(tmp_path: Path) -> None:
    """Run 1 holds YES in INFO. Run 2 trades only OTHER (INFO left the universe); the REST
    winner for INFO reaches the RiskActor directly and pays 1 per share."""
    clock = ManualClock(T0)
    path = tmp_path / "journal.sqlite3"
    with engine_on(path, clock, [INFO, OTHER]) as (engine, store):
        assert engine.resume("test").resumed
        cost = buy_yes(engine, store, clock, INFO)
    clock.advance(1_000)
    with engine_on(path, clock, [OTHER]) as (engine, store):
        assert engine.drain()
        assert risk_ledgers(store)[-1]["positions"] != {}
        won = Settlement(INFO.condition_id, INFO.yes_token, INFO.no_token, clock.now_ms())
        assert engine.settle(won)
        assert engine.settle(won)
        assert engine.drain()
        last = risk_ledgers(store)[-1]
        assert last["settled"] == {INFO.yes_token: SHARES}
        assert last["positions"] == {}
        assert last["cash"] == CASH - cost + SHARES
    assert check_journal(path).ok


def test_add_stop_quoting_and_retire_a_market_live(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    path = tmp_path / "journal.sqlite3"
    with engine_on(path, clock, [INFO]) as (engine, store):
        assert engine.resume("test").resumed
        assert engine.add_market(NEW)
        assert not engine.add_market(NEW)  # already live
        name = market_producer(NEW.condition_id)
        assert wait_for(lambda: name in engine.market_names() and engine.all_healthy())
        for snap in book_pair(NEW, 5000, clock.now_ms()):
            assert engine.feed(snap)
        assert engine.drain()
        digest = engine.digest(NEW.condition_id)
        assert digest is not None
        assert digest.resting == 0  # a new market comes up halted
        assert engine.open_market(NEW.condition_id)
        clock.advance(10)
        for snap in book_pair(NEW, 5000, clock.now_ms()):
            engine.feed(snap)
        assert engine.drain()
        digest = engine.digest(NEW.condition_id)
        assert digest is not None
        assert digest.resting > 0  # quoting after its gate opened
        assert engine.stop_quoting(NEW.condition_id, "market_closed")
        assert engine.drain()
        digest = engine.digest(NEW.condition_id)
        assert digest is not None
        assert digest.resting == 0
        engine.open_market(NEW.condition_id)  # a resume does not reopen a leaving market
        assert engine.drain()
        clock.advance(10)
        for snap in book_pair(NEW, 5000, clock.now_ms()):
            engine.feed(snap)
        assert engine.drain()
        digest = engine.digest(NEW.condition_id)
        assert digest is not None
        assert digest.resting == 0  # the gate stays shut for good
        rows = store.producer_records(name)
        canceled = [
            r.data()
            for r in rows
            if r.kind is RecordKind.ORDER_EVENT and r.data()["state"] == "canceled"
        ]
        assert canceled
        assert {c["reason"] for c in canceled} == {"market_closed"}
        assert engine.retire_market(NEW.condition_id)
        assert name not in engine.market_names()
        assert not engine.feed(book_pair(NEW, 5000, clock.now_ms())[0])
        assert engine.all_healthy()
    assert check_journal(path).ok


def test_rebuild_names_a_split_market_by_its_ledger_flag() -> None:
    """Both tokens of a 50/50 were paid (> 0): without `split_markets` that reads as two
    winners (refused); with it, one split settlement of the market's two held tokens."""
    market_of = {"y1": "m1", "n1": "m1", "y2": "m2"}
    settled = {"y1": 5, "n1": 2, "y2": 0}
    with pytest.raises(ValueError, match="two winning"):
        rebuild_settlements(settled, market_of, 9)
    rebuilt = rebuild_settlements(settled, market_of, 9, frozenset({"m1"}))
    assert rebuilt == [
        Settlement("m1", "n1", "y1", 9, split=True),
        Settlement("m2", UNHELD, "y2", 9),
    ]
