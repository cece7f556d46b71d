"""A simple, configurable quoting strategy that drives the MarketActor.

It bids on both outcome tokens `ticks_behind` ticks behind the best bid (a NO bid at p is a YES
ask at 1 - p, so this quotes both sides of the market without short inventory), at
`max(size, min_size)`. It withdraws — with the reason — whenever the market is closed or
resolved, a book is unsynced, stale, toxic, or its spread regime is WIDE or BROKEN.
"""

from __future__ import annotations

from dataclasses import dataclass

from astra.domain.prices import Side, in_bounds
from astra.domain.reasons import GateVeto
from astra.domain.strategies.protocol import (
    DecisionAction,
    MarketView,
    QuoteTarget,
    StrategyDecision,
    TokenView,
)
from astra.domain.toxicity import SpreadRegime

_QUOTABLE = frozenset({SpreadRegime.TIGHT, SpreadRegime.NORMAL})


@dataclass(frozen=True, slots=True)
class SimpleQuoterConfig:
    ticks_behind: int = 1
    size: int = 5_000_000  # micro-shares
    max_book_age_ms: int = 60_000
    name: str = "simple_quoter"


class SimpleQuoter:
    def __init__(self, config: SimpleQuoterConfig | None = None) -> None:
        self._config = config or SimpleQuoterConfig()
        if self._config.ticks_behind < 0:
            raise ValueError("ticks_behind must be >= 0")
        if self._config.size <= 0:
            raise ValueError("size must be positive")

    @property
    def name(self) -> str:
        return self._config.name

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        blocked = self._blocker(view, now_ms)
        if blocked is not None:
            veto, detail = blocked
            action = DecisionAction.WITHDRAW if view.resting else DecisionAction.SKIP
            return StrategyDecision(self.name, action, veto=veto, detail=detail)
        targets = tuple(
            target for token in view.tokens if (target := self._bid(view, token)) is not None
        )
        if not targets:
            action = DecisionAction.WITHDRAW if view.resting else DecisionAction.SKIP
            return StrategyDecision(self.name, action, detail="no quotable price")
        return StrategyDecision(self.name, DecisionAction.QUOTE, targets=targets)

    def _blocker(self, view: MarketView, now_ms: int) -> tuple[GateVeto, str] | None:
        """The first reason not to quote, or None. Missing data always blocks."""
        if view.resolved or not view.info.accepting_orders:
            return GateVeto.MARKET_CLOSED, "market resolved or not accepting orders"
        for token in view.tokens:
            reason = self._token_blocker(token, now_ms)
            if reason is not None:
                return reason[0], f"{token.asset_id}: {reason[1]}"
        return None

    def _token_blocker(self, token: TokenView, now_ms: int) -> tuple[GateVeto, str] | None:
        if not token.synced or token.last_update_ms is None:
            return GateVeto.BOOK_NOT_SYNCED, "book not synced"
        if now_ms - token.last_update_ms > self._config.max_book_age_ms:
            return GateVeto.BOOK_STALE, f"book age {now_ms - token.last_update_ms} ms"
        if token.toxic:
            return GateVeto.TOXIC, "toxic flow"
        if token.regime not in _QUOTABLE:
            return GateVeto.SPREAD_REGIME, f"spread regime {token.regime.value}"
        return None

    def _bid(self, view: MarketView, token: TokenView) -> QuoteTarget | None:
        if token.best_bid is None or token.best_ask is None:
            return None
        tick = view.info.tick
        price = token.best_bid[0] - self._config.ticks_behind * tick.pips
        if not in_bounds(price, tick) or price >= token.best_ask[0]:
            return None
        return QuoteTarget(
            asset_id=token.asset_id,
            side=Side.BUY,
            price=price,
            size=max(self._config.size, view.info.min_size),
            reason=f"join_bid_minus_{self._config.ticks_behind}",
            edge_pips=token.best_ask[0] - price,
        )
