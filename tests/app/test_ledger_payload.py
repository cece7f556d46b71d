"""The RiskActor's LEDGER payload carries what the journal needs to recompute the ledger
(opening cash, distinct fills, settlements), and a MarketActor's own gate records are not
the trading state when a restart reads the journal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from astra.actors.risk_book import DomainRiskBook, MarkedRiskBook
from astra.adapters.journal.recovery import last_risk_state, recompute_ledger
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.prices import Side
from astra.domain.risk_limits import RiskLimits
from astra.domain.trading import Fill, Liquidity, Settlement

CASH = 1_000_000_000  # 1,000 collateral


def _fill(fill_id: str, asset: str, side: Side, price: int, size: int, fee: int = 0) -> Fill:
    return Fill(fill_id, f"o-{fill_id}", "m1", asset, side, price, size, fee, Liquidity.MAKER, 5)


def _book() -> DomainRiskBook:
    return DomainRiskBook(RiskLimits(), CASH, 0)


def test_payload_counts_distinct_fills_and_recomputes_with_settlement() -> None:
    book = _book()
    fills = [
        _fill("f1", "yes", Side.BUY, 4_000, 10_000_000, fee=120),
        _fill("f2", "no", Side.BUY, 5_500, 4_000_000),
        _fill("f3", "yes", Side.SELL, 6_000, 3_000_000, fee=-30),
    ]
    for fill in [*fills, fills[0]]:  # a fill delivered twice counts once
        book.apply_fill(fill, 10)
    before = book.ledger_payload()
    assert (before["opening_cash"], before["fills"], before["settled"]) == (CASH, 3, {})
    # f2 completed 4 YES+NO pairs: they merged into 4 collateral at once.
    assert before["merged"] == {"m1": 4_000_000}

    cash = before["cash"]
    assert book.settle(Settlement("m1", "yes", "no", 20), 20) is None
    payload = book.ledger_payload()
    assert book.settle(Settlement("m1", "yes", "no", 30), 30) is None
    assert book.ledger_payload() == payload  # settling twice changes nothing
    # 3 YES shares pay 1 each (the 4 NO shares merged away with 4 YES before)
    assert payload["settled"] == {"yes": 3_000_000}
    assert payload["cash"] == cash + 3_000_000
    assert payload["positions"] == {}
    # YES 10 cost 4.0; the merge pays 4 for 4 YES (1.6) + 4 NO (2.2): +0.2; 6 YES cost 2.4
    # left, 3 sold at 0.60 (+1.8 - 1.2 = 0.6); 3 settle at 1 for 1.2: +1.8.  Total 2.6, as
    # without the merge: merging moves P&L earlier, never changes it.
    assert payload["realised"] == 2_600_000
    totals = recompute_ledger(fills, payload["opening_cash"], payload["settled"], payload["merged"])
    assert (totals.cash, totals.fees, totals.sizes) == (payload["cash"], payload["fees"], {})


def test_book_marks_and_settlement_move_equity_and_the_payload() -> None:
    book = _book()
    assert isinstance(book, MarkedRiskBook)
    book.apply_fill(_fill("f1", "yes", Side.BUY, 5_000, 10_000_000), 10)
    assert book.apply_marks({"yes": 4_000}, 11) is None
    assert book.equity() == CASH - 5_000_000 + 4_000_000
    assert book.settle(Settlement("m1", "no", "yes", 20), 20) is None
    assert book.ledger_payload()["settled"] == {"yes": 0}
    assert book.equity() == CASH - 5_000_000


def _state(producer: str, seq: int, kind: RecordKind, state: str, reason: str) -> JournalRecord:
    payload = {"state": state, "reason": reason, "detail": "test"}
    return JournalRecord.build(producer, seq, kind, 1_000 + seq, None, payload)


def test_market_gate_records_do_not_count_as_the_trading_state() -> None:
    resumed = _state("risk", 2, RecordKind.RISK_EVENT, "active", "resume")
    market_restart = _state("market:m1", 7, RecordKind.RISK_EVENT, "halted", "restart")
    state = last_risk_state([_state("risk", 1, RecordKind.HALT, "HALTED", "startup"), resumed])
    assert state is not None
    assert not state.halted
    after = last_risk_state([resumed, market_restart])
    assert after is not None
    assert not after.halted
    assert after.reason == "resume"
    assert last_risk_state([market_restart]) is None
    halted = _state("supervision", 1, RecordKind.HALT, "HALTED", "actor_failure")
    last = last_risk_state([resumed, halted, market_restart])
    assert last is not None
    assert last.halted
    assert last.reason == "actor_failure"


@given(
    st.lists(
        st.tuples(st.sampled_from(["yes", "no"]), st.integers(1, 9_999), st.integers(1, 10**7)),
        min_size=1,
        max_size=8,
    ),
    st.dictionaries(st.sampled_from(["yes", "no"]), st.integers(0, 10_000)),
)
def test_the_equity_record_is_cash_plus_marked_value_and_the_ledger_identity(
    buys: list[tuple[str, int, int]], marks: dict[str, int]
) -> None:
    book = DomainRiskBook(RiskLimits(market_cap_frac=1.0), CASH, 0)
    for n, (asset, price, size) in enumerate(buys):
        book.apply_fill(_fill(f"f{n}", asset, Side.BUY, price, size, fee=n), 1)
    book.apply_marks(marks, 2)
    p = book.ledger_payload()
    cost = sum(pos["cost"] for pos in p["positions"].values())
    assert p["equity"] == p["cash"] + p["marked_value"] == book.equity()
    assert p["unrealised"] == p["marked_value"] - cost
    assert p["equity"] == p["opening_cash"] + p["realised"] - p["fees"] + p["unrealised"]
    held = {a for a in p["positions"]}
    assert p["risk"]["marks"] == {a: m for a, m in sorted(marks.items()) if a in held}
    assert p["risk"]["daily_pnl"] == p["equity"] - p["risk"]["day_start_equity"]
