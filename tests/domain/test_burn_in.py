"""Burn-in policy: N healthy rounds in a row before quoting; quotes become SKIP/BURN_IN."""

from __future__ import annotations

import pytest

from astra.domain.burn_in import BurnIn
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto
from astra.domain.strategies.protocol import DecisionAction, QuoteTarget, StrategyDecision

QUOTE = StrategyDecision(
    "simple",
    DecisionAction.QUOTE,
    targets=(QuoteTarget("a", Side.BUY, 4_500, 10_000_000, "bid", 20),),
    detail="edge ok",
)
WITHDRAW = StrategyDecision("simple", DecisionAction.WITHDRAW, veto=GateVeto.TOXIC)


def test_counts_down_healthy_rounds_then_lets_quotes_through() -> None:
    burn = BurnIn(rounds=3)
    for expected_remaining in (3, 2, 1):
        assert burn.active
        assert burn.remaining == expected_remaining
        gated = burn.gate(QUOTE)
        assert gated.action is DecisionAction.SKIP
        assert gated.veto is GateVeto.BURN_IN
        assert gated.targets == ()
        assert gated.detail == (
            f"burn-in: {expected_remaining} round(s) left; strategy wanted 1 quote(s); edge ok"
        )
        burn = burn.after_round(healthy=True)
    assert not burn.active
    assert burn.gate(QUOTE) is QUOTE


def test_an_unhealthy_round_restarts_the_countdown_and_counts_a_failure() -> None:
    burn = BurnIn(rounds=2, max_failures=2).after_round(True).after_round(False)
    assert (burn.remaining, burn.failures, burn.exhausted) == (2, 1, False)
    burn = burn.after_round(False)
    assert burn.exhausted
    assert burn.to_dict() == {"active": True, "remaining": 2, "failures": 2, "exhausted": True}


def test_withdrawals_pass_and_finished_burn_in_never_restarts() -> None:
    burn = BurnIn(rounds=1)
    assert burn.gate(WITHDRAW) is WITHDRAW
    done = burn.after_round(True)
    assert done.after_round(False) is done
    assert BurnIn(rounds=0).gate(QUOTE) is QUOTE


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="burn-in"):
        BurnIn(rounds=-1)
