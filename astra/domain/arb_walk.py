"""Walking several books at once for one arbitrage set, exactly.

A *set* is one share of every leg (buy YES + buy NO, or one YES of every outcome, ...) plus
what holding it is worth without any further trade (`settle_pips` per set: +1 when the set
redeems for 1, -1 when selling a held set gives up its redemption, 0 when the set ends flat).
The walk takes sets level by level: at each step the chunk is the smallest size left on any
leg's current level, and the chunk is taken only while its marginal edge after the taker fee
is strictly positive, so a level that would lose money stops the walk even when deeper
levels would not (deeper levels are never better). The totals are recomputed per level with
the venue's rounding: buy costs round up, sell proceeds round down, fees are the venue's
quantised taker fee per level (one match per level, as `taker_fill` charges them). A set
whose totals round to no profit is no opportunity: the rounding never favours the paper
trader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from astra.domain.events import Level
from astra.domain.fees import taker_fee
from astra.domain.ledger import buy_cost, sell_proceeds
from astra.domain.market import FeeSchedule
from astra.domain.prices import ONE, PRICE_SCALE, SIZE_SCALE, Side


@dataclass(frozen=True, slots=True)
class LegBook:
    """One leg: the token traded, on which side, against which levels (best first)."""

    token: str
    condition_id: str
    side: Side  # BUY walks the asks, SELL walks the bids
    levels: tuple[Level, ...]
    fees: FeeSchedule
    min_size: int = 0  # micro-shares; the venue refuses smaller orders
    label: str = ""  # outcome title, for people


@dataclass(frozen=True, slots=True)
class LegFill:
    """What one leg takes: per-level sizes, collateral moved and the taker fee."""

    token: str
    condition_id: str
    side: Side
    label: str
    levels: tuple[Level, ...]  # (price, size) actually taken, best first
    notional: int  # micro-collateral paid (BUY) or received (SELL)
    fee: int  # micro-collateral

    @property
    def size(self) -> int:
        return sum(size for _, size in self.levels)

    @property
    def best_price(self) -> int:
        return self.levels[0][0]

    @property
    def worst_price(self) -> int:
        return self.levels[-1][0]


@dataclass(frozen=True, slots=True)
class SetWalk:
    """The walked sets: `size` micro-sets, the legs and the exact money."""

    size: int
    legs: tuple[LegFill, ...]
    settle: int  # micro-collateral the sets are worth without further trade
    top_gross_pips: int  # the first chunk's edge per set before fees

    @property
    def fee(self) -> int:
        return sum(leg.fee for leg in self.legs)

    @property
    def gross(self) -> int:
        """Edge before fees, micro-collateral."""
        flows = sum(leg.notional if leg.side is Side.SELL else -leg.notional for leg in self.legs)
        return self.settle + flows

    @property
    def net(self) -> int:
        return self.gross - self.fee

    @property
    def net_per_share(self) -> int:
        """Net edge per whole set in micro-collateral, rounded down (100 = one pip)."""
        return self.net * SIZE_SCALE // self.size if self.size else 0


def _fee_per_share_pips(fees: FeeSchedule, price: int) -> Fraction:
    """The taker fee of one share at `price`, in pips, before the venue's rounding."""
    curve = Fraction(price * (ONE - price), PRICE_SCALE * PRICE_SCALE) ** fees.exponent
    return Fraction(fees.rate) * curve * PRICE_SCALE


def _check(legs: Sequence[LegBook], cap: int | None) -> None:
    if not legs:
        raise ValueError("a set needs at least one leg")
    if cap is not None and cap < 0:
        raise ValueError(f"set cap {cap} is negative")
    for leg in legs:
        for price, size in leg.levels:
            if not 0 < price < ONE or size < 0:
                raise ValueError(f"level ({price}, {size}) of {leg.token} is not a venue level")


def walk_sets(legs: Sequence[LegBook], settle_pips: int, cap: int | None = None) -> SetWalk | None:
    """Take sets across `legs` while each chunk's edge after fees is positive.

    `cap` bounds the sets (micro), e.g. the inventory held for a sell. None when no set is
    worth taking, the sets fall below a leg's minimum order size, or rounding leaves no edge.
    """
    _check(legs, cap)
    books = [tuple(level for level in leg.levels if level[1] > 0) for leg in legs]
    index = [0] * len(legs)
    left = [book[0][1] if book else 0 for book in books]
    taken: list[dict[int, int]] = [{} for _ in legs]
    remaining = cap
    size = 0
    top: int | None = None
    while remaining is None or remaining > 0:
        if any(i >= len(book) for i, book in zip(index, books, strict=True)):
            break
        prices = [book[i][0] for i, book in zip(index, books, strict=True)]
        gross = settle_pips + sum(
            p if leg.side is Side.SELL else -p for p, leg in zip(prices, legs, strict=True)
        )
        fee = sum(_fee_per_share_pips(leg.fees, p) for p, leg in zip(prices, legs, strict=True))
        if gross - fee <= 0:
            break
        if top is None:
            top = gross
        chunk = min(left) if remaining is None else min(*left, remaining)
        for k, price in enumerate(prices):
            taken[k][price] = taken[k].get(price, 0) + chunk
            left[k] -= chunk
            if left[k] == 0:
                index[k] += 1
                nxt = index[k]
                left[k] = books[k][nxt][1] if nxt < len(books[k]) else 0
        size += chunk
        if remaining is not None:
            remaining -= chunk
    if size == 0 or top is None or size < max(leg.min_size for leg in legs):
        return None
    fills = tuple(_leg_fill(leg, taken[k]) for k, leg in enumerate(legs))
    walk = SetWalk(size, fills, settle_pips * size // PRICE_SCALE, top)
    return walk if walk.net > 0 else None


def _leg_fill(leg: LegBook, taken: dict[int, int]) -> LegFill:
    order = [p for p, _ in leg.levels if p in taken]
    levels = tuple((p, taken[p]) for p in order)
    money = buy_cost if leg.side is Side.BUY else sell_proceeds
    notional = sum(money(p, s) for p, s in levels)
    fee = sum(taker_fee(leg.fees, p, s) for p, s in levels)
    return LegFill(leg.token, leg.condition_id, leg.side, leg.label, levels, notional, fee)
