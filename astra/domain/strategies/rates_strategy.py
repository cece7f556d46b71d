"""Rates decision strategy: the crypto threshold path with the rates prior as its model.

Contract -> prior frame for the contract's central bank (fresh, for this meeting) ->
`estimate_rates` band -> the EV gate on the lower bound, capped Kelly and maker quote of
`CryptoThresholdStrategy`. No prior is `no_prior`: the category is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astra.domain.contracts.contract import DefinitionContract, RatesEventContract
from astra.domain.models.frames import RatesPrior
from astra.domain.models.rates import RatesEstimate, RatesModelConfig, estimate_rates
from astra.domain.reasons import GateVeto
from astra.domain.strategies.crypto_threshold import (
    BandInputs,
    CryptoThresholdConfig,
    CryptoThresholdStrategy,
)
from astra.domain.strategies.model_checks import checked_contract, frame_for
from astra.domain.strategies.protocol import MarketView
from astra.domain.verdict import Verdict

GATE = "rates_inputs"


@dataclass(frozen=True, slots=True)
class RatesInputsConfig:
    model: RatesModelConfig = field(default_factory=RatesModelConfig)
    prior_stale_ms: int = 86_400_000  # a prior older than a day is not today's opinion

    def __post_init__(self) -> None:
        if self.prior_stale_ms <= 0:
            raise ValueError("prior_stale_ms must be > 0")


@dataclass(frozen=True, slots=True)
class RatesInputs:
    contract: RatesEventContract
    definition_hash: str
    prior: RatesPrior
    estimate: RatesEstimate

    def analysis(self, now_ms: int) -> dict[str, object]:
        return {
            "definition_hash": self.definition_hash,
            "prior": self.prior.as_dict(),
            "prior_age_ms": now_ms - self.prior.as_of_ms,
            "estimate": self.estimate.as_dict(),
        }


def rates_inputs(
    contract: DefinitionContract | None,
    view: MarketView,
    now_ms: int,
    config: RatesInputsConfig,
) -> RatesInputs | Verdict:
    checked = checked_contract(contract, RatesEventContract, view, now_ms, GATE)
    if isinstance(checked, Verdict):
        return checked
    rates, digest = checked
    frame = frame_for(rates, view)
    if not isinstance(frame, RatesPrior):
        return Verdict.veto(GATE, GateVeto.NO_PRIOR, f"no prior for {rates.body}")
    age = now_ms - frame.as_of_ms
    if age > config.prior_stale_ms:
        detail = f"prior age {age} ms > {config.prior_stale_ms}"
        return Verdict.veto(GATE, GateVeto.FORECAST_STALE, detail)
    found = estimate_rates(rates, frame, config.model)
    if isinstance(found, Verdict):
        return found
    return RatesInputs(rates, digest, frame, found)


class RatesStrategy(CryptoThresholdStrategy):
    def __init__(
        self,
        contract: DefinitionContract | None,
        config: CryptoThresholdConfig | None = None,
        inputs: RatesInputsConfig | None = None,
    ) -> None:
        super().__init__(contract, config or CryptoThresholdConfig(name="rates_event"))
        self._inputs = inputs or RatesInputsConfig()

    def _model_inputs(self, view: MarketView, now_ms: int) -> BandInputs | Verdict:
        return rates_inputs(self._contract, view, now_ms, self._inputs)
