"""Optional, budgeted taker escalation: a strong enough edge may cross the spread.

Off by default. When on, a side whose conservative edge *as a taker* — walking the far side of
the book level by level and paying the venue's taker fee on every level — still clears the
maker EV threshold plus `edge_margin` may send a taker intent (post_only=False) instead of a
maker quote. Taker notional is budgeted per UTC day; a plan that does not fit the remaining
budget is vetoed with `taker_budget_exhausted`, and the maker quote stands. The budget is
charged when the intent is emitted (not when it fills), so it can only over-count: the safe
side. A cooldown keeps one standing edge from firing an intent on every book event.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from astra.domain.ev_gate import EvConfig, EvResult, ev_gate
from astra.domain.events import Level
from astra.domain.fees import taker_fee
from astra.domain.frictions import BookContext
from astra.domain.market import FeeSchedule
from astra.domain.prices import PRICE_SCALE, Side, Tick
from astra.domain.reasons import GateVeto
from astra.domain.strategies.protocol import QuoteTarget
from astra.domain.strategies.sizing import KellyConfig, Sizing, kelly_size
from astra.domain.trading import Liquidity
from astra.domain.verdict import Verdict

GATE = "taker"
MS_PER_DAY = 86_400_000


class BookWalk(NamedTuple):
    """A taker fill walked through the far side: `filled` micro-shares at exact average
    price `avg_price` (pips), paying `fee` micro-collateral; `worst_price` is the last level
    touched (the limit price the intent needs), `notional` the exact cost (floored)."""

    filled: int
    avg_price: Fraction
    fee: int
    worst_price: int
    notional: int


def walk_book(levels: Sequence[Level], size: int, fees: FeeSchedule | None = None) -> BookWalk:
    """Fill up to `size` micro-shares against `levels` (best first). The fee is the venue's
    formula per matched level, as each level is a separate match."""
    schedule = fees or FeeSchedule.free()
    if size < 0:
        raise ValueError(f"walk size {size} is negative")
    remaining, filled, cost, fee, worst = size, 0, 0, 0, 0
    for price, available in levels:
        if remaining == 0:
            break
        take = min(available, remaining)
        if take <= 0:
            continue
        filled += take
        remaining -= take
        cost += price * take
        fee += taker_fee(schedule, price, take)
        worst = price
    avg = Fraction(cost, filled) if filled else Fraction(0)
    return BookWalk(filled, avg, fee, worst, cost // PRICE_SCALE)


@dataclass(frozen=True, slots=True)
class TakerConfig:
    enabled: bool = False
    daily_budget: int = 0  # micro-collateral of taker notional per UTC day
    edge_margin: float = 0.03  # needed over the maker EV threshold
    cooldown_ms: int = 60_000

    def __post_init__(self) -> None:
        if self.daily_budget < 0 or self.cooldown_ms < 0:
            raise ValueError("taker budget and cooldown must be >= 0")
        if not (math.isfinite(self.edge_margin) and self.edge_margin >= 0.0):
            raise ValueError(f"taker edge_margin {self.edge_margin} must be finite and >= 0")


class TakerBudget:
    """Taker notional spent per UTC day (the day rolls at midnight of `now_ms`)."""

    def __init__(self, daily_budget: int) -> None:
        self._budget = daily_budget
        self._day = -1
        self._spent = 0
        self._last_ms: int | None = None

    def _roll(self, now_ms: int) -> None:
        day = now_ms // MS_PER_DAY
        if day != self._day:
            self._day, self._spent = day, 0

    def remaining(self, now_ms: int) -> int:
        self._roll(now_ms)
        return max(0, self._budget - self._spent)

    def spent(self, now_ms: int) -> int:
        self._roll(now_ms)
        return self._spent

    def since_last_ms(self, now_ms: int) -> int | None:
        return None if self._last_ms is None else now_ms - self._last_ms

    def charge(self, notional: int, now_ms: int) -> None:
        if notional > self.remaining(now_ms):
            raise ValueError(f"taker notional {notional} exceeds the remaining budget")
        self._spent += notional
        self._last_ms = now_ms


def check_budget(budget: TakerBudget, walk: BookWalk, config: TakerConfig, now_ms: int) -> Verdict:
    """Whether a walked taker fill may be sent now: enabled, off cooldown, within budget."""
    if not config.enabled:
        return Verdict.veto(GATE, GateVeto.TAKER_BUDGET_EXHAUSTED, "taker escalation is off")
    since = budget.since_last_ms(now_ms)
    if since is not None and since < config.cooldown_ms:
        detail = f"cooldown: last taker intent {since} ms ago < {config.cooldown_ms}"
        return Verdict.veto(GATE, GateVeto.TAKER_BUDGET_EXHAUSTED, detail)
    total = walk.notional + walk.fee
    left = budget.remaining(now_ms)
    if total > left:
        detail = f"taker notional+fee {total} > remaining daily budget {left}"
        return Verdict.veto(GATE, GateVeto.TAKER_BUDGET_EXHAUSTED, detail)
    return Verdict.ok(GATE, f"taker {total} of remaining {left}")


@dataclass(frozen=True, slots=True)
class TakerRequest:
    """One side's taker question: buy `asset_id` whose winning band is (p_low, p_high)
    against `asks` (best first), with `spread_ticks` on grid `tick`."""

    asset_id: str
    p_low: float
    p_high: float
    asks: tuple[Level, ...]
    spread_ticks: int
    tick: Tick
    min_size: int
    equity: int
    toxicity: float


@dataclass(frozen=True, slots=True)
class TakerPlan:
    walk: BookWalk
    ev_lower: float
    sizing: Sizing

    def target(self, asset_id: str) -> QuoteTarget:
        return QuoteTarget(
            asset_id=asset_id,
            side=Side.BUY,
            price=self.walk.worst_price,
            size=self.walk.filled,
            reason="taker_escalation",
            edge_pips=math.floor(self.ev_lower * PRICE_SCALE),
            post_only=False,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "filled": self.walk.filled,
            "avg_price": float(self.walk.avg_price),
            "worst_price": self.walk.worst_price,
            "fee": self.walk.fee,
            "notional": self.walk.notional,
            "ev_lower": self.ev_lower,
            "sizing": self.sizing.as_dict(),
        }


def plan_taker(
    request: TakerRequest,
    fees: FeeSchedule,
    ev: EvConfig,
    kelly: KellyConfig,
    config: TakerConfig,
) -> TakerPlan | Verdict:
    """Size a taker buy by Kelly at the far touch, walk the asks, and re-check the edge at
    the worst level touched with the walked fee (the conservative price), against the maker
    threshold plus the escalation margin."""
    strict = EvConfig(threshold=ev.threshold + config.edge_margin, frictions=ev.frictions)
    walked = _size_and_walk(request, fees, strict, kelly)
    if isinstance(walked, Verdict):
        return walked
    walk, sizing, book = walked
    final = _taker_ev(request, walk.worst_price, walk.filled, book, fees, strict)
    if not final.passed or final.ev_lower is None or final.frictions is None:
        return final.verdict
    # The gate prices the fee at one price; the walk paid it level by level.
    extra_fee = max(0.0, walk.fee / walk.filled - final.frictions.fee)
    ev_lower = final.ev_lower - extra_fee
    if not ev_lower > strict.threshold:
        detail = f"walked ev_lower={ev_lower:.6f} <= {strict.threshold}"
        return Verdict.veto(GATE, GateVeto.EV_BELOW_THRESHOLD, detail)
    return TakerPlan(walk, ev_lower, sizing)


def _size_and_walk(
    request: TakerRequest, fees: FeeSchedule, strict: EvConfig, kelly: KellyConfig
) -> tuple[BookWalk, Sizing, BookContext] | Verdict:
    if not request.asks:
        return Verdict.veto(GATE, GateVeto.NO_DEPTH, "no asks to take")
    depth = sum(size for _, size in request.asks)
    book = BookContext(request.spread_ticks, request.tick, depth)
    best = request.asks[0][0]
    probe = _taker_ev(request, best, max(request.min_size, 1), book, fees, strict)
    if not probe.passed or probe.ev_lower is None:
        return probe.verdict
    sizing = kelly_size(request.equity, probe.ev_lower, best, request.min_size, kelly)
    if isinstance(sizing, Verdict):
        return sizing
    walk = walk_book(request.asks, sizing.size, fees)
    if walk.filled < max(request.min_size, 1):
        return Verdict.veto(GATE, GateVeto.NO_DEPTH, f"walk filled {walk.filled} < min size")
    return walk, sizing, book


def _taker_ev(
    request: TakerRequest,
    price: int,
    size: int,
    book: BookContext,
    fees: FeeSchedule,
    config: EvConfig,
) -> EvResult:
    return ev_gate(
        request.p_low,
        request.p_high,
        Side.BUY,
        price,
        size,
        book,
        request.toxicity,
        fees,
        config,
        liquidity=Liquidity.TAKER,
    )
