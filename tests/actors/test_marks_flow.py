"""Marks: markets send their tokens' marks (`astra.domain.marking`: a long at its best bid) to
the RiskActor (throttled, on every fill and on every falling mark), so the loss halts react
to unrealised P&L, not only to fills."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.engine import Engine
from astra.actors.market_inputs import MarketInputs, TokenPositions
from astra.actors.market_state import MarketConfig, MarketState
from astra.actors.risk_book import DomainRiskBook, MarkedRiskBook
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.events import Trade
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import Side
from astra.domain.reasons import HaltReason
from astra.domain.risk_limits import RiskLimits
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.domain.trading import Fill, Liquidity

from .trading_support import NoBooks, Risk, Sink, records, running

INFO = synthetic_markets(1)[0]
T0 = 1_700_000_000_000
SHARES = 5_000_000  # SimpleQuoter's size


def state_with(risk: Risk) -> MarketState:
    config = MarketConfig(
        orders=OrderConfig(latency_mean_ms=0), marks_interval_ms=1_000, require_contract=False
    )
    inputs = MarketInputs(marks=risk)
    return MarketState(INFO, SimpleQuoter(), Sink(), risk, config, epoch=1, inputs=inputs)


def sell_through(ts_ms: int, trade_id: str) -> Trade:
    return Trade(INFO.condition_id, INFO.yes_token, ts_ms, 4700, SHARES, Side.SELL, trade_id)


def test_marks_go_out_on_every_fill_then_throttled_in_event_time() -> None:
    risk = Risk()
    state = state_with(risk)
    for snap in book_pair(INFO, 5000, T0):
        state.on_event(snap, T0)
    assert risk.marks == []  # flat: marks cannot move equity, so none are sent
    state.on_event(sell_through(T0 + 1, "t1"), T0 + 1)
    assert len(risk.fills) == 1
    assert state.positions.held(INFO.yes_token) == SHARES
    # Best bids: YES 0.49 (mid 0.50 less a tick), NO 1 - 0.51 = 0.49.
    assert risk.marks == [(((INFO.yes_token, 4900), (INFO.no_token, 4900)), T0 + 1)]
    for snap in book_pair(INFO, 5200, T0 + 500):
        state.on_event(snap, T0 + 500)  # inside the interval, the held mark rises: throttled
    assert len(risk.marks) == 1
    state.on_event(book_pair(INFO, 5400, T0 + 1_001)[0], T0 + 1_001)
    assert risk.marks[-1] == (((INFO.yes_token, 5300), (INFO.no_token, 4700)), T0 + 1_001)
    state.on_event(sell_through(T0 + 1_002, "t2"), T0 + 1_002)  # a fill forces a report
    assert len(risk.fills) == 2
    assert [at for _, at in risk.marks] == [T0 + 1, T0 + 1_001, T0 + 1_002]


def test_positions_count_a_fill_once_and_replay_from_journaled_fills() -> None:
    positions = TokenPositions(INFO.tokens)
    fill = Fill(
        "f1",
        "o1",
        INFO.condition_id,
        INFO.yes_token,
        Side.BUY,
        4800,
        SHARES,
        0,
        Liquidity.MAKER,
        T0,
    )
    assert positions.on_fill(fill)
    assert not positions.on_fill(fill)
    payload = {"fill_id": "f2", "asset_id": INFO.yes_token, "side": "SELL", "size": 2_000_000}
    rows = [
        JournalRecord.build("market:x", 1, RecordKind.FILL, T0, INFO.condition_id, payload),
        JournalRecord.build("market:x", 1, RecordKind.FILL, T0, INFO.condition_id, payload),
    ]
    assert positions.replay(rows) == 1
    assert positions.held(INFO.yes_token) == SHARES - 2_000_000
    assert positions.held(INFO.no_token) == 0


def test_domain_risk_book_halts_on_a_marked_loss() -> None:
    book = DomainRiskBook(RiskLimits(cooldown_ms=0), 10_000_000, T0)
    assert isinstance(book, MarkedRiskBook)
    fill = Fill("f1", "o1", "m", "yes", Side.BUY, 5000, 4_000_000, 0, Liquidity.MAKER, T0)
    assert book.apply_fill(fill, T0) is None
    assert book.equity() == 10_000_000
    assert book.apply_marks({"yes": 3000}, T0 + 1) is HaltReason.DAILY_LOSS
    assert book.equity() == 9_200_000
    assert book.is_halted()


@contextmanager
def marked_engine(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[Engine, JournalStore]]:
    limits = RiskLimits(
        cooldown_ms=0,
        max_orders_per_window=1_000_000,
        market_cap_frac=1.0,
        default_category_cap_frac=1.0,
    )
    config = replace(
        chaos_engine_config(),
        watchdog=None,
        flush_interval_s=None,
        # 17 collateral: a 5-share position is a large exposure, and every market's resting
        # quotes still fit under the category cap (resting orders count against it).
        initial_cash=17_000_000,
        risk_limits=limits,
    )
    store = JournalStore.open(tmp_path / "journal.sqlite3", synchronous="NORMAL")
    infos = synthetic_markets(3)
    engine = Engine(infos, store, NoBooks(), clock=clock, metrics=CountingMetrics(), config=config)
    with running(engine, store):
        yield engine, store


def test_unrealised_loss_from_marks_halts_and_every_market_cancels(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    with marked_engine(tmp_path, clock) as (engine, store):
        assert engine.resume("test").resumed
        infos = synthetic_markets(3)
        for info in infos:
            for snap in book_pair(info, 5000, clock.now_ms()):
                engine.feed(snap)
        assert engine.drain()
        clock.advance(10)
        info = infos[0]
        engine.feed(
            Trade(info.condition_id, info.yes_token, clock.now_ms(), 4700, SHARES, Side.SELL, "t1")
        )
        assert engine.drain()
        status = engine.risk_status()
        assert status is not None
        assert (status.state, status.fills_applied) == ("active", 1)
        # Bought 5 at 0.48, marked at the 0.49 best bid on the fill: +0.05 unrealised.
        assert status.equity == 17_050_000
        assert engine.equity.read() == 17_050_000

        clock.advance(2_000)  # past the marks interval: the next book change reports mids
        engine.feed(book_pair(info, 3000, clock.now_ms())[0])  # YES falls to a 0.29 bid
        assert engine.drain()

        status = engine.risk_status()
        assert status is not None
        assert (status.state, status.halt_reason) == ("halted", HaltReason.DAILY_LOSS.value)
        # The new book's asks (about 0.31) cross the still-resting YES bid at 0.48: a real
        # seller would have hit it, so 5 more fill at 0.48 (fill on cross). Both lots are
        # marked at the 0.29 bid (what they could be sold for): cash 17 - 2 x 2.40 = 12.20
        # plus 10 x 0.29 = 2.90 gives 15.10, 11.2% below the day's start (past 5%).
        assert status.fills_applied == 2
        assert status.equity == 15_100_000
        halts = [r.data() for r in records(store, RecordKind.HALT)]
        assert halts[-1]["reason"] == "daily_loss"
        assert "marks of " + info.condition_id in halts[-1]["detail"]
        assert_every_market_canceled(engine, store, infos)


def assert_every_market_canceled(
    engine: Engine, store: JournalStore, infos: Sequence[MarketInfo]
) -> None:
    for market in infos:
        digest = engine.digest(market.condition_id)
        assert digest is not None
        assert digest.resting == 0
        own = store.producer_records(f"market:{market.condition_id}")
        gate = [r.data() for r in own if r.kind is RecordKind.RISK_EVENT]
        assert gate[-1] == {"state": "halted", "reason": "halt", "detail": "market"}
        reasons = [r.data()["reason"] for r in own if r.kind is RecordKind.ORDER_EVENT]
        assert "halt" in reasons  # its resting quotes were canceled by the halt
