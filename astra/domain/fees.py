"""Venue fees, exact.

fee = shares × rate × (p × (1 − p)) ^ exponent  (Polymarket `feeSchedule`), charged to the
taker; makers pay nothing and may receive `rebate_rate` of the taker fee as a rebate.
The venue rounds fees to 5 decimals of collateral and charges nothing below 0.00001.
Arithmetic is done with `Fraction` (exact rationals) so no float ever touches money; the
result is in micro-collateral (1e-6), always a multiple of 10 (= 0.00001).
"""

from __future__ import annotations

from fractions import Fraction

from astra.domain.market import FeeSchedule
from astra.domain.prices import ONE, PRICE_SCALE, SIZE_SCALE

FEE_QUANTUM_MICROS = 10  # 0.00001 collateral, the venue's fee precision
_MIN_FEE = Fraction(FEE_QUANTUM_MICROS)


def _round_half_up(value: Fraction) -> int:
    """Round a non-negative rational to the nearest integer, halves up."""
    return int((value * 2 + 1) // 2)


def _quantize_fee(micros: Fraction) -> int:
    """Venue rounding: below 0.00001 charges nothing, otherwise 5 decimals (half up)."""
    if micros < _MIN_FEE:
        return 0
    return _round_half_up(micros / FEE_QUANTUM_MICROS) * FEE_QUANTUM_MICROS


def _raw_taker_fee(fees: FeeSchedule, price: int, size: int) -> Fraction:
    if not 0 <= price <= ONE:
        raise ValueError(f"fee price {price} pips is outside [0, 1]")
    if size < 0:
        raise ValueError(f"fee size {size} is negative")
    if not fees.rate.is_finite() or fees.rate < 0 or fees.exponent < 0:
        raise ValueError(f"invalid fee schedule {fees!r}")
    # p(1-p) in units of 1/PRICE_SCALE**2, size in micro-shares -> fee in micro-collateral.
    curve = Fraction(price * (ONE - price), PRICE_SCALE * PRICE_SCALE) ** fees.exponent
    shares = Fraction(size, SIZE_SCALE)
    return shares * Fraction(fees.rate) * curve * SIZE_SCALE


def taker_fee(fees: FeeSchedule, price: int, size: int) -> int:
    """Taker fee in micro-collateral for `size` micro-shares filled at `price` pips."""
    return _quantize_fee(_raw_taker_fee(fees, price, size))


def maker_fee(fees: FeeSchedule, price: int, size: int, *, rebate: bool) -> int:
    """Maker fee in micro-collateral: 0 on taker-only schedules, or the negative rebate.

    The rebate is `rebate_rate` × the (rounded) taker fee the counterparty paid, itself
    rounded *down* to the fee quantum so paper P&L never overstates what the venue pays.
    A schedule that is not taker-only charges makers the taker formula.
    """
    if not fees.taker_only:
        return taker_fee(fees, price, size)
    if not rebate:
        return 0
    if not fees.rebate_rate.is_finite() or not 0 <= fees.rebate_rate <= 1:
        raise ValueError(f"invalid rebate rate {fees.rebate_rate!r}")
    earned = Fraction(fees.rebate_rate) * taker_fee(fees, price, size)
    return -int(earned // FEE_QUANTUM_MICROS) * FEE_QUANTUM_MICROS
