"""Settlement: a resolved market reports its settlement, the RiskActor pays it out once, the
payout is journaled in the LEDGER's `settled`, and a restarted engine re-applies it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.engine import Engine
from astra.actors.market_inputs import TokenPositions
from astra.actors.settlements import (
    UNHELD,
    rebuild_settlements,
    resolution_payload,
    settlement_of,
)
from astra.adapters.journal.check import check_journal
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.events import MarketResolved, Trade
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import CountingMetrics
from astra.domain.prices import Side
from astra.domain.risk_limits import RiskLimits
from astra.domain.trading import Settlement

from .trading_support import NoBooks, records, running

INFOS = synthetic_markets(2)
INFO = INFOS[0]
T0 = 1_700_000_000_000
SHARES = 5_000_000  # SimpleQuoter's size
CASH = 10_000_000_000


@contextmanager
def engine_on(path: Path, clock: ManualClock) -> Iterator[tuple[Engine, JournalStore]]:
    limits = RiskLimits(cooldown_ms=0, max_orders_per_window=1_000_000)
    config = replace(
        chaos_engine_config(),
        watchdog=None,
        flush_interval_s=None,
        initial_cash=CASH,
        risk_limits=limits,
    )
    store = JournalStore.open(path, synchronous="NORMAL")
    engine = Engine(INFOS, store, NoBooks(), clock=clock, metrics=CountingMetrics(), config=config)
    with running(engine, store):
        yield engine, store


def risk_ledgers(store: JournalStore) -> list[dict[str, object]]:
    return [r.data() for r in records(store, RecordKind.LEDGER) if r.producer == "risk"]


def buy_then_resolve(engine: Engine, clock: ManualClock, winner: str) -> None:
    assert engine.resume("test").resumed
    for snap in book_pair(INFO, 5000, clock.now_ms()):
        engine.feed(snap)
    assert engine.drain()
    clock.advance(10)
    trade = Trade(INFO.condition_id, INFO.yes_token, clock.now_ms(), 4700, SHARES, Side.SELL, "t1")
    engine.feed(trade)
    assert engine.drain()
    clock.advance(10)
    engine.feed(MarketResolved(INFO.condition_id, clock.now_ms(), winner, INFO.tokens))
    assert engine.drain()


def test_resolution_settles_once_journals_the_payout_and_closes_positions(
    tmp_path: Path,
) -> None:
    clock = ManualClock(T0)
    path = tmp_path / "journal.sqlite3"
    with engine_on(path, clock) as (engine, store):
        buy_then_resolve(engine, clock, INFO.yes_token)
        fills = [r.data() for r in records(store, RecordKind.FILL)]
        assert [(f["asset_id"], f["side"], f["size"]) for f in fills] == [
            (INFO.yes_token, "BUY", SHARES)
        ]
        cost = fills[0]["price"] * SHARES // 10_000
        last = risk_ledgers(store)[-1]
        assert last["settled"] == {INFO.yes_token: SHARES}  # 5 shares pay 1 each
        assert last["positions"] == {}
        assert last["realised"] == SHARES - cost
        assert last["cash"] == CASH - cost + SHARES
        # The market's own view: journaled resolution, nothing resting, positions closed.
        market_rows = store.producer_records(f"market:{INFO.condition_id}")
        resolved = [r.data() for r in market_rows if r.kind is RecordKind.RISK_EVENT]
        assert resolved[-1]["reason"] == "market_resolved"
        assert resolved[-1]["snapshot"]["winning_asset_id"] == INFO.yes_token
        digest = engine.digest(INFO.condition_id)
        assert digest is not None
        assert digest.resting == 0

        # A resent resolution settles nothing again.
        ledgers = len(risk_ledgers(store))
        engine.feed(MarketResolved(INFO.condition_id, clock.now_ms(), INFO.yes_token, INFO.tokens))
        assert engine.drain()
        assert len(risk_ledgers(store)) == ledgers
        status = engine.risk_status()
        assert status is not None
        assert status.equity == CASH - cost + SHARES
    assert check_journal(path).ok


def test_a_restarted_engine_reapplies_settlements_without_paying_twice(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    path = tmp_path / "journal.sqlite3"
    with engine_on(path, clock) as (engine, store):
        buy_then_resolve(engine, clock, INFO.no_token)  # we held YES: it pays nothing
        before = risk_ledgers(store)[-1]
        assert before["settled"] == {INFO.yes_token: 0}
        assert before["realised"] < 0
    clock.advance(1_000)
    with engine_on(path, clock) as (engine, store):
        assert engine.drain()
        after = risk_ledgers(store)[-1]
        for key in ("cash", "realised", "settled", "positions", "fills"):
            assert after[key] == before[key], key
        status = engine.risk_status()
        assert status is not None
        assert status.equity == before["cash"]
        # The resolved market stays resolved: its gate does not reopen on resume.
        assert engine.resume("test").resumed
        for snap in book_pair(INFO, 5000, clock.now_ms()):
            engine.feed(snap)
        assert engine.drain()
        digest = engine.digest(INFO.condition_id)
        assert digest is not None
        assert digest.resting == 0
    assert check_journal(path).ok


def test_rebuild_settlements_names_winner_and_loser_from_payouts() -> None:
    market_of = {"y1": "m1", "n1": "m1", "y2": "m2"}
    rebuilt = rebuild_settlements({"y1": 7, "n1": 0, "y2": 0}, market_of, 5)
    assert rebuilt == [Settlement("m1", "y1", "n1", 5), Settlement("m2", UNHELD, "y2", 5)]
    with pytest.raises(ValueError, match="no journaled fill"):
        rebuild_settlements({"zz": 1}, market_of, 5)
    with pytest.raises(ValueError, match="two winning"):
        rebuild_settlements({"y1": 1, "n1": 2}, market_of, 5)


def test_positions_replay_closes_at_a_journaled_resolution() -> None:
    settlement = settlement_of(
        INFO, MarketResolved(INFO.condition_id, T0, INFO.no_token, INFO.tokens)
    )
    assert settlement == Settlement(INFO.condition_id, INFO.no_token, INFO.yes_token, T0)
    other = MarketResolved(INFOS[1].condition_id, T0, INFOS[1].yes_token, INFOS[1].tokens)
    assert settlement_of(INFO, other) is None
    fill = {"fill_id": "f1", "asset_id": INFO.yes_token, "side": "BUY", "size": SHARES}
    rows = [
        JournalRecord.build("market:x", 1, RecordKind.FILL, T0, INFO.condition_id, fill),
        JournalRecord.build(
            "market:x", 2, RecordKind.RISK_EVENT, T0, INFO.condition_id,
            resolution_payload(settlement),
        ),
    ]  # fmt: skip
    positions = TokenPositions(INFO.tokens)
    assert positions.replay(rows[:1]) == 1
    assert not positions.flat()
    positions = TokenPositions(INFO.tokens)
    assert positions.replay(rows) == 1
    assert positions.flat()
