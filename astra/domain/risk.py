"""The risk state: the only place that says yes to an order. Pure; the RiskActor owns one.

States: ACTIVE; REDUCING (a soft limit is near, or the operator asked: only orders that reduce
exposure pass); HALTED (one or more halt reasons are active: every submit is refused, cancels
always pass).

Halts: `daily_loss` when equity falls `daily_loss_frac` below the start-of-day equity (the UTC
day rolls at 00:00, and the day's start equity is the last equity seen before the roll);
`drawdown` when equity falls `max_drawdown_frac` below its peak; any other reason when the
owner calls `halt`. A halt lifts only through `resume`, and only when (1) no condition of an
active reason still holds, (2) the cooldown since the latest halt has passed, and (3) the
operator asks, or the auto-resume policy allows it for condition halts. A drawdown only clears
by recovery or by the operator re-basing the peak (`rebase_peak`), an explicit act.
The halts every start and stop make (`PROCESS_HALTS`: startup, risk actor restart, shutdown)
are not risk events: they do not start the cooldown (a cooldown after every start would keep
the trader idle for its length), so they lift on the first resume the other halts allow.

Caps (from actual positions marked to the latest mids, against current equity): max notional
per order, per-market, per-category and per-event-group exposure, and an order-rate limit. An
order's exposure is its notional for a BUY and (1 − p)·size for a SELL beyond holdings (a
short's risk). A YES+NO pair counts at its worst case, zero (`risk_exposure`); a SELL of
held shares, or a BUY of the complement of a held leg up to its size, only reduces exposure
and passes the caps. Every fill is followed by a merge of the market's complete pairs into
collateral (`Ledger.merge_pairs`), as the venue's merge would.
"""

from __future__ import annotations

import enum
import functools
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from astra.domain.ledger import Ledger
from astra.domain.prices import ONE, Side, notional_micros
from astra.domain.reasons import GateVeto, HaltReason
from astra.domain.risk_exposure import completes_pairs, netted_values
from astra.domain.risk_limits import MS_PER_DAY, AutoResume, RiskLimits
from astra.domain.trading import Fill, OrderIntent
from astra.domain.verdict import Verdict

GATE = "risk"
CONDITION_HALTS = frozenset({HaltReason.DAILY_LOSS, HaltReason.DRAWDOWN})
PROCESS_HALTS = frozenset({HaltReason.STARTUP, HaltReason.RISK_ACTOR_RESTART, HaltReason.SHUTDOWN})


class TradingState(enum.StrEnum):
    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


@dataclass(frozen=True, slots=True)
class Halt:
    reason: HaltReason
    since_ms: int
    detail: str


class RiskState:
    def __init__(self, limits: RiskLimits, ledger: Ledger, now_ms: int) -> None:
        self.limits = limits
        self.ledger = ledger
        self._marks: dict[str, int] = {}
        self._equity = ledger.equity(self._marks)
        self._peak = self._equity
        self._day = now_ms // MS_PER_DAY
        self._day_start = self._equity
        self._halts: dict[HaltReason, Halt] = {}
        self._last_halt_ms: int | None = None
        self._operator_reducing = False
        self._categories: dict[str, str] = {}
        self._events: dict[str, str] = {}  # market -> event group id (Gamma's)
        self._resting: dict[str, tuple[str, int]] = {}  # market -> (category, notional)
        self._recent: deque[int] = deque()

    # -- reading --

    @property
    def halted(self) -> bool:
        """`state is HALTED`, without evaluating the soft-breach conditions."""
        return bool(self._halts)

    @property
    def state(self) -> TradingState:
        if self._halts:
            return TradingState.HALTED
        if self._operator_reducing or self._soft_breach():
            return TradingState.REDUCING
        return TradingState.ACTIVE

    @property
    def halts(self) -> Mapping[HaltReason, Halt]:
        return dict(self._halts)

    @property
    def equity(self) -> int:
        return self._equity

    @property
    def peak_equity(self) -> int:
        return self._peak

    @property
    def day_start_equity(self) -> int:
        return self._day_start

    def daily_loss(self) -> Fraction:
        """Loss since the start of the day as a fraction of start-of-day equity (>= 0)."""
        if self._day_start <= 0:
            return Fraction(1)
        return max(Fraction(0), Fraction(self._day_start - self._equity, self._day_start))

    def drawdown(self) -> Fraction:
        if self._peak <= 0:
            return Fraction(1)
        return max(Fraction(0), Fraction(self._peak - self._equity, self._peak))

    def exposure(
        self, market: str | None = None, category: str | None = None, event: str | None = None
    ) -> int:
        """Marked value of positions net of YES+NO pairs, optionally of one market, one
        category or one event group."""
        total = 0
        values = netted_values(self.ledger, self._marks)
        for asset, pos in self.ledger.positions.items():
            if market is not None and pos.market != market:
                continue
            if category is not None and self._categories.get(pos.market, "other") != category:
                continue
            if event is not None and self._events.get(pos.market) != event:
                continue
            total += values[asset]
        return total

    def resting(self, category: str | None = None, excluding: str | None = None) -> int:
        """Resting-order notional as each market last reported it with an approval (plus
        what that approval added), optionally of one category, without one market. A
        market's figure falls with its fills and its next approval (a cancel is not seen
        before): an overstatement, never an understatement. Cleared by every halt."""
        return sum(
            value
            for market, (cat, value) in self._resting.items()
            if market != excluding and (category is None or cat == category)
        )

    # -- conditions --

    def _condition_holds(self, reason: HaltReason, scale: float = 1.0) -> bool:
        if reason is HaltReason.DAILY_LOSS:
            return self.daily_loss() >= _frac(self.limits.daily_loss_frac) * _frac(scale)
        if reason is HaltReason.DRAWDOWN:
            return self.drawdown() >= _frac(self.limits.max_drawdown_frac) * _frac(scale)
        return False

    def _soft_breach(self) -> bool:
        return any(self._condition_holds(r, self.limits.reduce_at) for r in CONDITION_HALTS)

    def _condition_detail(self) -> str:
        return f"daily_loss={float(self.daily_loss()):.4f} drawdown={float(self.drawdown()):.4f}"

    def _roll_day(self, now_ms: int) -> None:
        day = now_ms // MS_PER_DAY
        if day > self._day:  # a clock that steps back never rewinds the day
            self._day = day
            self._day_start = self._equity

    def _refresh(self, now_ms: int) -> TradingState:
        self._roll_day(now_ms)
        self._equity = self.ledger.equity(self._marks)
        self._peak = max(self._peak, self._equity)
        for reason in (HaltReason.DAILY_LOSS, HaltReason.DRAWDOWN):
            if self._condition_holds(reason):
                self.halt(reason, now_ms, self._condition_detail())
        if self._halts and self.limits.auto_resume is AutoResume.WHEN_CLEARED:
            self.resume(now_ms, operator=False)
        return self.state

    # -- inputs --

    def on_fill(self, fill: Fill, now_ms: int) -> TradingState:
        if self.ledger.apply_fill(fill):
            self.ledger.merge_pairs(fill.market, fill.ts_ms)
        self._fill_leaves_resting(fill)
        return self._refresh(now_ms)

    def _fill_leaves_resting(self, fill: Fill) -> None:
        """What filled is a position now, no longer a resting order of its market."""
        held = self._resting.get(fill.market)
        if held is None:
            return
        price = fill.price if fill.side is Side.BUY else ONE - fill.price
        category, value = held
        self._resting[fill.market] = (category, max(value - notional_micros(price, fill.size), 0))

    def on_marks(self, marks: Mapping[str, int], now_ms: int) -> TradingState:
        """New mids (pips) per asset; updates equity, the day, the peak, and halts."""
        for asset, mark in marks.items():
            if isinstance(mark, int) and not isinstance(mark, bool) and 0 <= mark <= ONE:
                self._marks[asset] = mark
        return self._refresh(now_ms)

    def halt(self, reason: HaltReason, now_ms: int, detail: str = "") -> bool:
        """Add a halt reason; True if it was not already active. The cooldown restarts,
        except for a process halt (`PROCESS_HALTS`)."""
        # Every halt cancels every resting order, and nothing rests again before a resume.
        self._resting.clear()
        if reason in self._halts:
            return False
        self._halts[reason] = Halt(reason, now_ms, detail)
        if reason not in PROCESS_HALTS:
            self._last_halt_ms = (
                now_ms if self._last_halt_ms is None else max(self._last_halt_ms, now_ms)
            )
        return True

    def set_reducing(self, on: bool) -> None:
        """Operator switch: REDUCING until switched off (a halt still takes precedence)."""
        self._operator_reducing = on

    def rebase_peak(self, now_ms: int) -> None:
        """Operator acknowledgement of a drawdown: the current equity becomes the peak."""
        self._roll_day(now_ms)
        self._peak = self._equity

    def resume(self, now_ms: int, *, operator: bool) -> Verdict:
        if not self._halts:
            return Verdict.ok(GATE, "not halted")
        self._roll_day(now_ms)
        persisting = sorted(r for r in self._halts if self._condition_holds(r))
        if persisting:
            return Verdict.veto(GATE, GateVeto.HALTED, f"condition persists: {persisting}")
        last = self._last_halt_ms
        ready_ms = now_ms if last is None else last + self.limits.cooldown_ms
        if now_ms < ready_ms:
            return Verdict.veto(GATE, GateVeto.HALTED, f"cooldown until {ready_ms}")
        if not operator and not self._auto_resumable():
            return Verdict.veto(GATE, GateVeto.HALTED, "needs an operator resume")
        lifted = sorted(self._halts)
        self._halts.clear()
        return Verdict.ok(GATE, f"resumed from {lifted}")

    def _auto_resumable(self) -> bool:
        if self.limits.auto_resume is AutoResume.NEVER:
            return False
        return set(self._halts) <= CONDITION_HALTS

    # -- decisions --

    def check_cancel(self) -> Verdict:
        """Cancels always pass, in every state: they only ever reduce risk."""
        return Verdict.ok(GATE, "cancel")

    def check_intent(self, intent: OrderIntent, now_ms: int) -> Verdict:
        self._roll_day(now_ms)
        if self._halts:
            return Verdict.veto(GATE, GateVeto.HALTED, f"halted: {sorted(self._halts)}")
        if not _valid_numbers(intent):
            return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, f"price/size of {intent!r}")
        self._prune(now_ms)
        if len(self._recent) >= self.limits.max_orders_per_window:
            return Verdict.veto(GATE, GateVeto.ORDER_RATE_LIMIT, f"{len(self._recent)} in window")
        if not self._reduces(intent):
            veto = self._check_increase(intent)
            if veto is not None:
                return veto
            self._resting[intent.market] = (
                intent.category,
                intent.resting_notional + _notional(intent),
            )
        self._recent.append(now_ms)
        self._categories.setdefault(intent.market, intent.category)
        if intent.event_id:
            self._events.setdefault(intent.market, intent.event_id)
        return Verdict.ok(GATE, "approved")

    def _reduces(self, intent: OrderIntent) -> bool:
        held = self.ledger.position(intent.asset_id)
        sells_held = intent.side is Side.SELL and held is not None and held.size >= intent.size
        return sells_held or completes_pairs(self.ledger, intent)

    def _check_increase(self, intent: OrderIntent) -> Verdict | None:
        if self.state is TradingState.REDUCING:
            return Verdict.veto(GATE, GateVeto.REDUCING_ONLY, "only exposure-reducing orders")
        notional = _notional(intent)
        if notional > self.limits.max_order_notional:
            return Verdict.veto(GATE, GateVeto.MAX_ORDER_NOTIONAL, f"{notional} micros")
        if self._equity <= 0:
            return Verdict.veto(GATE, GateVeto.NON_POSITIVE_EQUITY, f"equity {self._equity}")
        # Positions plus resting orders: a resting order is exposure the moment it fills.
        pending = intent.resting_notional + notional
        market_after = self.exposure(market=intent.market) + pending
        if Fraction(market_after) > _frac(self.limits.market_cap_frac) * self._equity:
            return Verdict.veto(GATE, GateVeto.MARKET_EXPOSURE_CAP, f"{market_after} micros")
        category = self._categories.get(intent.market, intent.category)
        others = self.resting(category=category, excluding=intent.market)
        category_after = self.exposure(category=category) + others + pending
        cap = _frac(self.limits.category_cap(category)) * self._equity
        if Fraction(category_after) > cap:
            return Verdict.veto(
                GATE, GateVeto.CATEGORY_EXPOSURE_CAP, f"{category} {category_after}"
            )
        return self._check_event(intent, pending)

    def _check_event(self, intent: OrderIntent, pending: int) -> Verdict | None:
        event = self._events.get(intent.market, intent.event_id)
        if not event:
            return None
        others = sum(
            value
            for market, (_, value) in self._resting.items()
            if market != intent.market and self._events.get(market) == event
        )
        after = self.exposure(event=event) + others + pending
        if Fraction(after) > _frac(self.limits.event_cap_frac) * self._equity:
            return Verdict.veto(GATE, GateVeto.EVENT_EXPOSURE_CAP, f"{event} {after}")
        return None

    def _prune(self, now_ms: int) -> None:
        while self._recent and self._recent[0] <= now_ms - self.limits.order_window_ms:
            self._recent.popleft()

    # -- persistence --

    def snapshot(self) -> dict[str, Any]:
        return {
            "halts": [
                {"reason": str(h.reason), "since_ms": h.since_ms, "detail": h.detail}
                for h in sorted(self._halts.values(), key=lambda h: h.reason)
            ],
            "last_halt_ms": self._last_halt_ms,
            "peak_equity": self._peak,
            "day": self._day,
            "day_start_equity": self._day_start,
            "marks": dict(sorted(self._marks.items())),
            "categories": dict(sorted(self._categories.items())),
            "events": dict(sorted(self._events.items())),
            "recent_orders": list(self._recent),
            "operator_reducing": self._operator_reducing,
            "ledger": self.ledger.snapshot(),
        }

    def durable(self) -> dict[str, Any]:
        """What a restart must not rebuild from an at-cost replay (journaled with every
        equity record; `restore_durable` puts it back): the high-water mark, the day and its
        start equity, the cooldown's last halt and the marks of what is held."""
        return {
            "equity": self._equity,
            "peak_equity": self._peak,
            "day": self._day,
            "day_start_equity": self._day_start,
            "daily_pnl": self._equity - self._day_start,
            "last_halt_ms": self._last_halt_ms,
            "marks": {a: m for a, m in sorted(self._marks.items()) if a in self.ledger.positions},
        }

    def restore_durable(self, durable: Mapping[str, Any], now_ms: int) -> TradingState:
        """Put back what `durable()` journaled, after the journal's fills are replayed: the
        marks, the journaled peak (the replay's at-cost peak is not the marked one), the day's
        start equity (a day that rolled while down starts at the last equity journaled, as it
        would have uninterrupted) and the cooldown; then refresh, so a limit that was breached
        before the restart halts again. Malformed input raises ValueError (fail closed)."""
        try:
            marks = {str(a): _pips(m) for a, m in dict(durable["marks"]).items()}
            peak, day, day_start, equity = (
                _micros(durable[k]) for k in ("peak_equity", "day", "day_start_equity", "equity")
            )
            last_halt = (
                None if durable["last_halt_ms"] is None else _micros(durable["last_halt_ms"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed durable risk state: {exc!r}") from exc
        self._marks.update({a: m for a, m in marks.items() if a in self.ledger.positions})
        self._peak = peak
        today = now_ms // MS_PER_DAY
        if today == day:
            self._day, self._day_start = day, day_start
        elif today > day:
            self._day, self._day_start = today, equity
        if last_halt is not None:
            current = self._last_halt_ms
            self._last_halt_ms = last_halt if current is None else max(current, last_halt)
        return self._refresh(now_ms)

    @classmethod
    def restore(cls, snapshot: Mapping[str, Any], limits: RiskLimits) -> RiskState:
        """Rebuild from `snapshot()`; halts survive. Malformed input raises (fail closed)."""
        try:
            ledger = Ledger.restore(snapshot["ledger"])
            state = cls(limits, ledger, int(snapshot["day"]) * MS_PER_DAY)
            state._marks = {str(a): int(m) for a, m in snapshot["marks"].items()}
            state._equity = ledger.equity(state._marks)
            state._peak = int(snapshot["peak_equity"])
            state._day_start = int(snapshot["day_start_equity"])
            for raw in snapshot["halts"]:
                reason = HaltReason(raw["reason"])
                state._halts[reason] = Halt(reason, int(raw["since_ms"]), str(raw["detail"]))
            last = snapshot["last_halt_ms"]
            state._last_halt_ms = None if last is None else int(last)
            state._categories = {str(m): str(c) for m, c in snapshot["categories"].items()}
            state._events = {str(m): str(e) for m, e in snapshot.get("events", {}).items()}
            state._recent = deque(int(t) for t in snapshot["recent_orders"])
            state._operator_reducing = bool(snapshot["operator_reducing"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"malformed risk snapshot: {exc!r}") from exc
        return state


def _micros(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an int, got {value!r}")
    return value


def _pips(value: object) -> int:
    if not 0 <= (pips := _micros(value)) <= ONE:
        raise ValueError(f"mark out of range: {pips}")
    return pips


@functools.lru_cache(maxsize=256)
def _frac(value: float) -> Fraction:
    """A configured fraction as the decimal it was written as (0.05 is 1/20, not 0.05000…3)."""
    return Fraction(repr(value))


def _valid_numbers(intent: OrderIntent) -> bool:
    for value in (intent.price, intent.size, intent.resting_notional):
        if isinstance(value, bool) or not isinstance(value, int):
            return False
    return 0 < intent.price < ONE and intent.size > 0 and intent.resting_notional >= 0


def _notional(intent: OrderIntent) -> int:
    """What the order adds to exposure if it fills (a sell is a buy of the other side)."""
    price = intent.price if intent.side is Side.BUY else ONE - intent.price
    return notional_micros(price, intent.size)
