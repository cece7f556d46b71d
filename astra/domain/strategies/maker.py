"""Two-sided, inventory-aware maker in the Avellaneda–Stoikov style.

Prices are in probability units of the YES token. With mid m, inventory q (YES-equivalent
shares: YES held minus NO held, since buying NO is selling YES exposure and a YES+NO pair is
worth exactly 1), risk aversion γ, mid variance σ² per second and horizon τ seconds:

    reservation  r = m − q·γ·σ²·τ
    half-spread  δ = (γσ²τ/2 + (1/γ)·ln(1 + γ/k)) · (1 + w·toxicity)

k is the order-arrival decay estimated from recent trades (`intensity.py`), σ² the rolling
mid variance (`mid_variance.py`); each falls back to its configured default until warm. The
bid is at r − δ and the ask at r + δ; each side is expressed by `maker_routes`: the ask is a
SELL of held YES or a BUY NO at 1 − (r + δ), the bid a BUY YES or a SELL of held NO, chosen
explicitly (journaled under `analysis.bid/ask`), so the maker quotes both sides around its
inventory and never sells what it does not hold. A side whose fill would push |q| past the
inventory cap is not quoted (its size is cut to the room left, and dropped below the minimum).

The EV gate does not judge a quote against r (the maker's own wish): each target's
`edge_pips` is its edge over an independent fair value (`fair_value.py`: the YES microprice
corrected by the adverse selection measured from the maker's own fill markouts, as a
conservative band), edge = fair-value lower bound − price − frictions.
Defensive: the spread widens with the toxicity score; a toxic flag or a WIDE/BROKEN regime
on either token withdraws everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from astra.domain.prices import (
    PRICE_SCALE,
    SIZE_SCALE,
    Side,
)
from astra.domain.reasons import GateVeto
from astra.domain.strategies.fair_value import (
    AdverseSelection,
    FairValueConfig,
    fair_band,
    microprice,
)
from astra.domain.strategies.guards import (
    analysis_items,
    no_quote,
    toxicity_score,
    view_blocker,
)
from astra.domain.strategies.intensity import ArrivalIntensity, IntensityConfig
from astra.domain.strategies.maker_routes import SideRequest, quote_side
from astra.domain.strategies.mid_variance import RollingMidVariance
from astra.domain.strategies.protocol import (
    DecisionAction,
    MarketView,
    QuoteTarget,
    StrategyDecision,
    TokenView,
)


@dataclass(frozen=True, slots=True)
class MakerConfig:
    name: str = "maker"
    risk_aversion: float = 1.0  # γ, per share
    horizon_ms: int = 60_000  # τ (capped by the time left to the market's end)
    order_size: int = 10 * SIZE_SCALE
    inventory_cap: int = 200 * SIZE_SCALE  # |YES − NO| micro-shares
    sigma2_default: float = 2e-6  # mid variance per second until estimated (≈1¢/min)
    k_default: float = 100.0  # arrival decay per unit price until estimated (≈1/1¢)
    toxicity_widen: float = 1.0  # w: δ × (1 + w·score)
    default_toxicity: float = 0.5  # used when the view carries no score
    max_book_age_ms: int = 60_000
    size_step: int = 10_000
    intensity: IntensityConfig = field(default_factory=IntensityConfig)
    mid_window_ms: int = 600_000
    min_mid_moves: int = 10
    fair_value: FairValueConfig = field(default_factory=FairValueConfig)

    def __post_init__(self) -> None:
        positives = (self.risk_aversion, self.sigma2_default, self.k_default)
        if not all(math.isfinite(v) and v > 0.0 for v in positives):
            raise ValueError("maker risk_aversion, sigma2_default and k_default must be > 0")
        if min(self.horizon_ms, self.order_size, self.inventory_cap, self.size_step) <= 0:
            raise ValueError("maker horizon, order size, inventory cap and step must be > 0")
        if not (math.isfinite(self.toxicity_widen) and self.toxicity_widen >= 0.0):
            raise ValueError(f"maker toxicity_widen {self.toxicity_widen} must be >= 0")


class MakerStrategy:
    def __init__(self, config: MakerConfig | None = None) -> None:
        self._config = config or MakerConfig()
        self._intensity = ArrivalIntensity(self._config.intensity)
        self._mids = RollingMidVariance(self._config.mid_window_ms, self._config.min_mid_moves)
        self._adverse = AdverseSelection(self._config.fair_value)

    @property
    def name(self) -> str:
        return self._config.name

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        self._learn(view, now_ms)
        blocked = view_blocker(view, now_ms, self._config.max_book_age_ms)
        if blocked is not None:
            return no_quote(self.name, view, blocked[0], blocked[1])
        analysis: dict[str, Any] = {}
        model = self._model(view, now_ms, analysis)
        if model is None:
            return no_quote(self.name, view, GateVeto.NON_FINITE_INPUT, "model", analysis)
        if isinstance(model, tuple):
            return no_quote(self.name, view, model[0], model[1], analysis)
        micro = microprice(view.yes.best_bid, view.yes.best_ask)
        if micro is None:
            return no_quote(self.name, view, GateVeto.NO_QUOTABLE_PRICE, "no YES touch", analysis)
        adverse = self._adverse.estimate()
        band = fair_band(micro, adverse)
        analysis.update(fair_value=band.as_dict(), adverse_selection=adverse.as_dict())
        cfg = self._config
        requests = (
            SideRequest(
                True,
                model.reservation - model.half_spread,
                model.inventory_room_yes(),
                cfg.order_size,
                cfg.size_step,
            ),
            SideRequest(
                False,
                model.reservation + model.half_spread,
                model.inventory_room_no(),
                cfg.order_size,
                cfg.size_step,
            ),
        )
        sides = (
            quote_side(view, requests[0], band, analysis),
            quote_side(view, requests[1], band, analysis),
        )
        return self._decide(view, sides, analysis)

    # -- learning --------------------------------------------------------------------
    def _learn(self, view: MarketView, now_ms: int) -> None:
        mids = {t.asset_id: _mid_pips(t) for t in view.tokens}
        for trade in view.trades:
            mid = mids.get(trade.asset_id)
            if mid is not None:
                self._intensity.observe(trade, mid, now_ms)
        for fill in view.fills:
            is_yes = fill.asset_id == view.info.yes_token
            direction = 1 if (fill.side is Side.BUY) == is_yes else -1
            price = fill.price / PRICE_SCALE
            self._adverse.on_fill(direction, price if is_yes else 1.0 - price, fill.ts_ms)
        yes_mid = mids[view.yes.asset_id]
        if yes_mid is not None and view.yes.synced:
            self._mids.observe(yes_mid / PRICE_SCALE, now_ms)
            self._adverse.on_mid(yes_mid / PRICE_SCALE, now_ms)

    # -- model -----------------------------------------------------------------------
    def _model(
        self, view: MarketView, now_ms: int, analysis: dict[str, Any]
    ) -> _Model | tuple[GateVeto, str] | None:
        cfg = self._config
        mid_pips = _mid_pips(view.yes)
        if mid_pips is None:
            return GateVeto.NO_QUOTABLE_PRICE, "no two-sided YES book"
        horizon_ms = cfg.horizon_ms
        if view.info.end_date_ms is not None:
            horizon_ms = min(horizon_ms, view.info.end_date_ms - now_ms)
        if horizon_ms <= 0:
            return GateVeto.EXPIRED, f"market end {view.info.end_date_ms} passed"
        sigma2 = self._mids.variance_per_s(now_ms)
        intensity = self._intensity.estimate(now_ms)
        k = cfg.k_default if intensity is None else intensity.k
        sigma2_used = cfg.sigma2_default if sigma2 is None else sigma2
        tox = toxicity_score(view, cfg.default_toxicity)
        q = view.yes_position - view.no_position
        model = _Model.build(
            mid_pips / PRICE_SCALE, q, cfg, sigma2_used, k, horizon_ms / 1000.0, tox
        )
        analysis.update(
            mid=mid_pips / PRICE_SCALE,
            q_shares=q / SIZE_SCALE,
            sigma2_per_s=sigma2_used,
            sigma2_source="default" if sigma2 is None else "rolling",
            k=k,
            k_source="default" if intensity is None else "trades",
            trades=0 if intensity is None else intensity.trades,
            arrival_rate_per_s=None if intensity is None else intensity.rate_per_s,
            tau_s=horizon_ms / 1000.0,
            toxicity=tox,
            reservation=model.reservation,
            half_spread=model.half_spread,
        )
        return model if model.finite() else None

    def _decide(
        self,
        view: MarketView,
        sides: tuple[QuoteTarget | tuple[GateVeto, str], QuoteTarget | tuple[GateVeto, str]],
        analysis: dict[str, Any],
    ) -> StrategyDecision:
        targets = tuple(s for s in sides if isinstance(s, QuoteTarget))
        vetoes = [s for s in sides if not isinstance(s, QuoteTarget)]
        analysis["sides"] = {
            name: (
                {
                    "asset_id": s.asset_id,
                    "side": s.side.value,
                    "price": s.price,
                    "size": s.size,
                    "edge_pips": s.edge_pips,
                }
                if isinstance(s, QuoteTarget)
                else {"veto": s[0], "detail": s[1]}
            )
            for name, s in zip(("bid", "ask"), sides, strict=True)
        }
        if not targets:
            detail = "; ".join(d for _, d in vetoes)
            return no_quote(self.name, view, vetoes[0][0], detail, analysis)
        return StrategyDecision(
            self.name,
            DecisionAction.QUOTE,
            targets=targets,
            detail="; ".join(d for _, d in vetoes),
            analysis=analysis_items(analysis),
        )


@dataclass(frozen=True, slots=True)
class _Model:
    reservation: float
    half_spread: float
    q_micros: int
    cap: int

    @classmethod
    def build(
        cls,
        mid: float,
        q_micros: int,
        cfg: MakerConfig,
        sigma2: float,
        k: float,
        tau_s: float,
        toxicity: float,
    ) -> _Model:
        gamma = cfg.risk_aversion
        q = q_micros / SIZE_SCALE
        reservation = mid - q * gamma * sigma2 * tau_s
        base = gamma * sigma2 * tau_s / 2.0 + math.log1p(gamma / k) / gamma
        half = base * (1.0 + cfg.toxicity_widen * toxicity)
        return cls(reservation, half, q_micros, cfg.inventory_cap)

    def finite(self) -> bool:
        return math.isfinite(self.reservation) and math.isfinite(self.half_spread)

    def inventory_room_yes(self) -> int:
        """Buying YES raises q: room until +cap."""
        return max(0, self.cap - self.q_micros)

    def inventory_room_no(self) -> int:
        """Buying NO lowers q: room until −cap."""
        return max(0, self.cap + self.q_micros)


def _mid_pips(token: TokenView) -> float | None:
    if token.best_bid is None or token.best_ask is None:
        return None
    if token.best_bid[0] >= token.best_ask[0]:
        return None
    return (token.best_bid[0] + token.best_ask[0]) / 2.0
