"""P(a central-bank decision lands in a contract's bucket) from a prior over the outcomes.

The prior (`RatesPrior`) gives a probability for each change in basis points at one
meeting. It is validated, not repaired: every probability finite and in [0, 1], changes
unique, the total within `sum_tolerance` of 1 (then renormalised, so the event's buckets
sum to exactly the whole), and no cut below a zero lower bound. A contract's probability
is the prior mass of the outcomes it resolves YES on: a 25 bp cut "exact" is the mass at
−25, "at least" the mass at ≤ −25; a hold is the mass at 0.

A prior is an opinion with sampling error, so the band is ± `half_width` around it
(clipped to [0, 1]); outcomes the prior gives zero mass keep the upper side (an unlisted
outcome is "unlikely", never "impossible").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from astra.domain.contracts.contract import RateAction, RatesEventContract
from astra.domain.models.frames import RatesPrior
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

GATE = "rates_model"


@dataclass(frozen=True, slots=True)
class RatesModelConfig:
    half_width: float = 0.05
    sum_tolerance: float = 0.02
    max_meeting_gap_ms: int = 7 * 86_400_000  # a prior's meeting to the contract's end date

    def __post_init__(self) -> None:
        if not 0.0 <= self.half_width < 0.5 or not 0.0 <= self.sum_tolerance < 0.5:
            raise ValueError("rates half_width and sum_tolerance must be in [0, 0.5)")
        if self.max_meeting_gap_ms < 0:
            raise ValueError("max_meeting_gap_ms must be >= 0")


def outcome_distribution(prior: RatesPrior, tolerance: float) -> dict[int, float] | Verdict:
    """The prior as change -> probability, renormalised to sum to 1, or why it is unusable."""
    changes = [bp for bp, _ in prior.outcomes]
    if not prior.outcomes or len(set(changes)) != len(changes):
        return Verdict.veto(GATE, GateVeto.NO_PRIOR, f"outcomes {changes} empty or repeated")
    for bp, p in prior.outcomes:
        if not math.isfinite(p) or not 0.0 <= p <= 1.0:
            return Verdict.veto(GATE, GateVeto.NON_FINITE_INPUT, f"P({bp} bp) = {p}")
        if p > 0.0 and prior.lower_bp + bp < 0:
            detail = f"{bp} bp from a {prior.lower_bp} bp floor"
            return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, detail)
    total = math.fsum(p for _, p in prior.outcomes)
    if not abs(total - 1.0) <= tolerance:
        return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, f"prior sums to {total:.6f}")
    return {bp: p / total for bp, p in prior.outcomes}


def signed_change(contract: RatesEventContract) -> int:
    if contract.action is RateAction.CUT:
        return -abs(contract.change_bps)
    if contract.action is RateAction.HIKE:
        return abs(contract.change_bps)
    return 0


def resolves_yes(contract: RatesEventContract, change_bp: int) -> bool:
    wanted = signed_change(contract)
    if contract.comparison != "at_least" or wanted == 0:
        return change_bp == wanted
    return change_bp <= wanted if wanted < 0 else change_bp >= wanted


def contract_probability(contract: RatesEventContract, dist: dict[int, float]) -> float:
    return min(1.0, math.fsum(p for bp, p in dist.items() if resolves_yes(contract, bp)))


def bucket_probabilities(dist: dict[int, float], buckets: Sequence[int]) -> list[float]:
    """P of each exact-change bucket of one meeting plus a final "other" bucket for the
    outcomes no bucket names: together they always sum to 1."""
    named = [dist.get(bp, 0.0) for bp in buckets]
    other = math.fsum(p for bp, p in dist.items() if bp not in set(buckets))
    return [*named, other]


@dataclass(frozen=True, slots=True)
class RatesEstimate:
    p_hat: float
    p_low: float
    p_high: float
    change_bp: int
    comparison: str
    source: str

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "p_hat": self.p_hat,
            "p_low": self.p_low,
            "p_high": self.p_high,
            "model": "rates_prior",
            "change_bp": self.change_bp,
            "comparison": self.comparison,
            "prior_source": self.source,
        }


def estimate_rates(
    contract: RatesEventContract, prior: RatesPrior, config: RatesModelConfig
) -> RatesEstimate | Verdict:
    if prior.body.lower() != contract.body.lower():
        return Verdict.veto(GATE, GateVeto.NO_PRIOR, f"prior is for {prior.body}")
    gap = contract.cutoff_ms - prior.meeting_ms
    if not 0 <= gap <= config.max_meeting_gap_ms:
        detail = f"prior meeting {prior.meeting_ms}, contract ends {contract.cutoff_ms}"
        return Verdict.veto(GATE, GateVeto.NO_PRIOR, detail)
    dist = outcome_distribution(prior, config.sum_tolerance)
    if isinstance(dist, Verdict):
        return dist
    p = contract_probability(contract, dist)
    hw = config.half_width
    return RatesEstimate(
        p,
        max(0.0, p - hw),
        min(1.0, p + hw),
        signed_change(contract),
        contract.comparison,
        prior.source,
    )
