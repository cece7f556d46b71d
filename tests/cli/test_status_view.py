"""The `astra status` tables: human units, market questions, the account and why trading is
in its state, from a status answer shaped as the engine's control backend gives it."""

from __future__ import annotations

from rich.console import Console

from astra.cli.status_view import print_status

STATUS = {
    "run_id": "20261202T052000Z-ab12cd34",
    "markets": 6,
    "state": "halted",
    "halt_reasons": ["drawdown"],
    "healthy": True,
    "feed": {"assets": 12, "synced": 11, "desyncs": 1},
    "spot": {"symbols": ["btcusdt"]},
    "burn_in_rounds_left": 0,
    "uptime_s": 3725.0,
    "portfolio": {
        "account": {
            "equity": 9_480_000_000,
            "cash": 9_000_000_000,
            "realised": -20_000_000,
            "unrealised": -500_000_000,
            "fees": 1_250_000,
            "peak_equity": 10_000_000_000,
            "daily_pnl": -520_000_000,
            "ts_ms": 1_764_652_800_000,
        },
        "positions": [
            {
                "asset_id": "y1",
                "question": "Will it rain in NYC on June 3?",
                "outcome": "Yes",
                "size": 1_000_000_000,
                "cost": 500_000_000,
                "mark": 4_800,
            },
            {
                "asset_id": "n2",
                "question": "Fed cuts 25 bp in March?",
                "outcome": "No",
                "size": 19_970_000,
                "cost": 10_000_000,
                "mark": None,
            },
        ],
        "open_orders": [
            {
                "order_id": "o1",
                "question": "Fed cuts 25 bp in March?",
                "outcome": "Yes",
                "side": "BUY",
                "price": 5_400,
                "size": 10_000_000,
                "filled": 2_500_000,
                "state": "partially_filled",
                "ts_ms": 1_764_652_700_000,
            },
        ],
        "last_halt": {"ts_ms": 1_764_652_790_000, "reason": "drawdown", "detail": ""},
    },
}


def _render(status: dict[str, object]) -> str:
    console = Console(record=True, width=140, color_system=None)
    print_status(status, console)
    return console.export_text()


def test_status_tables_speak_dollars_shares_prices_and_questions() -> None:
    text = _render(STATUS)
    assert "HALTED" in text
    assert "drawdown" in text
    assert "$9,480.00" in text  # marked equity
    assert "-$520.00" in text  # day P&L
    assert "5.20%" in text  # (10,000 - 9,480) / 10,000 below the peak
    assert "Will it rain in NYC on June 3?" in text
    assert "$480.00" in text  # 1,000 shares marked at 0.48
    assert "19.97" in text  # shares, not micro-shares
    assert "$0.54" in text  # the order's price per share
    assert "2.5 / 10" in text
    assert "2025-12-02 05:18:20Z" in text  # UTC ISO, not epoch milliseconds
    assert "11 of 12" in text
    assert "1 h 02 min" in text
    assert "19970000" not in text
    assert "5400" not in text


def test_an_unreadable_journal_is_named_not_hidden() -> None:
    text = _render({**STATUS, "portfolio": {"unavailable": "journal: disk I/O error"}})
    assert "portfolio unavailable: journal: disk I/O error" in text
