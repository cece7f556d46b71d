"""Records shared by strategies, the order manager, the fill model, risk and the ledger."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from astra.domain.prices import Side


class Liquidity(enum.StrEnum):
    MAKER = "maker"
    TAKER = "taker"


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """What a strategy wants: a post-only order (or, when escalation is enabled, a taker order).

    `price` is pips on the market's grid, `size` micro-shares. `reason` says why the strategy
    wants it; `post_only` is True for every maker order (the default and the norm).
    `resting_notional` is what this market's *other* resting orders would add to exposure if
    they filled (micro-collateral): the risk caps count it (see `RiskState.check_intent`).
    """

    market: str
    asset_id: str
    side: Side
    price: int
    size: int
    strategy: str
    reason: str
    post_only: bool = True
    category: str = "other"
    resting_notional: int = 0
    event_id: str = ""  # the market's event group (`MarketInfo.event_id`; "" none)


@dataclass(frozen=True, slots=True)
class Fill:
    """One (partial) execution of a paper order. `fee` is in micro-collateral; a maker rebate
    is a negative fee."""

    fill_id: str
    order_id: str
    market: str
    asset_id: str
    side: Side
    price: int
    size: int
    fee: int
    liquidity: Liquidity
    ts_ms: int


@dataclass(frozen=True, slots=True)
class Settlement:
    """A resolved market: every share of `winning_asset_id` pays 1, the other token 0.

    `split` is the venue's 50/50 (UMA "unknown", payout vector [1, 1]; also how the venue
    settles a canceled/voided market, docs/settlement.md): every share of either token pays
    0.5, and the two ids are just the market's two tokens."""

    market: str
    winning_asset_id: str
    losing_asset_id: str
    ts_ms: int
    split: bool = False
