"""Strategies: pure objects that turn a market view into the quotes they want resting."""

from astra.domain.strategies.protocol import (
    DecisionAction,
    MarketView,
    QuoteTarget,
    RestingQuote,
    SpotView,
    Strategy,
    StrategyDecision,
    TokenView,
)

__all__ = [
    "DecisionAction",
    "MarketView",
    "QuoteTarget",
    "RestingQuote",
    "SpotView",
    "Strategy",
    "StrategyDecision",
    "TokenView",
]
