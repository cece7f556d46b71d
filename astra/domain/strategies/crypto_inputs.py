"""The crypto threshold strategy's model stage: contract -> spot -> vol -> lognormal band.

Each step either produces its output or a veto naming what is missing, so a market with no
contract, a lint failure, no or stale spot, too little spot history, or an expired
measurement never reaches pricing. `ModelInputs.analysis()` is what the decision records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astra.domain.contracts.contract import CryptoThresholdContract, DefinitionContract, Kind
from astra.domain.contracts.definition_gate import definition_gate
from astra.domain.estimator import Estimate, EstimatorConfig, estimate, years_until
from astra.domain.reasons import GateVeto
from astra.domain.strategies.protocol import MarketView, SpotView
from astra.domain.strategies.spot_state import spot_age_ms, spot_symbol
from astra.domain.verdict import Verdict
from astra.domain.volatility import MIN_RETURNS, VolEstimate, estimate_vol

GATE = "crypto_inputs"


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """`vol_annual` > 0 fixes the volatility; otherwise it is realised vol of the spot path
    (its sampling-error band widens the estimator's band, never narrows it)."""

    estimator: EstimatorConfig = field(default_factory=EstimatorConfig)
    vol_annual: float = 0.0
    spot_stale_ms: int = 10_000
    min_returns: int = MIN_RETURNS


@dataclass(frozen=True, slots=True)
class ModelInputs:
    contract: CryptoThresholdContract
    definition_hash: str
    spot: SpotView
    vol: float
    vol_source: str
    n_returns: int
    estimate: Estimate

    def analysis(self, now_ms: int) -> dict[str, object]:
        return {
            "definition_hash": self.definition_hash,
            "spot_symbol": self.spot.symbol,
            "spot": str(self.spot.price),
            "spot_age_ms": spot_age_ms(self.spot, now_ms),
            "vol_source": self.vol_source,
            "vol_returns": self.n_returns,
            "estimate": self.estimate.as_dict(),
        }


def _veto(reason: GateVeto, detail: str) -> Verdict:
    return Verdict.veto(GATE, reason, detail)


def check_contract(
    contract: DefinitionContract | None, view: MarketView, now_ms: int
) -> tuple[CryptoThresholdContract, str] | Verdict:
    """The market's own linted crypto threshold contract (and its hash), before its cutoff."""
    verdict = definition_gate(contract, now_ms=now_ms)
    if not verdict.passed:
        return verdict
    if not isinstance(contract, CryptoThresholdContract):
        kind = type(contract).__name__
        return _veto(GateVeto.UNSUPPORTED_CONTRACT, f"{kind} is not a crypto threshold contract")
    if contract.market_id != view.info.condition_id:
        return _veto(GateVeto.NO_CONTRACT, f"contract is for {contract.market_id}")
    start = contract.window_start_ms
    if contract.kind is Kind.TOUCH and start is not None and now_ms < start:
        # A touch before its window would count pre-window paths: p_low would be optimistic.
        return _veto(GateVeto.WINDOW_NOT_OPEN, f"touch window opens at {start}")
    return contract, verdict.detail


def check_spot(
    contract: CryptoThresholdContract, spot: SpotView | None, now_ms: int, stale_ms: int
) -> SpotView | Verdict:
    wanted = spot_symbol(contract)
    if spot is None:
        return _veto(GateVeto.NO_SPOT, f"no spot for {wanted}")
    if spot.symbol.lower() != wanted:
        return _veto(GateVeto.NO_SPOT, f"spot is {spot.symbol}, contract needs {wanted}")
    if not spot.price.is_finite() or spot.price <= 0:
        return _veto(GateVeto.NON_FINITE_INPUT, f"spot price {spot.price}")
    age = spot_age_ms(spot, now_ms)
    if age > stale_ms:
        return _veto(GateVeto.SPOT_STALE, f"spot age {age} ms > {stale_ms}")
    return spot


def _vol(spot: SpotView, config: ModelConfig) -> tuple[float, str, int, float] | Verdict:
    """(vol, source, n_returns, relative band) or the vol estimator's veto."""
    if config.vol_annual > 0.0:
        return config.vol_annual, "configured", 0, config.estimator.vol_rel_band
    found = estimate_vol(spot.samples, spot.sample_interval_ms, min_returns=config.min_returns)
    if not isinstance(found, VolEstimate):
        return found
    band = max(found.rel_band, config.estimator.vol_rel_band)
    return found.vol_annual, "realised", found.n_returns, band


def model_inputs(
    contract: DefinitionContract | None, view: MarketView, now_ms: int, config: ModelConfig
) -> ModelInputs | Verdict:
    checked = check_contract(contract, view, now_ms)
    if isinstance(checked, Verdict):
        return checked
    crypto, digest = checked
    spot = check_spot(crypto, view.spot, now_ms, config.spot_stale_ms)
    if isinstance(spot, Verdict):
        return spot
    vol = _vol(spot, config)
    if isinstance(vol, Verdict):
        return vol
    sigma, source, n_returns, band = vol
    est_config = EstimatorConfig(vol_rel_band=band, min_half_width=config.estimator.min_half_width)
    found = estimate(
        str(crypto.kind),
        float(spot.price),
        float(crypto.strike),
        sigma,
        years_until(now_ms, crypto.cutoff_ms),
        str(crypto.direction),
        est_config,
    )
    if isinstance(found, Verdict):
        return found
    return ModelInputs(crypto, digest, spot, sigma, source, n_returns, found)
