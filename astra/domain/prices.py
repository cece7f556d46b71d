"""Exact prices and sizes.

Prices are integers in *pips* of 1e-4 (the finest Polymarket tick), so every grid
(0.1, 0.01, 0.001, 0.0001) is an integer multiple and rounding never touches a float.
Sizes are integers in micro-shares (1e-6, the collateral's precision).
Decimal appears only at the edges (parsing venue strings, formatting output).
"""

from __future__ import annotations

import enum
from decimal import Decimal, InvalidOperation

PRICE_SCALE = 10_000  # pips per 1.0
SIZE_SCALE = 1_000_000  # micro-shares per share
ONE = PRICE_SCALE  # price of a winning share, in pips

_PRICE_Q = Decimal(1) / PRICE_SCALE
_SIZE_Q = Decimal(1) / SIZE_SCALE


class Side(enum.StrEnum):
    """Order side. BUY rests on the bid, SELL on the ask."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class PriceError(ValueError):
    """A price or size that cannot be represented exactly, or is out of bounds."""


class Tick(enum.Enum):
    """The venue's tick grids; the value is the tick in pips."""

    T0_1 = 1000
    T0_01 = 100
    T0_001 = 10
    T0_0001 = 1

    _value_: int

    @property
    def pips(self) -> int:
        # `_value_` directly: `.value` is an enum descriptor several times slower, and the
        # hot path reads a tick's pips a few times per event.
        return self._value_

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.value) / PRICE_SCALE

    @property
    def decimals(self) -> int:
        """Number of decimal places a price on this grid is written with."""
        return {1000: 1, 100: 2, 10: 3, 1: 4}[self.value]

    @classmethod
    def parse(cls, text: str | float | Decimal) -> Tick:
        """Parse '0.01' (or the number 0.01, as Gamma sends it) into a Tick."""
        try:
            pips = to_pips(text)
        except PriceError as exc:
            raise PriceError(f"unknown tick size {text!r}") from exc
        for tick in cls:
            if tick.value == pips:
                return tick
        raise PriceError(f"unknown tick size {text!r}")

    def __str__(self) -> str:
        return format_price(self.value, self)


def _decimal(text: str | float | Decimal, what: str) -> Decimal:
    if isinstance(text, bool):
        raise PriceError(f"{what} must be a number, got a bool")
    try:
        # float goes through repr so 0.01 means 0.01, not 0.01000000000000000020816...
        value = Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise PriceError(f"{what} {text!r} is not a decimal number") from exc
    if not value.is_finite():
        raise PriceError(f"{what} {text!r} is not finite")
    return value


def to_pips(text: str | float | Decimal) -> int:
    """Exact conversion of a decimal price to pips; refuses anything finer than 1e-4."""
    value = _decimal(text, "price") * PRICE_SCALE
    if value != value.to_integral_value():
        raise PriceError(f"price {text!r} is finer than 0.0001")
    return int(value)


def to_micros(text: str | float | Decimal) -> int:
    """Exact conversion of a decimal size to micro-shares; refuses negatives and sub-micro."""
    value = _decimal(text, "size") * SIZE_SCALE
    if value != value.to_integral_value():
        raise PriceError(f"size {text!r} is finer than 0.000001")
    if value < 0:
        raise PriceError(f"size {text!r} is negative")
    return int(value)


def format_price(pips: int, tick: Tick | None = None) -> str:
    """Render pips as a decimal string (with the tick's decimals when given)."""
    value = Decimal(pips) * _PRICE_Q
    if tick is None:
        return _strip(value)
    return f"{value:.{tick.decimals}f}"


def format_size(micros: int) -> str:
    return _strip(Decimal(micros) * _SIZE_Q)


def _strip(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def price_decimal(pips: int) -> Decimal:
    return Decimal(pips) * _PRICE_Q


def size_decimal(micros: int) -> Decimal:
    return Decimal(micros) * _SIZE_Q


def on_grid(pips: int, tick: Tick) -> bool:
    return pips % tick.pips == 0


def in_bounds(pips: int, tick: Tick) -> bool:
    """Tradable prices: one tick <= p <= 1 - one tick."""
    return tick.pips <= pips <= ONE - tick.pips


def round_to_tick(pips: int, tick: Tick, side: Side) -> int:
    """Round a price onto the grid *away from crossing*: BUY down, SELL up."""
    if side is Side.BUY:
        return (pips // tick.pips) * tick.pips
    return -((-pips) // tick.pips) * tick.pips


def round_decimal_to_tick(price: Decimal, tick: Tick, side: Side) -> int:
    """Round an arbitrary-precision Decimal price (e.g. a model output) onto the grid."""
    if not price.is_finite():
        raise PriceError(f"price {price!r} is not finite")
    scaled = price * PRICE_SCALE / tick.pips
    steps = int(
        scaled.to_integral_value(rounding="ROUND_FLOOR" if side is Side.BUY else "ROUND_CEILING")
    )
    return steps * tick.pips


def round_float_to_tick(price: float, tick: Tick, side: Side) -> int:
    """`round_decimal_to_tick(Decimal(repr(price)), tick, side)`, in integers only.

    A model output's shortest repr, e.g. "0.4567", is the exact fraction 4567 / 10**4, so
    the grid step is an integer floor (BUY) or ceiling (SELL) division; no Decimal is built
    on the quoting path. Reprs with an exponent, and nan/inf, take the Decimal route."""
    text = repr(price)
    whole, dot, frac = text.partition(".")
    if not dot or "e" in frac:
        return round_decimal_to_tick(Decimal(text), tick, side)
    numerator = int(whole + frac) * PRICE_SCALE  # int("-0" + "5") is -5: the sign carries
    places: int = 10 ** len(frac)  # int ** int types as Any; a non-negative power is int
    denominator = places * tick.pips
    if side is Side.BUY:
        return numerator // denominator * tick.pips
    return -(-numerator // denominator) * tick.pips


def complement(pips: int) -> int:
    """YES at p mirrors NO at 1 - p."""
    return ONE - pips


def notional_micros(price_pips: int, size_micros: int) -> int:
    """Collateral value of `size` shares at `price`, in micro-units, rounded down (exact floor)."""
    return (price_pips * size_micros) // PRICE_SCALE
