"""Markouts: the tracker's arithmetic, MarketState's records, the projection, the metric, the
report table and the v3 migration that makes room for them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from astra.actors.market_state import MarketConfig, MarketState
from astra.adapters.journal.migrations import migrate
from astra.adapters.journal.projections import project
from astra.app.fill_scenario import _NoQuotes
from astra.app.journal_metrics import publish_record
from astra.app.report_model import markout_rows
from astra.domain import metrics_port as mp
from astra.domain.events import BookSnapshot, LevelChange, PriceChange, Trade
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.markouts import MarkoutTracker
from astra.domain.metrics_port import CountingMetrics
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import Side, Tick
from astra.domain.trading import Fill, Liquidity, OrderIntent
from tests.actors.trading_support import Risk, Sink

S = 1_000_000
INFO = MarketInfo("0x" + "ef" * 32, "q", "Y", "N", Tick.T0_01, S)


def _fill(side: Side, price: int, ts: int = 0) -> Fill:
    return Fill("f1", "o1", INFO.condition_id, "Y", side, price, 10 * S, 0, Liquidity.MAKER, ts)


def test_markout_is_the_fill_marked_at_the_later_mid_signed_for_us() -> None:
    tracker = MarkoutTracker((1_000,))
    tracker.on_fill(_fill(Side.BUY, 4800))
    assert tracker.due(999, lambda _: 5000) == []
    (buy,) = tracker.due(1_000, lambda _: 5000)
    assert (buy.mid, buy.markout) == (5000, 200_000)  # +0.02 x 10 shares
    tracker.on_fill(_fill(Side.SELL, 4800))
    (sell,) = tracker.due(5_000, lambda _: 5000)
    assert sell.markout == -200_000  # sold at 0.48, worth 0.50: 0.20 against us
    tracker.on_fill(_fill(Side.BUY, 4800))
    (blind,) = tracker.due(5_000, lambda _: None)
    assert (blind.mid, blind.markout) == (None, None)  # no two-sided book: no markout, not 0
    assert tracker.pending == 0


class StampedSink(Sink):
    """Also keeps each record's timestamp."""

    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[tuple[RecordKind, int]] = []

    def emit(self, kind: RecordKind, ts_ms: int, payload: dict[str, Any]) -> None:
        super().emit(kind, ts_ms, payload)
        self.stamps.append((kind, ts_ms))


def _state(sink: Sink) -> MarketState:
    orders = OrderConfig(stale_ms=10**9, latency_mean_ms=0, latency_min_ms=100)
    config = MarketConfig(orders=orders, run_id="t")
    return MarketState(INFO, _NoQuotes(), sink, Risk(), config)


def _pc(ts: int, *changes: tuple[str, Side, int, int]) -> PriceChange:
    return PriceChange(INFO.condition_id, ts, tuple(LevelChange(*c) for c in changes), ts)


def test_market_state_journals_markouts_at_1s_10s_60s() -> None:
    """BUY 0.48 x10 fills at 1300 (mid 0.50). Mid in force at 2300: bid 0.48 pulled at 2000,
    (0.47 + 0.52) / 2 = 0.495 -> +0.015 x 10 = 0.15. At 11300 and 61300: the 0.52 ask went at
    5000, (0.47 + 0.53) / 2 = 0.50 -> +0.20. Each is journaled when the first event at or after
    its horizon arrives, stamped with the horizon's exact time."""
    sink = StampedSink()
    state = _state(sink)
    for token in INFO.tokens:
        snap = BookSnapshot(INFO.condition_id, token, 1000, ((4800, 100 * S), (4700, 50 * S)),
                            ((5200, 100 * S), (5300, 50 * S)), recv_ms=1000)  # fmt: skip
        state.on_event(snap, 1000)
    intent = OrderIntent(INFO.condition_id, "Y", Side.BUY, 4800, 10 * S, "maker", "t")
    state.journal_orders([state.orders.submit(intent, state.books.yes, 1100)])
    state.on_event(Trade(INFO.condition_id, "Y", 1300, 4700, 20 * S, Side.SELL, "t1"), 1300)
    state.on_event(_pc(2000, ("Y", Side.BUY, 4800, 0)), 2000)
    state.on_event(_pc(2400, ("Y", Side.BUY, 4600, S)), 2400)
    state.on_event(_pc(5000, ("Y", Side.SELL, 5200, 0)), 5000)
    state.on_event(_pc(20_000, ("Y", Side.BUY, 4600, 2 * S)), 20_000)
    state.sweep(61_300)  # the live tick resolves the 60 s horizon without an event
    assert len(sink.of(RecordKind.FILL)) == 1
    markouts = sink.of(RecordKind.MARKOUT)
    assert [(m["horizon_ms"], m["mid"], m["markout"]) for m in markouts] == [
        (1_000, 4950, 150_000), (10_000, 5000, 200_000), (60_000, 5000, 200_000),
    ]  # fmt: skip
    assert {m["strategy"] for m in markouts} == {"scenario"}
    stamped = [ts for kind, ts in sink.stamps if kind is RecordKind.MARKOUT]
    assert stamped == [2_300, 11_300, 61_300]


def _record(payload: dict[str, object], seq: int = 1) -> JournalRecord:
    return JournalRecord.build("market-x", seq, RecordKind.MARKOUT, 2_300, "m", payload)


PAYLOAD: dict[str, object] = {
    "fill_id": "o1-f1", "order_id": "o1", "asset_id": "Y", "side": "BUY", "price": 4800,
    "size": 10 * S, "fill_ts_ms": 1300, "strategy": "maker", "horizon_ms": 1000, "mid": 4950,
    "markout": 150_000,
}  # fmt: skip


def test_projection_metric_and_report_table() -> None:
    assert project(_record(PAYLOAD)) == (
        "market-x",
        1,
        2_300,
        "m",
        "o1-f1",
        "maker",
        1000,
        4950,
        150_000,
    )
    metrics = CountingMetrics()
    publish_record(metrics, _record(PAYLOAD))
    publish_record(metrics, _record({**PAYLOAD, "markout": -50_000}, 2))
    publish_record(metrics, _record({**PAYLOAD, "mid": None, "markout": None}, 3))
    for outcome in ("favourable", "adverse", "unknown"):
        assert metrics.counter(mp.FILL_MARKOUTS_TOTAL, {"horizon": "1s", "outcome": outcome}) == 1
    assert metrics.counter(mp.FILL_MARKOUT_ADVERSE_USD_TOTAL, {"horizon": "1s"}) == 0.05
    records = [
        _record(PAYLOAD),
        _record({**PAYLOAD, "markout": -50_000}, 2),
        _record({**PAYLOAD, "markout": None}, 3),
    ]
    (row,) = markout_rows(records)
    # maker, 1 s: 2 marked, 1 without a mid, total 0.15 - 0.05 = 0.10, mean 0.05, 50 % adverse
    assert (row.strategy, row.horizon_ms, row.marked, row.no_mid, row.total) == (
        "maker", 1_000, 2, 1, 100_000)  # fmt: skip
    assert (row.mean, row.adverse_share) == (50_000, 0.5)


INSERT = (
    "INSERT INTO records (producer, seq, kind, ts_ms, payload) VALUES ('p', {}, '{}', 6, '{{}}')"
)


def test_v3_migration_keeps_every_record_and_admits_markouts(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, str(path), target=2)
    conn.execute(
        "INSERT INTO records (id, producer, seq, kind, ts_ms, market, payload) "
        "VALUES (7, 'p', 1, 'fill', 5, 'm', '{}')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(INSERT.format(2, "markout"))
    assert migrate(conn, str(path)) == [3]
    assert conn.execute("SELECT id, producer, seq, kind FROM records").fetchall() == [
        (7, "p", 1, "fill")
    ]
    conn.execute(INSERT.format(2, "markout"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE records SET ts_ms = 0")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM records")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(INSERT.format(3, "nonsense"))
    conn.close()
