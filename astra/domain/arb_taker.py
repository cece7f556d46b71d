"""Taker escalation for an arbitrage, told honestly (pure; off by default).

When an opportunity's maker legs have not filled, the arbitrage path may *take* them. What
that really costs is modelled, not assumed:

- **Budgets** in micro-USD, per UTC day and per opportunity, on what the take would pay
  (buy notional plus every taker fee). A take is sized down to what the budgets still allow;
  one that cannot fit even the venue's minimum order is refused with the binding budget;
  the budget is charged when the take is decided, not when it fills, so a missed take still
  counts — the budget can only over-count, the safe side.
- **The edge must survive the walk**: the legs are re-walked on the book as this trader can
  still take it (`ConsumedLevels`) and the take goes ahead only if the walked sets still have
  a positive edge after the taker fees (`arb_walk.walk_sets`).
- **Latency**: the take reaches the venue `latency_ms` later and fills against the book *as
  it is then*, each leg up to its planned size and never past its planned worst price; a leg
  whose liquidity vanished meanwhile is a miss, and the other legs' fills stand as an
  unhedged position (reported, never netted into an edge that did not happen).
- **Consumption**: the paper trader's takes never reach the venue, so the venue keeps
  showing the shares already taken. `ConsumedLevels` remembers them per price level: the
  same 50 shares never fill twice. The memory of a level ends only when the venue removes
  that level; while it stays, the taken shares stay subtracted even if the level shrinks
  (someone else's trade is assumed to have hit *other* shares — the conservative reading).

Every decision and every execution is a record with its reason (`EscalationReason`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from astra.domain.arb_walk import LegBook, LegFill, SetWalk, walk_sets
from astra.domain.arbitrage import ArbKind, TokenSide
from astra.domain.events import Level
from astra.domain.fees import taker_fee
from astra.domain.ledger import buy_cost, sell_proceeds
from astra.domain.prices import ONE, Side

MS_PER_DAY = 86_400_000
SIZE_STEP = 10_000  # micro-shares: order sizes go in hundredths of a share


class EscalationReason(enum.StrEnum):
    OFF = "escalation_off"
    BUDGET_DAY = "budget_day_exhausted"
    BUDGET_OPPORTUNITY = "budget_opportunity_exhausted"
    EDGE_GONE = "edge_gone_after_walk"  # nothing left worth taking on the consumable book
    SENT = "taker_sent"
    FILLED = "taker_filled"  # every leg filled its planned size
    LEG_MISSED = "taker_leg_missed"  # at least one leg short after the latency: unhedged


def settle_pips(kind: ArbKind, outcomes: int) -> int:
    """What one set of `kind` is worth without further trade (see `arbitrage`)."""
    if kind is ArbKind.EVENT_BUY_NO:
        return (outcomes - 1) * ONE
    if kind is ArbKind.PARITY_SELL:
        return -ONE
    return 0 if kind is ArbKind.EVENT_CONVERT else ONE


@dataclass(frozen=True, slots=True)
class EscalationConfig:
    enabled: bool = False
    daily_budget: int = 0  # micro-USD of taker spend per UTC day
    per_opportunity_budget: int = 0  # micro-USD per opportunity key
    latency_ms: int = 250

    def __post_init__(self) -> None:
        if min(self.daily_budget, self.per_opportunity_budget, self.latency_ms) < 0:
            raise ValueError("escalation budgets and latency must be >= 0")


class ConsumedLevels:
    """Shares this trader already took, per (token, book side, price)."""

    def __init__(self) -> None:
        self._taken: dict[tuple[str, Side, int], int] = {}

    def visible(self, token: str, side: Side, levels: tuple[Level, ...]) -> tuple[Level, ...]:
        """`levels` (one side of `token`'s book, best first) less what was taken there."""
        present = {price for price, _ in levels}
        for key in [k for k in self._taken if k[0] == token and k[1] is side]:
            if key[2] not in present:
                del self._taken[key]  # the venue removed the level: its memory ends
        out = []
        for price, size in levels:
            left = size - self._taken.get((token, side, price), 0)
            if left > 0:
                out.append((price, left))
        return tuple(out)

    def consume(self, token: str, side: Side, price: int, size: int) -> None:
        key = (token, side, price)
        self._taken[key] = self._taken.get(key, 0) + size


class EscalationBudget:
    def __init__(self, config: EscalationConfig) -> None:
        self._config = config
        self._day = -1
        self._day_spent = 0
        self._by_key: dict[str, int] = {}

    def room(self, key: str, now_ms: int) -> tuple[int, EscalationReason]:
        """What may still be spent on `key` now, and which budget binds."""
        self._roll(now_ms)
        day = self._config.daily_budget - self._day_spent
        mine = self._config.per_opportunity_budget - self._by_key.get(key, 0)
        if day <= mine:
            return max(0, day), EscalationReason.BUDGET_DAY
        return max(0, mine), EscalationReason.BUDGET_OPPORTUNITY

    def charge(self, key: str, cost: int, now_ms: int) -> None:
        self._roll(now_ms)
        self._day_spent += cost
        self._by_key[key] = self._by_key.get(key, 0) + cost

    def _roll(self, now_ms: int) -> None:
        day = now_ms // MS_PER_DAY
        if day != self._day:
            self._day, self._day_spent = day, 0


def _book_side(leg_side: Side) -> Side:
    """A BUY leg takes the asks (the SELL side of the book), a SELL leg the bids."""
    return Side.SELL if leg_side is Side.BUY else Side.BUY


def _levels(book: TokenSide, leg_side: Side) -> tuple[Level, ...]:
    return book.asks if leg_side is Side.BUY else book.bids


def spend(walk: SetWalk) -> int:
    """What a take pays out: buy notional plus every taker fee, micro-USD."""
    return sum(leg.notional for leg in walk.legs if leg.side is Side.BUY) + walk.fee


@dataclass(frozen=True, slots=True)
class EscalationDecision:
    key: str
    ts_ms: int
    reason: EscalationReason
    walk: SetWalk | None = None  # the planned take (SENT only)
    cost: int = 0  # micro-USD charged to the budgets
    execute_at_ms: int = 0
    legs: tuple[LegBook, ...] = ()  # the legs as decided (their fee schedules)

    def payload(self) -> dict[str, object]:
        data: dict[str, object] = {"key": self.key, "reason": self.reason.value, "cost": self.cost}
        if self.walk is not None:
            data |= {
                "size": self.walk.size,
                "net": self.walk.net,
                "execute_at_ms": self.execute_at_ms,
                "legs": [
                    {"asset_id": leg.token, "side": leg.side.value, "size": leg.size,
                     "worst": leg.worst_price}
                    for leg in self.walk.legs
                ],
            }  # fmt: skip
        return data


@dataclass(frozen=True, slots=True)
class EscalationResult:
    key: str
    ts_ms: int
    reason: EscalationReason
    fills: tuple[LegFill, ...]  # one per leg; a missed leg has no levels
    missed: tuple[str, ...] = ()  # tokens short of their planned size
    hedged: int = 0  # complete sets filled (the smallest leg fill)
    net: int | None = None  # realised edge of the hedged sets, micro-USD; None if unhedged

    def payload(self) -> dict[str, object]:
        return {
            "key": self.key,
            "reason": self.reason.value,
            "missed": list(self.missed),
            "hedged": self.hedged,
            "net": self.net,
            "legs": [
                {"asset_id": f.token, "side": f.side.value, "size": f.size,
                 "notional": f.notional, "fee": f.fee}
                for f in self.fills
            ],
        }  # fmt: skip


def _fit(legs: Sequence[LegBook], settle: int, most: int, room: int) -> SetWalk | None:
    """The largest walk of at most `most` sets, in whole hundredths of a share (the venue's
    size step), whose spend fits `room` (spend grows with the sets, so a bisection finds it);
    None when not even the minimum order fits."""
    low, high, best = 0, most // SIZE_STEP, None
    while low < high:
        mid = (low + high + 1) // 2
        walk = walk_sets(legs, settle, cap=mid * SIZE_STEP)
        if walk is not None and spend(walk) <= room:
            low, best = mid, walk
        else:
            high = mid - 1
    return best


class ArbTaker:
    def __init__(self, config: EscalationConfig) -> None:
        self.config = config
        self.consumed = ConsumedLevels()
        self.budget = EscalationBudget(config)

    def decide(
        self, key: str, legs: Sequence[LegBook], settle: int, cap: int, now_ms: int
    ) -> EscalationDecision:
        """Whether to take up to `cap` sets of the opportunity `key` over `legs` (each with
        its current book side) now, re-walked on what this trader can still take."""
        if not self.config.enabled:
            return EscalationDecision(key, now_ms, EscalationReason.OFF)
        takeable = tuple(
            replace(leg, levels=self.consumed.visible(leg.token, _book_side(leg.side), leg.levels))
            for leg in legs
        )
        walk = walk_sets(takeable, settle, cap=cap)
        if walk is None:
            return EscalationDecision(key, now_ms, EscalationReason.EDGE_GONE)
        room, binding = self.budget.room(key, now_ms)
        if spend(walk) > room:
            walk = _fit(takeable, settle, walk.size, room)
            if walk is None:
                return EscalationDecision(key, now_ms, binding)
        cost = spend(walk)
        self.budget.charge(key, cost, now_ms)
        due = now_ms + self.config.latency_ms
        return EscalationDecision(key, now_ms, EscalationReason.SENT, walk, cost, due, tuple(legs))

    def execute(
        self, decision: EscalationDecision, books: Mapping[str, TokenSide], now_ms: int
    ) -> EscalationResult:
        """Fill a SENT take against `books` as they are at `now_ms` (>= its due time)."""
        walk = decision.walk
        if decision.reason is not EscalationReason.SENT or walk is None:
            raise ValueError(f"take {decision.key} was not sent ({decision.reason})")
        if now_ms < decision.execute_at_ms:
            raise ValueError(f"take {decision.key} executed before its latency elapsed")
        fills = tuple(
            self._fill(leg, plan, books.get(leg.token))
            for leg, plan in zip(walk.legs, decision.legs, strict=True)
        )
        missed = tuple(
            f.token for f, leg in zip(fills, walk.legs, strict=True) if f.size < leg.size
        )
        hedged = min(f.size for f in fills)
        reason = EscalationReason.LEG_MISSED if missed else EscalationReason.FILLED
        net = None
        if not missed:
            flows = sum(f.notional if f.side is Side.SELL else -f.notional for f in fills)
            net = walk.settle + flows - sum(f.fee for f in fills)
        return EscalationResult(decision.key, now_ms, reason, fills, missed, hedged, net)

    def _fill(self, planned: LegFill, plan: LegBook, book: TokenSide | None) -> LegFill:
        side = _book_side(planned.side)
        levels = (
            ()
            if book is None
            else self.consumed.visible(planned.token, side, _levels(book, planned.side))
        )
        remaining, taken = planned.size, []
        for price, size in levels:
            beyond = (
                price > planned.worst_price
                if planned.side is Side.BUY
                else (price < planned.worst_price)
            )
            if remaining == 0 or beyond:
                break
            take = min(size, remaining)
            taken.append((price, take))
            remaining -= take
            self.consumed.consume(planned.token, side, price, take)
        money = buy_cost if planned.side is Side.BUY else sell_proceeds
        return LegFill(
            planned.token, planned.condition_id, planned.side, planned.label, tuple(taken),
            sum(money(p, s) for p, s in taken),
            sum(taker_fee(plan.fees, p, s) for p, s in taken),
        )  # fmt: skip
