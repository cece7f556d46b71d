"""A market past its contract's trading cutoff stops quoting: what rests is canceled
(`definition_veto`) and every later decision is a SKIP `market_closed`; a market without a
contract journals its builder's reason."""

from __future__ import annotations

from astra.actors.market_state import MarketConfig, MarketState
from astra.domain.events import BookSnapshot
from astra.domain.journal_record import RecordKind
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import SIZE_SCALE, Tick
from astra.domain.strategies.simple_quoter import SimpleQuoter
from tests.actors.test_contract_required_property import INFO, T0, _contract
from tests.actors.trading_support import Risk, Sink


def _books(state: MarketState, now: int) -> None:
    for asset, bid, ask in ((INFO.yes_token, 4_900, 5_100), (INFO.no_token, 4_900, 5_100)):
        snap = BookSnapshot(
            INFO.condition_id,
            asset,
            now,
            ((bid, 100 * SIZE_SCALE),),
            ((ask, 100 * SIZE_SCALE),),
            tick=Tick.T0_01,
        )
        state.on_event(snap, now)


def test_past_the_cutoff_resting_orders_are_canceled_and_quoting_stops() -> None:
    journal = Sink()
    config = MarketConfig(orders=OrderConfig(latency_mean_ms=0))
    state = MarketState(
        INFO, SimpleQuoter(), journal, Risk(), config, contract=_contract(T0 + 10_000)
    )
    _books(state, T0)
    assert state.orders.open_orders()
    first = journal.of(RecordKind.DECISION)[-1]
    assert first["action"] == "quote"
    assert first["definition_hash"] is not None
    _books(state, T0 + 10_000)
    assert state.orders.open_orders() == []
    reasons = {p["reason"] for p in journal.of(RecordKind.ORDER_EVENT) if p["state"] == "canceled"}
    assert reasons == {"definition_veto"}
    last = journal.of(RecordKind.DECISION)[-1]
    assert (last["action"], last["veto"]) == ("skip", "market_closed")


def test_without_a_contract_the_builders_reason_is_in_every_decision() -> None:
    journal = Sink()
    state = MarketState(
        INFO,
        SimpleQuoter(),
        journal,
        Risk(),
        MarketConfig(),
        contract_reason="multi_outcome: open question 'Who wins?'",
    )
    _books(state, T0)
    decisions = journal.of(RecordKind.DECISION)
    assert decisions
    assert all(d["action"] == "skip" for d in decisions)
    assert {d["definition"]["detail"] for d in decisions} == {
        "multi_outcome: open question 'Who wins?'"
    }
    assert journal.of(RecordKind.ORDER_EVENT) == []
