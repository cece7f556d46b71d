"""The journal's view of what the trader holds: the last risk LEDGER's account and
positions, orders whose last event is not terminal, the last halt, markets by question."""

from __future__ import annotations

from pathlib import Path

from astra.adapters.journal.portfolio import portfolio
from astra.adapters.journal.runs import open_run
from astra.adapters.journal.store import JournalStore, connect_readonly
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.adapters.journal import factories as f

MARKETS = [{"condition_id": "m1", "question": "Will it rain?", "yes_token": f.YES,
            "no_token": "no-token", "outcomes": ["Yes", "No"]}]  # fmt: skip


def _ledger(seq: int, cash: int, **extra: object) -> JournalRecord:
    payload = {"cash": cash, "fees": 0, "realised": 0, "opening_cash": f.OPENING_CASH,
               "fills": 1, "settled": {}, **extra}  # fmt: skip
    return JournalRecord.build("risk", seq, RecordKind.LEDGER, 1_000 + seq, None, payload)


def test_portfolio_is_what_the_journal_committed(tmp_path: Path) -> None:
    path = tmp_path / "astra.sqlite3"
    with JournalStore.open(path) as store:
        open_run(store, run_id="r", started_ms=0, code_version="t", config={"markets": MARKETS})
        store.write_batch(
            [
                _ledger(1, f.OPENING_CASH, positions={}),
                _ledger(
                    2,
                    996_000_000,
                    equity=999_000_000,
                    positions={f.YES: {"size": 10_000_000, "cost": 4_000_000}},
                    risk={
                        "peak_equity": 1_000_000_000,
                        "daily_pnl": -1_000_000,
                        "marks": {f.YES: 3_000},
                    },
                ),
                f.order_event("market:m1", 1, "o1", state="pending_new", reason="submitted"),
                f.order_event("market:m1", 2, "o1", state="resting"),
                f.order_event("market:m1", 3, "o2", state="resting"),
                f.order_event("market:m1", 4, "o2", state="canceled", reason="strategy_cancel"),
                f.order_event("market:m1", 5, "o3", state="pending_cancel_v2"),
                JournalRecord.build(
                    "risk",
                    3,
                    RecordKind.HALT,
                    1_500,
                    None,
                    {"state": "halted", "reason": "drawdown", "detail": "d"},
                ),
                JournalRecord.build(
                    "risk",
                    4,
                    RecordKind.HALT,
                    1_600,
                    None,
                    {"state": "active", "reason": "operator", "detail": ""},
                ),
            ]
        )
    conn = connect_readonly(path)
    try:
        view = portfolio(conn)
    finally:
        conn.close()
    account = view["account"]
    assert (account["equity"], account["cash"], account["peak_equity"]) == (
        999_000_000, 996_000_000, 1_000_000_000)  # fmt: skip
    assert view["positions"] == [
        {"asset_id": f.YES, "question": "Will it rain?", "outcome": "Yes",
         "size": 10_000_000, "cost": 4_000_000, "mark": 3_000}
    ]  # fmt: skip
    # o1 rests, o2 was canceled, o3's state is unknown to this build: shown, never hidden.
    assert [(o["order_id"], o["state"]) for o in view["open_orders"]] == [
        ("o1", "resting"), ("o3", "pending_cancel_v2")]  # fmt: skip
    assert view["open_orders"][0]["question"] == "Will it rain?"
    assert view["last_halt"] == {"ts_ms": 1_500, "reason": "drawdown", "detail": "d"}


def test_an_empty_journal_holds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "astra.sqlite3"
    JournalStore.open(path).close()
    conn = connect_readonly(path)
    try:
        assert portfolio(conn) == {
            "account": None, "positions": [], "open_orders": [], "last_halt": None}  # fmt: skip
    finally:
        conn.close()
