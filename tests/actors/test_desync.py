"""Desync after a feed reconnect: `Engine.desync` makes the owning market drop those books,
cancel its resting orders (`feed_desync`) and withdraw (`book_not_synced`) until the next
`book` snapshot; other markets are untouched."""

from __future__ import annotations

from pathlib import Path

from astra.actors.chaos.synthetic import book_pair
from astra.actors.engine import Engine
from astra.actors.market_inputs import MarketInputs
from astra.actors.market_state import MarketConfig, MarketState
from astra.domain.clock import ManualClock
from astra.domain.events import LevelChange, PriceChange
from astra.domain.journal_record import RecordKind
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import Side
from astra.domain.strategies.simple_quoter import SimpleQuoter

from .test_settlement_flow import INFO, INFOS, T0, engine_on
from .trading_support import Risk, Sink, records


def resting(engine: Engine, market: str) -> int:
    digest = engine.digest(market)
    assert digest is not None
    return int(digest.resting)


def test_engine_desync_cancels_withdraws_and_resyncs_on_the_next_snapshot(
    tmp_path: Path,
) -> None:
    clock = ManualClock(T0)
    with engine_on(tmp_path / "journal.sqlite3", clock) as (engine, store):
        assert engine.resume("test").resumed
        for info in INFOS:
            for snap in book_pair(info, 5000, clock.now_ms()):
                engine.feed(snap)
        assert engine.drain()
        assert resting(engine, INFO.condition_id) == 2
        other = INFOS[1].condition_id
        other_digest = engine.digest(other)

        clock.advance(5)
        assert engine.desync([INFO.yes_token, "not-ours"]) == 1
        assert engine.drain()
        assert resting(engine, INFO.condition_id) == 0
        canceled = [
            r.data()
            for r in records(store, RecordKind.ORDER_EVENT)
            if r.data()["reason"] == "feed_desync"
        ]
        assert len(canceled) == 2
        assert {c["state"] for c in canceled} == {"canceled"}
        decisions = [
            r.data() for r in records(store, RecordKind.DECISION) if r.market == INFO.condition_id
        ]
        assert decisions[-1]["action"] in {"skip", "withdraw"}  # no quote wanted
        assert decisions[-1]["veto"] == "book_not_synced"
        assert engine.digest(other) == other_digest  # the other market kept its orders

        # A delta before the snapshot is ignored; the snapshot resyncs and quoting resumes.
        clock.advance(5)
        delta = PriceChange(
            INFO.condition_id, clock.now_ms(), (LevelChange(INFO.yes_token, Side.BUY, 4900, 1),)
        )
        engine.feed(delta)
        assert engine.drain()
        assert resting(engine, INFO.condition_id) == 0
        engine.feed(book_pair(INFO, 5000, clock.now_ms())[0])
        assert engine.drain()
        assert resting(engine, INFO.condition_id) == 2


def test_state_desync_ignores_foreign_assets() -> None:
    risk = Risk()
    config = MarketConfig(orders=OrderConfig(latency_mean_ms=0), require_contract=False)
    state = MarketState(INFO, SimpleQuoter(), Sink(), risk, config, epoch=1, inputs=MarketInputs())
    for snap in book_pair(INFO, 5000, T0):
        state.on_event(snap, T0)
    assert len(state.orders.open_orders()) == 2
    assert state.desync(["elsewhere"], T0 + 1) == 0
    assert state.books.yes.synced
    assert state.desync([INFO.no_token], T0 + 1) == 2
    assert not state.books.no.synced
    assert state.books.yes.synced
    assert state.orders.open_orders() == []
