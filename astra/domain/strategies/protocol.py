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
from decimal import Decimal
from typing import Any, Protocol

from astra.domain.events import Level, Trade
from astra.domain.market import MarketInfo
from astra.domain.models.frames import ModelFrame
from astra.domain.prices import Side, Tick
from astra.domain.reasons import GateVeto
from astra.domain.toxicity import SpreadRegime
from astra.domain.trading import Fill


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
    # Optional extras (additive; the actor fills them when it can). `tick` is the book's live
    # grid (None: use MarketInfo.tick); `bids`/`asks` are the visible levels, best first, for
    # strategies that walk the book (empty: only the touch is known).
    tick: Tick | None = None
    bids: tuple[Level, ...] = ()
    asks: tuple[Level, ...] = ()


@dataclass(frozen=True, slots=True)
class SpotView:
    """The latest spot of a market's underlying and an evenly sampled recent price path.

    `symbol` is lower-case base+quote (e.g. "btcusdt"); `price` is exact; `ts_ms` is the
    spot's own time (staleness is measured from it); `samples` are the last prices sampled
    every `sample_interval_ms` (oldest first) for realised volatility.
    """

    symbol: str
    price: Decimal
    ts_ms: int
    samples: tuple[float, ...] = ()
    sample_interval_ms: int = 60_000


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
    # Optional context (additive, with fail-closed or neutral defaults; see the Strategies
    # section of docs/architecture.md for who fills what):
    spot: SpotView | None = None  # the underlying's spot (crypto strategies skip without it)
    yes_position: int = 0  # micro-shares of the YES token held
    no_position: int = 0  # micro-shares of the NO token held
    equity: int | None = None  # current equity, micro-collateral (None: configured equity)
    toxicity_score: float | None = None  # ToxicitySnapshot.score (None: a conservative default)
    trades: tuple[Trade, ...] = ()  # trades of this market since the previous evaluation
    halted: bool = False  # the RiskActor's state is HALTED
    fills: tuple[Fill, ...] = ()  # our own fills in this market since the previous evaluation
    model_frame: ModelFrame | None = None  # latest forecast/prior for the contract's key

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
    post_only: bool = True  # False only for an explicit, budgeted taker escalation

    def key(self) -> tuple[str, Side, int]:
        return (self.asset_id, self.side, self.price)


AnalysisValue = float | int | str | bool | None | dict[str, Any] | list[Any]


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
    # Model inputs/outputs (estimates, frictions, sizing) written under "analysis".
    analysis: tuple[tuple[str, AnalysisValue], ...] = field(default=())

    def payload(self) -> dict[str, Any]:
        """The decision's journal payload fields (the actor adds run and gate outcomes).
        Built for every evaluation: `_value_` is a StrEnum's value without the descriptor."""
        return {
            "strategy": self.strategy,
            "action": self.action._value_,
            "veto": None if self.veto is None else self.veto._value_,
            "detail": self.detail,
            "inputs": dict(self.inputs),
            "analysis": dict(self.analysis),
            "targets": [
                {
                    "asset_id": t.asset_id,
                    "side": t.side._value_,
                    "price": t.price,
                    "size": t.size,
                    "reason": t.reason,
                    "edge_pips": t.edge_pips,
                    "post_only": t.post_only,
                }
                for t in self.targets
            ],
        }


class Strategy(Protocol):
    """A quoting strategy. `name` is written into every decision and intent."""

    @property
    def name(self) -> str: ...

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision: ...
