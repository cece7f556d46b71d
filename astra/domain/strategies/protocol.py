"""The strategy plug-in protocol.

A strategy is a small object the MarketActor calls after every book change with a read-only
view of the market and `now_ms`. It answers with a `StrategyDecision`: the set of quotes it
wants resting (the actor reconciles that set against the paper orders it holds, so a strategy
never tracks order ids) or a withdrawal with the veto that made it withdraw. Every evaluation,
SKIPs included, becomes a decision record in the journal, so `payload()` is part of the
contract. Strategies are pure: no clock, no I/O, no randomness that is not passed in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

from astra.domain.events import Level
from astra.domain.market import MarketInfo
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto
from astra.domain.toxicity import SpreadRegime


@dataclass(frozen=True, slots=True)
class TokenView:
    """One outcome token as a strategy sees it."""

    asset_id: str
    synced: bool
    best_bid: Level | None
    best_ask: Level | None
    toxic: bool
    regime: SpreadRegime
    last_update_ms: int | None


@dataclass(frozen=True, slots=True)
class RestingQuote:
    """A paper order that is live in the market (remaining size > 0)."""

    order_id: str
    asset_id: str
    side: Side
    price: int
    remaining: int


@dataclass(frozen=True, slots=True)
class MarketView:
    """Everything a strategy may look at; built fresh per evaluation, never mutated."""

    info: MarketInfo
    yes: TokenView
    no: TokenView
    resting: tuple[RestingQuote, ...]
    resolved: bool

    @property
    def tokens(self) -> tuple[TokenView, TokenView]:
        return (self.yes, self.no)


@dataclass(frozen=True, slots=True)
class QuoteTarget:
    """A quote the strategy wants resting. `edge_pips` is its expected edge (for the EV gate)."""

    asset_id: str
    side: Side
    price: int
    size: int
    reason: str
    edge_pips: int

    def key(self) -> tuple[str, Side, int]:
        return (self.asset_id, self.side, self.price)


class DecisionAction(enum.StrEnum):
    QUOTE = "quote"  # keep exactly `targets` resting
    WITHDRAW = "withdraw"  # cancel everything resting; `veto` says why
    SKIP = "skip"  # nothing to do and nothing to cancel (e.g. no quotes wanted)


@dataclass(frozen=True, slots=True)
class StrategyDecision:
    strategy: str
    action: DecisionAction
    targets: tuple[QuoteTarget, ...] = ()
    veto: GateVeto | None = None
    detail: str = ""
    inputs: tuple[tuple[str, int | str | None], ...] = field(default=())

    def payload(self) -> dict[str, Any]:
        """The decision's journal payload fields (the actor adds run and gate outcomes)."""
        return {
            "strategy": self.strategy,
            "action": self.action.value,
            "veto": None if self.veto is None else self.veto.value,
            "detail": self.detail,
            "inputs": dict(self.inputs),
            "targets": [
                {
                    "asset_id": t.asset_id,
                    "side": t.side.value,
                    "price": t.price,
                    "size": t.size,
                    "reason": t.reason,
                    "edge_pips": t.edge_pips,
                }
                for t in self.targets
            ],
        }


class Strategy(Protocol):
    """A quoting strategy. `name` is written into every decision and intent."""

    @property
    def name(self) -> str: ...

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision: ...
