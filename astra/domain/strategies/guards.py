"""The withdraw conditions every quoting strategy shares, and the fail-closed decision shape.

A strategy may quote only on a live, synced, fresh, calm book of an open market while the
RiskActor is not halted. The first failing condition is returned with its named reason;
`no_quote` turns it into the decision: WITHDRAW when something of ours rests (so the actor
cancels it), SKIP otherwise — both carry the veto and the analysis that led there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from astra.domain.prices import Tick
from astra.domain.reasons import GateVeto
from astra.domain.strategies.protocol import (
    AnalysisValue,
    DecisionAction,
    MarketView,
    StrategyDecision,
    TokenView,
)
from astra.domain.toxicity import SpreadRegime

QUOTABLE_REGIMES = frozenset({SpreadRegime.TIGHT, SpreadRegime.NORMAL})

Blocker = tuple[GateVeto, str]


def market_blocker(view: MarketView) -> Blocker | None:
    """Resolved, closed or halted: nothing of ours may rest."""
    if view.resolved or not view.info.accepting_orders:
        return GateVeto.MARKET_CLOSED, "market resolved or not accepting orders"
    if view.halted:
        return GateVeto.HALTED, "trading halted"
    return None


def token_blocker(token: TokenView, now_ms: int, max_book_age_ms: int) -> Blocker | None:
    """Unsynced, stale, toxic, or a spread regime we do not quote in."""
    if not token.synced or token.last_update_ms is None:
        return GateVeto.BOOK_NOT_SYNCED, f"{token.asset_id}: book not synced"
    age = now_ms - token.last_update_ms
    if age > max_book_age_ms:
        return GateVeto.BOOK_STALE, f"{token.asset_id}: book age {age} ms"
    if token.toxic:
        return GateVeto.TOXIC, f"{token.asset_id}: toxic flow"
    if token.regime not in QUOTABLE_REGIMES:
        return GateVeto.SPREAD_REGIME, f"{token.asset_id}: spread regime {token.regime.value}"
    return None


def view_blocker(view: MarketView, now_ms: int, max_book_age_ms: int) -> Blocker | None:
    found = market_blocker(view)
    for token in view.tokens:
        if found is not None:
            break
        found = token_blocker(token, now_ms, max_book_age_ms)
    return found


def token_tick(view: MarketView, token: TokenView) -> Tick:
    """The book's live grid when the actor passes it, else the market's listed tick."""
    return token.tick or view.info.tick


def toxicity_score(view: MarketView, default: float) -> float:
    """The toxicity score in [0, 1]; a missing or non-finite score is the (conservative)
    configured default, and a toxic flag on either token is the maximum."""
    if any(t.toxic for t in view.tokens):
        return 1.0
    score = view.toxicity_score
    if score is None or not math.isfinite(score):
        return default
    return min(1.0, max(0.0, score))


def clean(value: Any) -> AnalysisValue:
    """A JSON-safe analysis value: non-finite floats become their name, mappings recurse."""
    kind = type(value)
    if kind in _PLAIN_LEAVES:  # exact str/int/bool/None: the common case, returned as is
        return value  # type: ignore[no-any-return]
    if kind is float:
        return value if math.isfinite(value) else repr(value)
    if kind is dict:  # exact dicts skip the Mapping ABC check (the maker's per-side dicts)
        return {str(k): clean(v) for k, v in value.items()}
    return _clean_other(value)


_PLAIN_LEAVES = frozenset({str, int, bool, type(None)})


def _clean_other(value: Any) -> AnalysisValue:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def analysis_items(analysis: Mapping[str, Any]) -> tuple[tuple[str, AnalysisValue], ...]:
    return tuple([(key, clean(value)) for key, value in analysis.items()])


def no_quote(
    name: str,
    view: MarketView,
    veto: GateVeto,
    detail: str,
    analysis: Mapping[str, Any] | None = None,
    inputs: tuple[tuple[str, int | str | None], ...] = (),
) -> StrategyDecision:
    action = DecisionAction.WITHDRAW if view.resting else DecisionAction.SKIP
    return StrategyDecision(
        name,
        action,
        veto=veto,
        detail=detail,
        inputs=inputs,
        analysis=analysis_items(analysis or {}),
    )
