"""How the maker expresses each side of its quote: sell held inventory, or buy the complement.

The bid (acquire YES exposure at b) is a BUY YES at b, or — when NO is held — a SELL NO at
1 − b. The ask (shed YES exposure at a) is a SELL YES at a when YES is held, or a BUY NO at
1 − a. Both legs of a side are priced on their own token's grid (BUY rounded down, SELL up,
away from crossing) and clamped to rest post-only (a BUY strictly below the token's best
ask, a SELL strictly above its best bid). The choice is explicit and journaled: the leg with
the better effective YES price wins (the bid pays less, the ask receives more); on a tie the
leg already resting on that side keeps its route (its queue place is worth keeping: a BUY of
the complement that fills completes pairs, which merge into collateral at exactly 1), and
otherwise the SELL wins, because it ties up no new collateral and reduces gross inventory.
A SELL is never larger than what is held (the market actor refuses it again:
`sell_exceeds_held`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from astra.domain.fees import maker_fee
from astra.domain.prices import ONE, PRICE_SCALE, Side, in_bounds, round_float_to_tick
from astra.domain.reasons import GateVeto
from astra.domain.strategies.fair_value import FairBand
from astra.domain.strategies.guards import token_tick
from astra.domain.strategies.protocol import MarketView, QuoteTarget, TokenView

Outcome = QuoteTarget | tuple[GateVeto, str]


@dataclass(frozen=True, slots=True)
class SideRequest:
    """One side of the quote in YES terms: `bid` True acquires YES exposure."""

    bid: bool
    yes_price: float  # the A-S price of this side (reservation ∓ half-spread)
    room: int  # micro-shares of inventory room on this side
    order_size: int
    size_step: int


@dataclass(frozen=True, slots=True)
class _Leg:
    token: TokenView
    side: Side
    price: int  # pips on the token's grid
    effective_yes: int  # the YES price (pips) this leg trades at
    size: int
    route: str


def quote_side(
    view: MarketView, request: SideRequest, band: FairBand, analysis: dict[str, Any]
) -> Outcome:
    """The chosen leg as a target (edge from the independent fair value), or a veto."""
    legs: list[_Leg] = []
    vetoes: list[tuple[GateVeto, str]] = []
    for leg in _legs(view, request):
        if isinstance(leg, _Leg):
            legs.append(leg)
        else:
            vetoes.append(leg)
    name = "bid" if request.bid else "ask"
    analysis[name] = {
        "candidates": [
            {"route": leg.route, "price": leg.price, "effective_yes": leg.effective_yes}
            for leg in legs
        ],
        "skipped": [f"{v}: {d}" for v, d in vetoes],
    }
    if not legs:
        return vetoes[0] if vetoes else (GateVeto.NO_QUOTABLE_PRICE, f"{name}: no leg")
    resting = {(q.asset_id, q.side) for q in view.resting}
    chosen = min(legs, key=lambda leg: _rank(leg, request.bid, resting))
    analysis[name]["chosen"] = chosen.route
    edge = _edge(view, chosen, band, request.bid)
    return QuoteTarget(
        asset_id=chosen.token.asset_id,
        side=chosen.side,
        price=chosen.price,
        size=chosen.size,
        reason=chosen.route,
        edge_pips=edge,
    )


def _rank(leg: _Leg, bid: bool, resting: set[tuple[str, Side]]) -> tuple[int, int, int]:
    better = leg.effective_yes if bid else -leg.effective_yes
    rests = (leg.token.asset_id, leg.side) in resting
    return (better, 0 if rests else 1, 0 if leg.side is Side.SELL else 1)


def _edge(view: MarketView, leg: _Leg, band: FairBand, bid: bool) -> int:
    fee = maker_fee(view.info.fees, leg.price, leg.size, rebate=False) / leg.size
    yes = leg.effective_yes / PRICE_SCALE
    edge = band.buy_edge(yes, fee) if bid else band.sell_edge(yes, fee)
    return math.floor(edge * PRICE_SCALE) if math.isfinite(edge) else -PRICE_SCALE


def _legs(view: MarketView, request: SideRequest) -> list[_Leg | tuple[GateVeto, str]]:
    yes_route = "as_bid" if request.bid else "ask_sell_yes"
    no_route = "bid_sell_no" if request.bid else "as_ask_via_no"
    yes_side = Side.BUY if request.bid else Side.SELL
    no_side = Side.SELL if request.bid else Side.BUY
    out: list[_Leg | tuple[GateVeto, str]] = []
    for token, side, route, price in (
        (view.yes, yes_side, yes_route, request.yes_price),
        (view.no, no_side, no_route, 1.0 - request.yes_price),
    ):
        out.append(_leg(view, request, token, side, route, price))
    return out


def _leg(
    view: MarketView,
    request: SideRequest,
    token: TokenView,
    side: Side,
    route: str,
    price: float,
) -> _Leg | tuple[GateVeto, str]:
    pips = _post_only_price(view, token, side, price)
    if pips is None:
        return GateVeto.NO_QUOTABLE_PRICE, f"{route}: no post-only price for {price:.4f}"
    limit = min(request.order_size, request.room)
    if side is Side.SELL:
        limit = min(limit, _held(view, token))
    size = limit // request.size_step * request.size_step
    if size < max(view.info.min_size, 1):
        if side is Side.SELL:
            return GateVeto.SELL_EXCEEDS_HELD, f"{route}: holds {_held(view, token)}"
        if request.room < request.order_size:
            return GateVeto.INVENTORY_CAP, f"{route}: inventory room {request.room}"
        return GateVeto.SIZE_BELOW_MIN, f"{route}: order size {size} < min size"
    is_yes = token.asset_id == view.info.yes_token
    effective = pips if is_yes else ONE - pips
    return _Leg(token, side, pips, effective, size, route)


def _post_only_price(view: MarketView, token: TokenView, side: Side, price: float) -> int | None:
    """On the token's grid, away from crossing, resting strictly inside its far touch."""
    tick = token_tick(view, token)
    if side is Side.BUY:
        if token.best_ask is None:
            return None
        pips = min(round_float_to_tick(price, tick, Side.BUY), token.best_ask[0] - tick.pips)
    else:
        if token.best_bid is None:
            return None
        pips = max(round_float_to_tick(price, tick, Side.SELL), token.best_bid[0] + tick.pips)
    return pips if in_bounds(pips, tick) else None


def _held(view: MarketView, token: TokenView) -> int:
    return view.yes_position if token.asset_id == view.info.yes_token else view.no_position
