"""Risk limits: the numbers the risk state enforces, validated once at construction.

Fractions are of *current* equity (caps) or of start-of-day / peak equity (halts). Money is
int micro-collateral. `reduce_at` is the share of a hard halt limit at which the state moves to
REDUCING (only exposure-reducing orders) before the halt itself.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

MS_PER_DAY = 86_400_000


class AutoResume(enum.StrEnum):
    """Who may lift a halt once its condition has cleared and the cooldown has passed."""

    NEVER = "never"  # only an explicit operator resume
    WHEN_CLEARED = "when_cleared"  # also automatically, for condition halts (loss, drawdown)


@dataclass(frozen=True, slots=True)
class RiskLimits:
    daily_loss_frac: float = 0.05
    max_drawdown_frac: float = 0.15
    reduce_at: float = 0.8
    cooldown_ms: int = 300_000
    max_order_notional: int = 100_000_000  # 100 collateral
    market_cap_frac: float = 0.10
    default_category_cap_frac: float = 0.30
    category_caps: tuple[tuple[str, float], ...] = ()
    event_cap_frac: float = 0.10  # worst case of one event group (neg-risk event)
    max_orders_per_window: int = 30
    order_window_ms: int = 60_000
    auto_resume: AutoResume = AutoResume.NEVER

    def __post_init__(self) -> None:
        fractions = {
            "daily_loss_frac": self.daily_loss_frac,
            "max_drawdown_frac": self.max_drawdown_frac,
            "reduce_at": self.reduce_at,
            "market_cap_frac": self.market_cap_frac,
            "default_category_cap_frac": self.default_category_cap_frac,
            "event_cap_frac": self.event_cap_frac,
            **{f"category_caps[{name}]": cap for name, cap in self.category_caps},
        }
        for name, value in fractions.items():
            if not (math.isfinite(value) and 0.0 < value <= 1.0):
                raise ValueError(f"risk limit {name}={value} must be in (0, 1]")
        counts = {
            "cooldown_ms": (self.cooldown_ms, 0),
            "max_order_notional": (self.max_order_notional, 1),
            "max_orders_per_window": (self.max_orders_per_window, 1),
            "order_window_ms": (self.order_window_ms, 1),
        }
        for name, (value, minimum) in counts.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"risk limit {name}={value!r} must be an int >= {minimum}")
        names = [name for name, _ in self.category_caps]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate category caps: {names}")

    def category_cap(self, category: str) -> float:
        for name, cap in self.category_caps:
            if name == category:
                return cap
        return self.default_category_cap_frac
