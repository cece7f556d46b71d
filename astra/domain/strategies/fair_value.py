"""An independent fair value for the maker: the microprice corrected by measured adverse
selection, as a conservative band (see docs/strategies.md).

The maker's reservation price is where it *wants* to trade (mid shifted by inventory); it
cannot also be the yardstick of its own edge. The yardstick here is built only from the
book and the maker's own fills:

* microprice m = (bid·ask_size + ask·bid_size) / (bid_size + ask_size) of the YES touch —
  the touch weighted toward the side more likely to be taken next;
* adverse selection a: after each of our fills, the YES mid `horizon_ms` later tells how
  much the market moved against the fill ("markout"; a loss is a positive cost). The cost
  per share is the mean of the recent markout costs, shrunk toward a prior with
  `prior_weight` pseudo-fills (so a few lucky fills cannot talk it down), plus `z` standard
  errors — an upper bound on the cost;
* the band: YES is worth at least m − a_ub (to a buyer of YES) and at most m + a_ub (to a
  seller of YES); NO's band is 1 minus that.

Edge (per share, in price units) of a maker quote at price p = fair-value lower bound of
what we get − what we give − frictions: BUY YES: (m − a_ub) − p − fee; SELL YES (or its
equivalent BUY NO at 1 − p): p − (m + a_ub) − fee. Fees are counted when positive; a maker
rebate is never counted as edge (conservative).

`AdverseSelection` takes plain inputs (fill side, price, time; mids over time), so any
source of markouts can feed it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from astra.domain.events import Level
from astra.domain.prices import PRICE_SCALE


@dataclass(frozen=True, slots=True)
class FairValueConfig:
    horizon_ms: int = 5_000  # markout horizon: the mid this long after a fill
    window: int = 50  # recent markouts kept
    prior_cost: float = 0.002  # adverse selection per share assumed before any is measured
    prior_sd: float = 0.01  # spread of one markout assumed until two are measured
    prior_weight: float = 5.0  # pseudo-fills of the prior
    z: float = 1.0  # standard errors added to the cost (one-sided bound)

    def __post_init__(self) -> None:
        values = (self.prior_cost, self.prior_sd, self.prior_weight, self.z)
        if not all(math.isfinite(v) and v >= 0.0 for v in values) or self.prior_weight <= 0:
            raise ValueError("fair value prior, spread, weight and z must be finite and >= 0")
        if self.horizon_ms <= 0 or self.window <= 0:
            raise ValueError("fair value horizon and window must be > 0")


@dataclass(frozen=True, slots=True)
class AdverseEstimate:
    cost: float  # shrunk mean cost per share (price units)
    upper: float  # cost + z standard errors
    measured: int  # markouts behind it

    def as_dict(self) -> dict[str, float | int]:
        return {"cost": self.cost, "upper": self.upper, "measured": self.measured}


class AdverseSelection:
    """Markouts of our own fills, in YES terms: a YES buy (or NO sell) is direction +1."""

    def __init__(self, config: FairValueConfig | None = None) -> None:
        self._config = config or FairValueConfig()
        self._pending: deque[tuple[int, int, float]] = deque()  # (due ms, direction, price)
        self._costs: deque[float] = deque(maxlen=self._config.window)

    def on_fill(self, direction: int, yes_price: float, ts_ms: int) -> None:
        if direction not in (1, -1) or not math.isfinite(yes_price):
            return
        self._pending.append((ts_ms + self._config.horizon_ms, direction, yes_price))

    def on_mid(self, yes_mid: float, now_ms: int) -> None:
        """Settle every fill whose horizon has passed against this mid."""
        if not math.isfinite(yes_mid):
            return
        while self._pending and self._pending[0][0] <= now_ms:
            _, direction, price = self._pending.popleft()
            self._costs.append(-direction * (yes_mid - price))

    def estimate(self) -> AdverseEstimate:
        cfg = self._config
        n = len(self._costs)
        weight = cfg.prior_weight + n
        cost = (cfg.prior_cost * cfg.prior_weight + sum(self._costs)) / weight
        sd = cfg.prior_sd
        if n >= 2:
            mean = sum(self._costs) / n
            sd = math.sqrt(sum((c - mean) ** 2 for c in self._costs) / (n - 1))
        # Favourable markouts never make the cost negative: no fill is "better than fair".
        cost = max(cost, 0.0)
        return AdverseEstimate(cost, cost + cfg.z * sd / math.sqrt(weight), n)


def microprice(bid: Level | None, ask: Level | None) -> float | None:
    """Size-weighted touch in price units; None without a proper two-sided touch."""
    if bid is None or ask is None or bid[0] >= ask[0]:
        return None
    total = bid[1] + ask[1]
    if total <= 0:
        return (bid[0] + ask[0]) / 2.0 / PRICE_SCALE
    return (bid[0] * ask[1] + ask[0] * bid[1]) / total / PRICE_SCALE


@dataclass(frozen=True, slots=True)
class FairBand:
    """YES fair value bounds; `lower` for what buying YES is worth, `upper` for selling."""

    micro: float
    lower: float
    upper: float

    def buy_edge(self, yes_price: float, fee_per_share: float) -> float:
        return self.lower - yes_price - max(fee_per_share, 0.0)

    def sell_edge(self, yes_price: float, fee_per_share: float) -> float:
        return yes_price - self.upper - max(fee_per_share, 0.0)

    def as_dict(self) -> dict[str, float]:
        return {"microprice": self.micro, "lower": self.lower, "upper": self.upper}


def fair_band(micro: float, adverse: AdverseEstimate) -> FairBand:
    return FairBand(micro, micro - adverse.upper, micro + adverse.upper)
