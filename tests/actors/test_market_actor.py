from __future__ import annotations

from pathlib import Path
from typing import Any

from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.market_records import mid_pips
from astra.actors.market_state import MarketConfig, MarketState
from astra.actors.messages import CancelAll
from astra.domain.events import Trade
from astra.domain.journal_record import RecordKind
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto, OrderReason
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.domain.verdict import Verdict

from .trading_support import Risk, Sink, feed_steps, records, small_engine, wait_for

INFO = synthetic_markets(1)[0]


def make(risk: Risk, config: MarketConfig | None = None) -> tuple[MarketState, Sink]:
    sink = Sink()
    config = config or MarketConfig(orders=OrderConfig(latency_mean_ms=0), require_contract=False)
    return MarketState(INFO, SimpleQuoter(), sink, risk, config, epoch=5), sink


def test_book_snapshot_places_quotes_through_the_gates() -> None:
    risk = Risk()
    state, sink = make(risk)
    for snap in book_pair(INFO, 5000, 1_000):
        state.on_event(snap, 1_000)
    # 4000..: YES bid 4900 -> quote 4800; NO bid 4900 -> quote 4800.
    assert [(i.asset_id, i.price) for i in risk.asked] == [
        (INFO.yes_token, 4800),
        (INFO.no_token, 4800),
    ]
    submitted = [p for p in sink.of(RecordKind.ORDER_EVENT) if p["reason"] == "submitted"]
    assert [p["order_id"] for p in submitted] == [
        f"{INFO.condition_id}-e5-1",
        f"{INFO.condition_id}-e5-2",
    ]
    decisions = sink.of(RecordKind.DECISION)
    assert decisions[-1]["action"] == "quote"
    assert [g["gate"] for g in decisions[-1]["gates"]] == ["definition", "ev", "risk"] * 2
    assert len(state.orders.open_orders()) == 2


def test_risk_veto_means_no_order_and_is_recorded() -> None:
    risk = Risk(Verdict.veto("risk", GateVeto.RISK_TIMEOUT, "no answer"))
    state, sink = make(risk)
    for snap in book_pair(INFO, 5000, 1_000):
        state.on_event(snap, 1_000)
    assert state.orders.open_orders() == []
    gates = sink.of(RecordKind.DECISION)[-1]["gates"]
    assert gates[-1] == {
        "gate": "risk",
        "passed": False,
        "reason": "risk_timeout",
        "detail": "no answer",
    }


def test_ev_gate_vetoes_thin_edge_before_risk_is_asked() -> None:
    risk = Risk()
    config = MarketConfig(
        orders=OrderConfig(latency_mean_ms=0), min_edge_pips=1_000, require_contract=False
    )
    state, sink = make(risk, config)
    for snap in book_pair(INFO, 5000, 1_000):
        state.on_event(snap, 1_000)
    assert risk.asked == []
    assert sink.of(RecordKind.DECISION)[-1]["gates"][1]["reason"] == "ev_below_threshold"


def test_trade_through_the_bid_fills_journals_then_reports() -> None:
    risk = Risk()
    state, sink = make(risk)
    for snap in book_pair(INFO, 5000, 1_000):
        state.on_event(snap, 1_000)
    trade = Trade(INFO.condition_id, INFO.yes_token, 1_001, 4700, 5_000_000, Side.SELL, "t1")
    state.on_event(trade, 1_001)
    assert len(risk.fills) == 1
    fill = sink.of(RecordKind.FILL)[0]
    assert fill["fill_id"] == risk.fills[0].fill_id
    assert (fill["price"], fill["size"]) == (4800, 5_000_000)
    assert fill["mid"] == 5000  # the YES book is 4900 / 5100 when the fill is recorded
    assert any(p["state"] == "filled" for p in sink.of(RecordKind.ORDER_EVENT))


def test_mid_pips_is_the_two_sided_mid_or_none() -> None:
    state, _ = make(Risk())
    assert mid_pips(state.books, INFO.yes_token) is None  # no book yet
    for snap in book_pair(INFO, 5001, 1_000):
        state.on_event(snap, 1_000)
    assert state.books.book(INFO.yes_token).touch() == (4901, 5101)
    assert mid_pips(state.books, INFO.yes_token) == 5001


def test_cancel_all_cancels_every_resting_order() -> None:
    state, sink = make(Risk())
    for snap in book_pair(INFO, 5000, 1_000):
        state.on_event(snap, 1_000)
    assert state.cancel_all(OrderReason.HALT, 1_002) == 2
    assert state.orders.open_orders() == []
    assert [p["reason"] for p in sink.of(RecordKind.ORDER_EVENT)[-2:]] == ["halt", "halt"]


def test_actor_comes_up_halted_and_quotes_only_after_resume(tmp_path: Path) -> None:
    with small_engine(tmp_path, markets=2) as (engine, store, stream):
        feed_steps(engine, stream, 10)
        assert engine.drain()
        assert not [
            r for r in records(store, RecordKind.ORDER_EVENT) if r.data()["reason"] == "submitted"
        ]
        assert engine.resume("test").resumed
        feed_steps(engine, stream, 20)
        assert engine.drain()
        submitted = [
            r for r in records(store, RecordKind.ORDER_EVENT) if r.data()["reason"] == "submitted"
        ]
        assert submitted
        name = engine.market_names()[0]
        engine.router.tell(name, CancelAll(OrderReason.OPERATOR_CANCEL))
        assert engine.drain()
        digest = engine.digest(name.removeprefix("market:"))
        assert digest is not None
        assert digest.resting == 0


def test_risk_unavailable_is_a_veto_not_a_crash(tmp_path: Path) -> None:
    import threading

    from astra.actors.runtime.runtime_messages import Stall

    with small_engine(tmp_path, markets=1) as (engine, store, stream):
        assert engine.resume("test").resumed
        release = threading.Event()
        ref = engine.registry.ref("risk")
        assert ref is not None
        ref.tell(Stall(release, max_s=2.0))
        feed_steps(engine, stream, 3)
        assert wait_for(
            lambda: any(
                g["reason"] == "risk_timeout"
                for r in engine_decisions(engine, store)
                for g in r["gates"]
            ),
            timeout_s=5.0,
        )
        release.set()
        assert engine.all_healthy()


def engine_decisions(engine: Any, store: Any) -> list[dict[str, Any]]:
    engine.flush()
    return [r.data() for r in records(store, RecordKind.DECISION)]
