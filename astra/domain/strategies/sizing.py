"""Order size from equity and expected value: a capped fraction of the Kelly stake.

For a binary share bought at price c that pays 1 with probability p, the Kelly fraction of
bankroll to stake is f* = (p − c)/(1 − c). We use the *conservative* edge — the EV gate's
lower bound, net of frictions — for p − c, take `fraction` of f* (fractional Kelly: the
probability is an estimate), cap the stake at `max_stake_frac` of equity and the order's
notional at `max_notional`, and round the share count down to `size_step`. A result below the
market's minimum size is a veto (`size_below_min`), never silently bumped up to the minimum:
the original traded a hard-coded $50 whatever the edge (seed B-9).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from astra.domain.prices import ONE, PRICE_SCALE
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

GATE = "sizing"


@dataclass(frozen=True, slots=True)
class KellyConfig:
    fraction: float = 0.25
    max_stake_frac: float = 0.02
    max_notional: int = 250_000_000  # micro-collateral
    size_step: int = 10_000  # micro-shares (0.01 share)

    def __post_init__(self) -> None:
        for name in ("fraction", "max_stake_frac"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 < value <= 1.0):
                raise ValueError(f"kelly {name}={value} must be in (0, 1]")
        if self.max_notional <= 0 or self.size_step <= 0:
            raise ValueError("kelly max_notional and size_step must be positive")


@dataclass(frozen=True, slots=True)
class Sizing:
    size: int  # micro-shares
    full_kelly: float
    stake_frac: float
    limited_by: str  # "kelly", "max_stake" or "max_notional"

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "size": self.size,
            "full_kelly": self.full_kelly,
            "stake_frac": self.stake_frac,
            "limited_by": self.limited_by,
        }


def full_kelly(edge: float, price_pips: int) -> float:
    """f* = edge / (1 − c) for a share bought at c with expected edge p − c."""
    return edge / ((ONE - price_pips) / PRICE_SCALE)


def kelly_size(
    equity: int, edge: float, price_pips: int, min_size: int, config: KellyConfig
) -> Sizing | Verdict:
    """Micro-shares to buy at `price_pips` given `equity` (micro-collateral) and the
    conservative per-share `edge`, or a veto naming why not."""
    if not math.isfinite(edge):
        return Verdict.veto(GATE, GateVeto.NON_FINITE_INPUT, f"edge={edge}")
    if equity <= 0:
        return Verdict.veto(GATE, GateVeto.NON_POSITIVE_EQUITY, f"equity {equity} <= 0")
    if not 0 < price_pips < ONE or edge <= 0.0:
        return Verdict.veto(
            GATE, GateVeto.OUT_OF_RANGE_INPUT, f"price {price_pips} pips, edge {edge}"
        )
    kelly = full_kelly(edge, price_pips)
    stake_frac, limited_by = config.fraction * kelly, "kelly"
    if stake_frac > config.max_stake_frac:
        stake_frac, limited_by = config.max_stake_frac, "max_stake"
    stake = math.floor(equity * stake_frac)
    if stake > config.max_notional:
        stake, limited_by = config.max_notional, "max_notional"
    shares = stake * PRICE_SCALE // price_pips
    size = shares // config.size_step * config.size_step
    if size < max(min_size, 1):
        detail = f"kelly size {size} < min size {min_size} (stake {stake} micro, f*={kelly:.4f})"
        return Verdict.veto(GATE, GateVeto.SIZE_BELOW_MIN, detail)
    return Sizing(size=size, full_kelly=kelly, stake_frac=stake_frac, limited_by=limited_by)
