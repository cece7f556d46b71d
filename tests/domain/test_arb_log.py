"""The opportunity log: open once, change on size/edge moves, close with event-time duration."""

from __future__ import annotations

from astra.domain.arb_log import ArbAction, OpportunityLog
from astra.domain.arbitrage import OutcomeBooks, TokenSide, parity
from astra.domain.market import FeeSchedule

SH = 1_000_000


def book(no_ask: int, depth: int = 10) -> OutcomeBooks:
    return OutcomeBooks(
        "c",
        "C",
        TokenSide("y", (), ((4000, depth * SH),)),
        TokenSide("n", (), ((no_ask, depth * SH),)),
        FeeSchedule.free(),
    )


def test_open_change_close_with_duration_and_peak() -> None:
    log = OpportunityLog()
    [opened] = log.update(parity(book(5000)), 100)
    assert opened.action is ArbAction.OPEN
    assert log.update(parity(book(5000)), 150) == []  # same size and edge: nothing
    [changed] = log.update(parity(book(5000, depth=20)), 200)
    assert changed.action is ArbAction.CHANGE
    assert changed.opened_ms == 100
    [closed] = log.update(parity(book(6000)), 350)  # 0.40 + 0.60: gone
    assert closed.action is ArbAction.CLOSE
    assert closed.duration_ms == 250
    assert closed.peak_net == 20 * 1000 * 100
    assert closed.payload()["close_reason"] == "gone"
    assert log.open_count == 0


def test_close_all_ends_every_open_opportunity() -> None:
    log = OpportunityLog()
    log.update(parity(book(5000)), 0)
    [closed] = log.close_all(70, "halt")
    assert closed.duration_ms == 70
    assert closed.close_reason == "halt"
    assert log.update([], 80) == []
