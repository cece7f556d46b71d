"""Crypto threshold exits: offer a held token once the model says it is worth less than the
market asks for it.

When a token is held, buying more of it is no longer +EV (its buy side has no target), and
the model's upper bound for it is below its best ask, the edge has reversed: the held
shares are offered post-only at the higher of the upper bound (rounded up on the grid) and
one tick above the best bid. Selling at or above the upper bound is non-negative edge by
construction; the fee (when positive) is subtracted, and the EV gate judges the rest. Never
more than is held (the market actor refuses it again: `sell_exceeds_held`).
"""

from __future__ import annotations

import math

from astra.domain.fees import maker_fee
from astra.domain.prices import PRICE_SCALE, Side, in_bounds, round_float_to_tick
from astra.domain.strategies.guards import token_tick
from astra.domain.strategies.protocol import MarketView, QuoteTarget, TokenView

SIZE_STEP = 10_000  # micro-shares: sizes on the same step as the maker's
REASON = "crypto_threshold_exit"


def exit_target(view: MarketView, token: TokenView, p_high: float) -> QuoteTarget | None:
    held = view.yes_position if token.asset_id == view.info.yes_token else view.no_position
    size = held // SIZE_STEP * SIZE_STEP
    if size < max(view.info.min_size, 1) or token.best_bid is None or token.best_ask is None:
        return None
    if not math.isfinite(p_high) or p_high * PRICE_SCALE >= token.best_ask[0]:
        return None  # the market does not value it above the model: no reversal
    tick = token_tick(view, token)
    price = max(round_float_to_tick(p_high, tick, Side.SELL), token.best_bid[0] + tick.pips)
    if not in_bounds(price, tick):
        return None
    fee = max(maker_fee(view.info.fees, price, size, rebate=False), 0) / size
    edge = price / PRICE_SCALE - p_high - fee
    return QuoteTarget(
        asset_id=token.asset_id,
        side=Side.SELL,
        price=price,
        size=size,
        reason=REASON,
        edge_pips=math.floor(edge * PRICE_SCALE),
    )
