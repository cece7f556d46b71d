"""The rates model against hand-computed prior masses, its vetoes, and bucket-sum properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.contracts.contract import RateAction
from astra.domain.models.rates import (
    RatesEstimate,
    RatesModelConfig,
    bucket_probabilities,
    contract_probability,
    estimate_rates,
    outcome_distribution,
)
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

from .cases import MEETING, prior, rates

CONFIG = RatesModelConfig()


def est(contract: object, pr: object = None) -> RatesEstimate:
    found = estimate_rates(contract, pr or prior(), CONFIG)  # type: ignore[arg-type]
    assert isinstance(found, RatesEstimate), found
    return found


def test_hand_computed_bucket_masses_and_bands() -> None:
    cut = est(rates())
    assert (cut.p_hat, cut.p_low, cut.p_high) == pytest.approx((0.30, 0.25, 0.35))
    assert est(rates(RateAction.HOLD)).p_hat == pytest.approx(0.65)
    assert est(rates(RateAction.HIKE)).p_hat == pytest.approx(0.05)
    big = est(rates(change=50))
    # An outcome the prior leaves out is unlikely, not impossible: the upper bound stays.
    assert (big.p_hat, big.p_low, big.p_high) == pytest.approx((0.0, 0.0, 0.05))


def test_at_least_sums_every_outcome_as_large() -> None:
    pr = prior(((-50, 0.1), (-25, 0.3), (0, 0.6)))
    assert est(rates(change=25, comparison="at_least"), pr).p_hat == pytest.approx(0.4)
    assert est(rates(change=50, comparison="at_least"), pr).p_hat == pytest.approx(0.1)


def test_a_prior_off_by_rounding_is_renormalised_but_not_a_wrong_one() -> None:
    close = outcome_distribution(prior(((-25, 0.3), (0, 0.69))), CONFIG.sum_tolerance)
    assert isinstance(close, dict)
    assert math.fsum(close.values()) == pytest.approx(1.0, abs=1e-12)
    assert close[-25] == pytest.approx(0.3 / 0.99)
    wrong = outcome_distribution(prior(((-25, 0.3), (0, 0.5))), CONFIG.sum_tolerance)
    assert isinstance(wrong, Verdict)
    assert wrong.reason is GateVeto.OUT_OF_RANGE_INPUT


@pytest.mark.parametrize(
    ("outcomes", "lower", "reason"),
    [
        ((), 425, GateVeto.NO_PRIOR),
        (((0, 0.5), (0, 0.5)), 425, GateVeto.NO_PRIOR),
        (((0, float("nan")), (-25, 0.5)), 425, GateVeto.NON_FINITE_INPUT),
        (((0, 1.5),), 425, GateVeto.NON_FINITE_INPUT),
        (((-25, 0.2), (0, 0.8)), 0, GateVeto.OUT_OF_RANGE_INPUT),  # no cut below zero
    ],
)
def test_unusable_priors_are_vetoed_by_name(
    outcomes: tuple[tuple[int, float], ...], lower: int, reason: GateVeto
) -> None:
    found = estimate_rates(rates(), prior(outcomes, lower_bp=lower), CONFIG)
    assert isinstance(found, Verdict)
    assert found.reason is reason


def test_a_prior_for_another_meeting_or_bank_is_no_prior() -> None:
    other_meeting = prior()
    later = type(other_meeting)(
        "fed", MEETING + 60 * 86_400_000, 425, 450, other_meeting.outcomes, 0
    )
    found = estimate_rates(rates(), later, CONFIG)
    assert isinstance(found, Verdict)
    assert found.reason is GateVeto.NO_PRIOR
    ecb = type(other_meeting)("ecb", MEETING, 200, 225, other_meeting.outcomes, 0)
    found = estimate_rates(rates(), ecb, CONFIG)
    assert isinstance(found, Verdict)
    assert found.reason is GateVeto.NO_PRIOR


_OUTCOMES = st.lists(
    st.tuples(st.sampled_from(range(-100, 101, 25)), st.floats(0.0, 1.0)),
    min_size=1,
    max_size=9,
    unique_by=lambda pair: pair[0],
).filter(lambda pairs: sum(p for _, p in pairs) > 0.01)


@settings(max_examples=300, deadline=None)
@given(raw=_OUTCOMES, named=st.lists(st.sampled_from(range(-100, 101, 25)), unique=True))
def test_an_events_buckets_sum_to_one(raw: list[tuple[int, float]], named: list[int]) -> None:
    total = sum(p for _, p in raw)
    scaled = tuple((bp, p / total) for bp, p in raw)
    dist = outcome_distribution(prior(scaled), CONFIG.sum_tolerance)
    assert isinstance(dist, dict)
    probs = bucket_probabilities(dist, named)
    assert all(0.0 <= p <= 1.0 + 1e-12 for p in probs)
    assert math.fsum(probs) == pytest.approx(1.0, abs=1e-9)
    # The exact cut/hold/hike contracts of the named buckets read the same masses.
    for bp, p in zip(named, probs, strict=False):
        action = RateAction.CUT if bp < 0 else RateAction.HIKE if bp > 0 else RateAction.HOLD
        assert contract_probability(rates(action, abs(bp)), dist) == pytest.approx(p)
