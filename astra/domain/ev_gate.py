"""The EV gate: a conservative lower bound on net expected value per share.

The probabilities are for the token being traded winning (a strategy buying NO passes the
NO token's band, 1 − p_high .. 1 − p_low). Conservative means the bound that hurts:
- BUY at price p:  EV = p_low − p   (we only believe the low end of the band)
- SELL at price p: EV = p − p_high
then minus the frictions (`frictions.py`). Approval needs EV strictly above the threshold.

Every input is validated first and a bad one is a veto with a named reason: NaN or inf is
`non_finite_input`, anything out of its range `out_of_range_input`, no depth `no_depth`.
The final EV is checked for finiteness too, so no arithmetic surprise can approve a trade
(the original approved on NaN because `NaN <= threshold` is false).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from decimal import Decimal

from astra.domain.frictions import BookContext, FrictionConfig, Frictions, compute_frictions
from astra.domain.market import FeeSchedule
from astra.domain.prices import ONE, PRICE_SCALE, Side
from astra.domain.reasons import GateVeto
from astra.domain.trading import Liquidity
from astra.domain.verdict import Verdict

GATE = "ev"


@dataclass(frozen=True, slots=True)
class EvConfig:
    threshold: float = 0.005
    frictions: FrictionConfig = field(default_factory=FrictionConfig)

    def __post_init__(self) -> None:
        if not math.isfinite(self.threshold):
            raise ValueError(f"EV threshold {self.threshold} is not finite")


@dataclass(frozen=True, slots=True)
class EvResult:
    verdict: Verdict
    ev_gross: float | None  # None when the inputs never allowed a computation
    ev_lower: float | None
    frictions: Frictions | None

    @property
    def passed(self) -> bool:
        return self.verdict.passed

    def as_dict(self) -> dict[str, object]:
        return {
            "passed": self.verdict.passed,
            "reason": None if self.verdict.reason is None else str(self.verdict.reason),
            "detail": self.verdict.detail,
            "ev_gross": self.ev_gross,
            "ev_lower": self.ev_lower,
            "frictions": None if self.frictions is None else self.frictions.as_dict(),
        }


def _veto(reason: GateVeto, detail: str) -> EvResult:
    return EvResult(Verdict.veto(GATE, reason, detail), None, None, None)


def _check_number(name: str, value: object, *, integral: bool) -> EvResult | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return _veto(GateVeto.OUT_OF_RANGE_INPUT, f"{name} is not a number: {value!r}")
    if not math.isfinite(float(value)):
        return _veto(GateVeto.NON_FINITE_INPUT, f"{name}={value}")
    if integral and not isinstance(value, numbers.Integral):
        return _veto(GateVeto.OUT_OF_RANGE_INPUT, f"{name} must be an integer, got {value!r}")
    return None


def _check_ranges(
    p_low: float, p_high: float, price: int, size: int, book: BookContext, toxicity: float
) -> EvResult | None:
    problems = [
        (not 0.0 <= p_low <= p_high <= 1.0, f"need 0 <= p_low={p_low} <= p_high={p_high} <= 1"),
        (not 0 < price < ONE, f"price {price} pips outside (0, {ONE})"),
        (size <= 0, f"size {size} <= 0"),
        (book.spread_ticks < 0, f"spread {book.spread_ticks} ticks < 0"),
        (not 0.0 <= toxicity <= 1.0, f"toxicity {toxicity} outside [0, 1]"),
    ]
    for bad, detail in problems:
        if bad:
            return _veto(GateVeto.OUT_OF_RANGE_INPUT, detail)
    if book.depth_micros <= 0:
        return _veto(GateVeto.NO_DEPTH, f"depth {book.depth_micros} <= 0: no slippage estimate")
    return None


def _validate(
    p_low: float,
    p_high: float,
    side: Side,
    price: int,
    size: int,
    book: BookContext,
    toxicity: float,
    fees: FeeSchedule,
) -> EvResult | None:
    checks: list[tuple[str, object, bool]] = [
        ("p_low", p_low, False),
        ("p_high", p_high, False),
        ("toxicity", toxicity, False),
        ("price_pips", price, True),
        ("size_micros", size, True),
        ("spread_ticks", book.spread_ticks, True),
        ("depth_micros", book.depth_micros, True),
    ]
    for name, value, integral in checks:
        bad = _check_number(name, value, integral=integral)
        if bad is not None:
            return bad
    side_value: object = side  # callers outside the type checker can pass anything
    if not isinstance(side_value, Side):
        return _veto(GateVeto.OUT_OF_RANGE_INPUT, f"unknown side {side!r}")
    if not (isinstance(fees.rate, Decimal) and fees.rate.is_finite()):
        return _veto(GateVeto.NON_FINITE_INPUT, f"fee rate {fees.rate!r}")
    if fees.rate < 0 or fees.exponent < 0:
        return _veto(GateVeto.OUT_OF_RANGE_INPUT, f"fee schedule {fees!r}")
    return _check_ranges(p_low, p_high, price, size, book, toxicity)


def ev_gate(
    p_low: float,
    p_high: float,
    side: Side,
    price_pips: int,
    size_micros: int,
    book: BookContext,
    toxicity: float,
    fees: FeeSchedule,
    config: EvConfig,
    liquidity: Liquidity = Liquidity.MAKER,
) -> EvResult:
    """Lower-bound net EV per share of trading `size` at `price`, and the verdict."""
    bad = _validate(p_low, p_high, side, price_pips, size_micros, book, toxicity, fees)
    if bad is not None:
        return bad
    price = price_pips / PRICE_SCALE
    gross = float(p_low) - price if side is Side.BUY else price - float(p_high)
    frictions = compute_frictions(
        fees, price_pips, size_micros, book, float(toxicity), liquidity, config.frictions
    )
    lower = gross - frictions.total
    if not math.isfinite(lower):
        return EvResult(
            Verdict.veto(GATE, GateVeto.NON_FINITE_INPUT, "EV is not finite"), None, None, None
        )
    if lower > config.threshold:
        verdict = Verdict.ok(GATE, f"ev_lower={lower:.6f} > {config.threshold}")
    else:
        verdict = Verdict.veto(
            GATE, GateVeto.EV_BELOW_THRESHOLD, f"ev_lower={lower:.6f} <= {config.threshold}"
        )
    return EvResult(verdict, gross, lower, frictions)
