"""Per-market P&L from the journal: fills and settlements, open positions at cost."""

from __future__ import annotations

from astra.actors.settlements import resolution_payload
from astra.app.funnel import funnel, pnl_by_market
from astra.app.report_model import build_report
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.trading import Settlement
from tests.adapters.journal import factories as f


def _resolution(seq: int, market: str, winner: str, loser: str) -> JournalRecord:
    payload = resolution_payload(Settlement(market, winner, loser, 2_000 + seq))
    return JournalRecord.build("m", seq, RecordKind.RISK_EVENT, 2_000 + seq, market, payload)


RECORDS = [
    # m1: buy 10 YES at 0.40 (fee 0.01), sell 4 at 0.50, then YES wins: 6 shares pay 6.00.
    f.fill("m", 1, "f1", "o1", price=4_000, size=10_000_000, fee=10_000),
    f.fill("m", 2, "f2", "o2", side="SELL", price=5_000, size=4_000_000),
    _resolution(3, "m1", f.YES, "no-token"),
    # m2: 5 shares bought at 0.20 and still open: worth their cost.
    f.fill("m", 4, "f3", "o3", price=2_000, size=5_000_000, asset_id="z", market="m2"),
    # m3 resolved without ever trading: no bar.
    _resolution(5, "m3", "a", "b"),
]


def test_pnl_by_market_counts_settlements_and_open_positions_at_cost() -> None:
    # -4.00 - 0.01 + 2.00 + 6.00 = 3.99 for m1; m2 is at cost.
    assert pnl_by_market(RECORDS) == {"m1": 3_990_000, "m2": 0}


def test_markets_add_up_to_the_strategies_pnl() -> None:
    strategies = funnel(RECORDS)
    total = sum(float(s["pnl"]["pnl_at_cost_usd"]) for s in strategies.values())
    assert total == sum(pnl_by_market(RECORDS).values()) / 1_000_000


def test_report_labels_markets_and_sorts_them_worst_first() -> None:
    model = build_report(RECORDS, "t")
    # Without a manifest the markets keep their ids; m2 (0.00) is worse than m1 (3.99).
    assert model.market_pnl == [("m2", 0), ("m1", 3_990_000)]
