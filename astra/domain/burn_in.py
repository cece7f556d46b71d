"""Monitor-only burn-in: the first N healthy evaluation rounds observe and record, never quote.

A round is whatever the engine calls one evaluation pass (every market evaluated once). While
burn-in is active, a decision that would quote becomes a SKIP vetoed with `GateVeto.BURN_IN`
(the record still says what the strategy wanted, in `detail`); withdrawals pass unchanged
because cancels always pass. An unhealthy round (the engine says so: halted, feeds stale, ...)
restarts the countdown and counts a failure; after `max_failures` the burn-in is `exhausted`
and the engine should stop, since it never managed N healthy rounds in a row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from astra.domain.reasons import GateVeto
from astra.domain.strategies.protocol import DecisionAction, StrategyDecision


@dataclass(frozen=True, slots=True)
class BurnIn:
    rounds: int
    max_failures: int = 10
    healthy_in_a_row: int = 0
    failures: int = 0

    def __post_init__(self) -> None:
        if self.rounds < 0 or self.max_failures < 1:
            raise ValueError("burn-in needs rounds >= 0 and max_failures >= 1")

    @property
    def remaining(self) -> int:
        return max(self.rounds - self.healthy_in_a_row, 0)

    @property
    def active(self) -> bool:
        return self.remaining > 0

    @property
    def exhausted(self) -> bool:
        return self.active and self.failures >= self.max_failures

    def after_round(self, healthy: bool) -> BurnIn:
        """The state after one evaluation round; a finished burn-in never restarts."""
        if not self.active:
            return self
        if healthy:
            return replace(self, healthy_in_a_row=self.healthy_in_a_row + 1)
        return replace(self, healthy_in_a_row=0, failures=self.failures + 1)

    def gate(self, decision: StrategyDecision) -> StrategyDecision:
        """The decision to act on and record: quotes become SKIP/BURN_IN while active."""
        if not self.active or decision.action is not DecisionAction.QUOTE:
            return decision
        wanted = len(decision.targets)
        detail = f"burn-in: {self.remaining} round(s) left; strategy wanted {wanted} quote(s)"
        if decision.detail:
            detail = f"{detail}; {decision.detail}"
        return replace(
            decision, action=DecisionAction.SKIP, targets=(), veto=GateVeto.BURN_IN, detail=detail
        )

    def to_dict(self) -> dict[str, int | bool]:
        return {
            "active": self.active,
            "remaining": self.remaining,
            "failures": self.failures,
            "exhausted": self.exhausted,
        }
