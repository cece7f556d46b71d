"""Property: no order is ever submitted without a contract hash in its decision.

A MarketState with the default config (contracts required) is driven by random books and
trades, with or without a contract, with a cutoff that may fall inside the run. Every
submitted order is journaled before the decision that placed it, so each `submitted` order
event must be followed by a decision whose `definition_hash` is set and whose definition
gate passed; without a contract, or past the cutoff, no order is submitted at all and every
decision is a SKIP that names why.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from astra.actors.market_state import MarketConfig, MarketState
from astra.domain.contracts.contract import EventOpsContract
from astra.domain.events import BookSnapshot, Trade
from astra.domain.journal_record import RecordKind
from astra.domain.market import MarketInfo
from astra.domain.prices import SIZE_SCALE, Side, Tick
from astra.domain.strategies.simple_quoter import SimpleQuoter
from tests.actors.trading_support import Risk, Sink

INFO = MarketInfo(
    condition_id="0x" + "ef" * 32,
    question="Will X happen?",
    yes_token="101",
    no_token="102",
    tick=Tick.T0_01,
    min_size=5 * SIZE_SCALE,
)
T0 = 1_780_000_000_000


def _contract(cutoff_ms: int) -> EventOpsContract:
    return EventOpsContract(
        market_id=INFO.condition_id,
        cutoff_ms=cutoff_ms,
        event="X happens",
        early_resolution=False,
        resolution_source="the official record",
        finality="official_announcement",
    )


_step = st.tuples(
    st.integers(1, 5_000),  # ms since the previous event
    st.sampled_from(["book", "trade"]),
    st.integers(20, 80),  # YES mid, cents
    st.booleans(),  # trade aggressor buys
)


@settings(max_examples=60, deadline=None)
@given(
    has_contract=st.booleans(),
    cutoff_after_ms=st.integers(0, 60_000),
    steps=st.lists(_step, min_size=1, max_size=25),
)
def test_no_order_without_a_contract_hash(
    has_contract: bool, cutoff_after_ms: int, steps: list[tuple[int, str, int, bool]]
) -> None:
    contract = _contract(T0 + cutoff_after_ms) if has_contract else None
    journal = Sink()
    state = MarketState(
        INFO,
        SimpleQuoter(),
        journal,
        Risk(),
        MarketConfig(),
        contract=contract,
        contract_reason="" if has_contract else "no_end_date: Gamma gives no endDate",
    )
    now = T0
    for n, (gap, kind, mid, buys) in enumerate(steps):
        now += gap
        bid, ask = mid * 100 - 100, mid * 100 + 100
        if kind == "book":
            for asset, b, a in (
                (INFO.yes_token, bid, ask),
                (INFO.no_token, 10_000 - ask, 10_000 - bid),
            ):
                levels_b = ((b, 100 * SIZE_SCALE),)
                levels_a = ((a, 100 * SIZE_SCALE),)
                state.on_event(
                    BookSnapshot(
                        INFO.condition_id, asset, now, levels_b, levels_a, tick=Tick.T0_01
                    ),
                    now,
                )
        else:
            side = Side.BUY if buys else Side.SELL
            price = ask if buys else bid
            state.on_event(
                Trade(
                    INFO.condition_id, INFO.yes_token, now, price, 50 * SIZE_SCALE, side, f"t{n}"
                ),
                now,
            )
    _check_journal(journal)
    submitted = [
        p for k, p in journal.rows if k is RecordKind.ORDER_EVENT and p["reason"] == "submitted"
    ]
    if contract is None:
        assert submitted == []


def _check_journal(journal: Sink) -> None:
    """Each submit is followed by a decision with a hash whose gate passed; a decision
    without a hash, or whose gate vetoed, is a SKIP that names why."""
    pending_submit = False
    for kind, payload in journal.rows:
        if kind is RecordKind.ORDER_EVENT and payload["reason"] == "submitted":
            pending_submit = True
        elif kind is RecordKind.DECISION:
            if pending_submit:
                assert payload["definition_hash"] is not None
                assert payload["definition"]["passed"] is True
                pending_submit = False
            if payload["definition_hash"] is None:
                assert payload["action"] == "skip"
                assert payload["veto"] == "no_contract"
                assert payload["definition"]["detail"].startswith("no_end_date")
            elif not payload["definition"]["passed"]:
                assert payload["action"] == "skip"
                assert payload["veto"] == "market_closed"
    assert not pending_submit
