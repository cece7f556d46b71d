"""The maker's independent fair value: microprice and adverse selection by hand."""

from __future__ import annotations

import math

import pytest

from astra.domain.prices import Side
from astra.domain.strategies.fair_value import (
    AdverseSelection,
    FairValueConfig,
    fair_band,
    microprice,
)
from astra.domain.strategies.maker import MakerStrategy
from astra.domain.trading import Fill, Liquidity

from .scenario import INFO, NOW_MS, SHARE, view


def test_microprice_leans_toward_the_thin_side() -> None:
    assert microprice((4900, 100), (5100, 100)) == pytest.approx(0.5)
    # Little on the ask: the next trade likely lifts it, fair value is nearer the ask.
    assert microprice((4900, 300), (5100, 100)) == pytest.approx(
        (4900 * 100 + 5100 * 300) / 400 / 1e4
    )
    assert microprice((5000, 1), (5000, 1)) is None
    assert microprice(None, (5100, 1)) is None


def test_adverse_selection_shrinks_markouts_toward_the_prior() -> None:
    cfg = FairValueConfig(horizon_ms=1_000, prior_cost=0.002, prior_sd=0.01, prior_weight=4.0)
    adverse = AdverseSelection(cfg)
    prior = adverse.estimate()
    assert (prior.cost, prior.measured) == (0.002, 0)
    assert prior.upper == pytest.approx(0.002 + 0.01 / 2)
    # Two YES buys at 0.50; one second later the mid is 0.47: each lost 0.03 per share.
    adverse.on_fill(1, 0.50, 0)
    adverse.on_fill(1, 0.50, 10)
    adverse.on_mid(0.47, 999)  # not due yet
    assert adverse.estimate().measured == 0
    adverse.on_mid(0.47, 1_010)
    est = adverse.estimate()
    assert est.measured == 2
    assert est.cost == pytest.approx((0.002 * 4 + 0.03 + 0.03) / 6)
    assert est.upper == pytest.approx(est.cost)  # two equal markouts: zero spread
    # A YES sale (direction -1) followed by a rise is also adverse.
    adverse.on_fill(-1, 0.40, 2_000)
    adverse.on_mid(0.45, 3_000)
    assert adverse.estimate().cost == pytest.approx((0.008 + 0.03 + 0.03 + 0.05) / 7)


def test_favourable_markouts_never_make_the_cost_negative() -> None:
    adverse = AdverseSelection(FairValueConfig(horizon_ms=1, prior_weight=1.0))
    for n in range(5):
        adverse.on_fill(1, 0.40, n)
    adverse.on_mid(0.60, 100)
    assert adverse.estimate().cost == 0.0


def test_band_edges_are_lower_bound_minus_price_minus_fees() -> None:
    band = fair_band(0.5, AdverseSelection(FairValueConfig(prior_sd=0.0)).estimate())
    assert (band.lower, band.upper) == (pytest.approx(0.498), pytest.approx(0.502))
    assert band.buy_edge(0.48, 0.001) == pytest.approx(0.498 - 0.48 - 0.001)
    assert band.sell_edge(0.52, -0.5) == pytest.approx(0.52 - 0.502)  # a rebate is not edge


def _fill(n: int, asset: str, side: Side, price: int) -> Fill:
    return Fill(
        f"f{n}", "o", INFO.condition_id, asset, side, price, 10 * SHARE, 0, Liquidity.MAKER, NOW_MS
    )


def test_the_makers_edge_falls_with_its_own_adverse_markouts() -> None:
    maker = MakerStrategy()
    calm = maker.evaluate(view(4900, 5100, spot=None, toxicity_score=0.0), NOW_MS)
    edge_before = {t.asset_id: t.edge_pips for t in calm.targets}
    # Our YES bids filled at 0.48 and NO bids at 0.48 (= YES sold at 0.52); 5 s later the
    # mid is still 0.5, so every fill marked out +0.02 in our favour.
    fills = tuple(_fill(n, "yes" if n % 2 else "no", Side.BUY, 4800) for n in range(10))
    maker.evaluate(view(4900, 5100, spot=None, toxicity_score=0.0, fills=fills), NOW_MS)
    later = NOW_MS + 5_000
    good = maker.evaluate(view(4900, 5100, spot=None, toxicity_score=0.0), later)
    assert good.payload()["analysis"]["adverse_selection"]["measured"] == 10
    assert good.payload()["analysis"]["adverse_selection"]["cost"] == 0.0
    edge_good = {t.asset_id: t.edge_pips for t in good.targets}
    assert all(edge_good[a] > edge_before[a] for a in edge_before)
    # Now fills that the market runs over: YES bought at 0.48, mid 0.40 five seconds later.
    bad_maker = MakerStrategy()
    bought = tuple(_fill(n, "yes", Side.BUY, 4800) for n in range(10))
    bad_maker.evaluate(view(4900, 5100, spot=None, toxicity_score=0.0, fills=bought), NOW_MS)
    bad = bad_maker.evaluate(view(3900, 4100, spot=None, toxicity_score=0.0), later)
    cost = bad.payload()["analysis"]["adverse_selection"]["cost"]
    assert cost == pytest.approx((0.002 * 5 + 10 * 0.08) / 15)
    assert math.isfinite(bad.payload()["analysis"]["fair_value"]["lower"])
    assert all(t.edge_pips < 0 for t in bad.targets)  # the EV gate will refuse them
