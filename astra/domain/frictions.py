"""The cost of trading one share, in probability points (fractions of 1 collateral).

Three parts, each a non-negative number per share:
- fee: from the market's own fee schedule (`fees.py`). A post-only maker order pays no fee
  (a rebate is not counted: it is paid later and pro rata, so counting it would be
  optimistic); a taker order (escalation) pays the taker curve rate·(p(1−p))^e.
- slippage: k_spread × half the quoted spread (absolute price units, not relative to mid —
  a relative spread blows up at low prices) plus k_depth × size/depth (the share of the
  visible depth the order would need). No depth means no estimate, which is a veto upstream;
  thin books are never "floored" up to look deeper.
- adverse selection: base_buffer × (1 + k_toxicity × toxicity), toxicity ∈ [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from astra.domain.fees import taker_fee
from astra.domain.market import FeeSchedule
from astra.domain.prices import PRICE_SCALE, Tick
from astra.domain.trading import Liquidity


@dataclass(frozen=True, slots=True)
class FrictionConfig:
    k_spread: float = 0.5
    k_depth: float = 0.01
    base_slip: float = 0.0
    base_buffer: float = 0.002
    k_toxicity: float = 1.0

    def __post_init__(self) -> None:
        for name in ("k_spread", "k_depth", "base_slip", "base_buffer", "k_toxicity"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"friction parameter {name}={value} must be finite and >= 0")


@dataclass(frozen=True, slots=True)
class BookContext:
    """What the gate needs from the book: quoted spread in ticks, the tick, and the depth
    (micro-shares) on the side the order would trade against / queue behind."""

    spread_ticks: int
    tick: Tick
    depth_micros: int


@dataclass(frozen=True, slots=True)
class Frictions:
    fee: float
    slippage: float
    adverse: float
    fee_micros: int

    @property
    def total(self) -> float:
        return self.fee + self.slippage + self.adverse

    def as_dict(self) -> dict[str, float | int]:
        return {
            "fee": self.fee,
            "slippage": self.slippage,
            "adverse": self.adverse,
            "total": self.total,
            "fee_micros": self.fee_micros,
        }


def fee_per_share(
    fees: FeeSchedule, price_pips: int, size_micros: int, liquidity: Liquidity
) -> tuple[float, int]:
    """(fee per share as a fraction, total fee in micro-collateral) for this order."""
    if liquidity is Liquidity.MAKER and fees.taker_only:
        return 0.0, 0
    micros = taker_fee(fees, price_pips, size_micros)
    # micro-collateral per micro-share is collateral per share
    return micros / size_micros, micros


def compute_frictions(
    fees: FeeSchedule,
    price_pips: int,
    size_micros: int,
    book: BookContext,
    toxicity: float,
    liquidity: Liquidity,
    config: FrictionConfig,
) -> Frictions:
    """Frictions for validated inputs (size > 0, depth > 0, spread >= 0, toxicity in [0, 1])."""
    fee, fee_micros = fee_per_share(fees, price_pips, size_micros, liquidity)
    half_spread = book.spread_ticks * book.tick.pips / PRICE_SCALE / 2.0
    slippage = (
        config.base_slip
        + config.k_spread * half_spread
        + config.k_depth * (size_micros / book.depth_micros)
    )
    adverse = config.base_buffer * (1.0 + config.k_toxicity * toxicity)
    return Frictions(fee=fee, slippage=slippage, adverse=adverse, fee_micros=fee_micros)
