"""Recovery readers: rebuild orders, fills, ledger, risk state and sequences from the journal."""

from __future__ import annotations

from pathlib import Path

from astra.adapters.journal.recovery import (
    RECOVERY_KINDS,
    duplicate_fill_ids,
    fills,
    fills_by_market,
    last_ledger,
    last_risk_state,
    latest_orders,
    open_orders,
    recompute_ledger,
    recover,
    restart_cancel_payload,
    sequence_numbers,
)
from astra.adapters.journal.store import JournalStore
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.prices import Side
from tests.adapters.journal import factories as f


def _committed(tmp_path: Path, records: list[JournalRecord]) -> list[JournalRecord]:
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        store.write_batch(records)
        return [s.record for s in store.records_since(kinds=RECOVERY_KINDS)]


def test_open_orders_are_the_latest_non_terminal_states(tmp_path: Path) -> None:
    records = _committed(
        tmp_path,
        [
            f.order_event("market:m1", 1, "o1", state="open"),
            f.order_event("market:m1", 2, "o2", state="open"),
            f.order_event("market:m1", 3, "o1", state="canceled", reason="ttl_expired"),
            f.order_event("market:m1", 4, "o2", state="partially_filled", filled=5),
        ],
    )
    assert {k: v.state for k, v in latest_orders(records).items()} == {
        "o1": "canceled",
        "o2": "partially_filled",
    }
    resting = open_orders(records)
    assert list(resting) == ["o2"]
    cancel = restart_cancel_payload(resting["o2"])
    assert (cancel["state"], cancel["reason"], cancel["filled"]) == ("canceled", "restart", 5)


def test_fills_grouped_and_duplicates_named(tmp_path: Path) -> None:
    records = _committed(
        tmp_path,
        [
            f.fill("market:m1", 1, "f1", "o1"),
            f.fill("market:m2", 1, "f2", "o2", market="m2", asset_id="no-token", side="SELL"),
            f.fill("market:m1", 2, "f1", "o1"),  # a re-emitted fill under a new seq
        ],
    )
    grouped = fills_by_market(records)
    assert [x.fill_id for x in grouped["m1"][f.YES]] == ["f1", "f1"]
    assert grouped["m2"]["no-token"][0].side is Side.SELL
    assert duplicate_fill_ids(fills(records)) == ["f1"]


def test_defect_cash_reset_on_restart(tmp_path: Path) -> None:
    """B-2: the original reset cash to the bankroll on every start; here it is rebuilt."""
    path = tmp_path / "j.sqlite3"
    session = f.healthy_session()
    with JournalStore.open(path) as store:
        store.write_batch(session)
    with JournalStore.open(path) as store:  # the "restart"
        state = recover(s.record for s in store.records_since(kinds=RECOVERY_KINDS))
        seqs = store.max_seqs()
    assert state.ledger is not None
    assert state.ledger.cash == f.healthy_session()[8].data()["cash"]
    assert state.ledger.cash < f.OPENING_CASH
    totals = recompute_ledger(state.fills, state.ledger.opening_cash, state.ledger.settled)
    assert (totals.cash, totals.fees, totals.sizes) == (
        state.ledger.cash,
        state.ledger.fees,
        state.ledger.sizes(),
    )
    assert state.open_orders == {}
    assert seqs == {"market:m1": 6, "risk": 5, "supervisor": 1}
    assert state.seqs["market:m1"] == 6


def test_halt_survives_restart_until_a_later_resume(tmp_path: Path) -> None:
    halted = _committed(tmp_path, [f.risk("risk", 1, state="HALTED", reason="drawdown")])
    risk = last_risk_state(halted)
    assert risk is not None
    assert risk.halted
    assert risk.reason == "drawdown"
    resumed = [*halted, f.risk("risk", 2, state="ACTIVE", kind=RecordKind.RISK_EVENT)]
    later = last_risk_state(resumed)
    assert later is not None
    assert not later.halted
    assert last_risk_state([]) is None


def test_recompute_handles_sells_fees_rebates_and_settlement() -> None:
    records = [
        f.fill("p", 1, "f1", "o1", side="BUY", price=4_000, size=10_000_000, fee=100),
        f.fill("p", 2, "f2", "o2", side="SELL", price=6_000, size=4_000_000, fee=-50),
        f.fill("p", 3, "f3", "o3", side="BUY", price=3_333, size=3, asset_id="other"),
    ]
    totals = recompute_ledger(fills(records), opening_cash=10_000_000, settled={"other": 0})
    # 10 - 4.0 (buy) + 2.4 (sell) - 0.0001 fee + 0.00005 rebate; 3 micro-shares at 0.3333 floor 0
    assert totals.cash == 10_000_000 - 4_000_000 + 2_400_000 - 100 + 50 - 0
    assert totals.fees == 50
    assert totals.sizes == {f.YES: 6_000_000}


def test_sequence_numbers_and_last_ledger_on_empty_journal() -> None:
    assert sequence_numbers([]) == {}
    assert last_ledger([]) is None
    state = recover([])
    assert not state.halted
    assert state.fills == []
