"""Flow toxicity: regimes (TIGHT on one-tick books), OFI, churn, gating, bounds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.book import TokenBook
from astra.domain.events import BookSnapshot, Trade
from astra.domain.prices import Side, Tick
from astra.domain.toxicity import (
    SpreadRegime,
    ToxicityConfig,
    ToxicityState,
    classify_spread,
    ofi_contribution,
)

CFG = ToxicityConfig(window=20, min_samples=5, vpin_bucket_volume=100, vpin_min_buckets=2)


def book_of(bid: tuple[int, int] | None, ask: tuple[int, int] | None, tick: Tick) -> TokenBook:
    book = TokenBook("Y", tick)
    book.apply_snapshot(
        BookSnapshot(
            market="m", asset_id="Y", ts_ms=1,
            bids=(bid,) if bid else (), asks=(ask,) if ask else (),
        )
    )  # fmt: skip
    return book


@pytest.mark.parametrize(
    ("bid", "ask", "tick", "regime"),
    [
        (4900, 5000, Tick.T0_01, SpreadRegime.TIGHT),  # one tick: the original said NORMAL
        (1000, 1100, Tick.T0_01, SpreadRegime.TIGHT),  # the original said BROKEN (9.5 %)
        (100, 200, Tick.T0_01, SpreadRegime.TIGHT),
        (4000, 5000, Tick.T0_1, SpreadRegime.TIGHT),  # one tick on the coarse grid
        (4900, 4905, Tick.T0_0001, SpreadRegime.TIGHT),
        (4900, 5100, Tick.T0_01, SpreadRegime.NORMAL),
        (4900, 5200, Tick.T0_01, SpreadRegime.NORMAL),
        (4900, 5500, Tick.T0_01, SpreadRegime.WIDE),
        (4000, 5000, Tick.T0_01, SpreadRegime.WIDE),
        (3000, 5000, Tick.T0_01, SpreadRegime.BROKEN),
        (5000, 5000, Tick.T0_01, SpreadRegime.BROKEN),  # locked
        (5100, 5000, Tick.T0_01, SpreadRegime.BROKEN),  # crossed
    ],
)
def test_spread_regime(bid: int, ask: int, tick: Tick, regime: SpreadRegime) -> None:
    assert classify_spread(book_of((bid, 1), (ask, 1), tick), CFG) is regime


def test_one_sided_and_unsynced_books_are_broken() -> None:
    assert classify_spread(book_of((4900, 1), None, Tick.T0_01), CFG) is SpreadRegime.BROKEN
    assert classify_spread(TokenBook("Y", Tick.T0_01), CFG) is SpreadRegime.BROKEN


def test_ofi_contribution_hand_computed() -> None:
    # bid size grows at the same price: +20; ask unchanged: 0
    assert ofi_contribution(((4900, 10), (5000, 10)), ((4900, 30), (5000, 10))) == 20
    # bid steps up (+new size 5), ask steps up (+old ask size 10 leaves)
    assert ofi_contribution(((4900, 10), (5000, 10)), ((4950, 5), (5050, 7))) == 15
    # ask steps down: -7 new ask size; bid unchanged
    assert ofi_contribution(((4900, 10), (5000, 10)), ((4900, 10), (4990, 7))) == -7


def test_warm_up_is_neutral_but_regime_is_real() -> None:
    state = ToxicityState(CFG)
    for i in range(4):
        state.on_book(book_of((4900, 10 + 50 * i), None, Tick.T0_01), now_ms=i)
    snap = state.snapshot()
    assert snap.samples == 4
    assert snap.regime is SpreadRegime.BROKEN  # one-sided even during warm-up
    assert (snap.ofi, snap.churn, snap.score, snap.toxic) == (0.0, 0.0, 0.0, False)


def test_persistent_bid_pressure_gives_positive_ofi_and_churn() -> None:
    state = ToxicityState(CFG)
    for i in range(10):
        state.on_book(book_of((4000 + 10 * i, 10), (4200, 10), Tick.T0_001), now_ms=i)
    snap = state.snapshot()
    assert snap.samples == 10
    assert snap.ofi == 1.0
    assert snap.churn == pytest.approx(9 / 10)  # every observation but the first moved
    assert snap.regime is SpreadRegime.NORMAL  # 11 ticks of 0.001 but only 1.1 cents
    assert 0.0 < snap.score <= 1.0


def test_quiet_balanced_book_is_not_toxic() -> None:
    state = ToxicityState(CFG)
    book = book_of((4900, 10), (5000, 10), Tick.T0_01)
    for i in range(10):
        state.on_book(book, now_ms=i)
    snap = state.snapshot()
    assert (snap.ofi, snap.churn, snap.score, snap.toxic) == (0.0, 0.0, 0.0, False)
    assert snap.regime is SpreadRegime.TIGHT


def test_one_way_flow_on_a_broken_book_is_toxic() -> None:
    state = ToxicityState(CFG, flip_asset="N")
    for i in range(10):
        state.on_book(book_of((1000 + 100 * i, 10), (9000, 1), Tick.T0_01), now_ms=i)
        state.on_trade(Trade("m", "Y", i, 5000, 100, Side.BUY, f"t{i}"), now_ms=i)
        # buying NO is selling YES, so NO sells are YES buys: still one-way flow
        state.on_trade(Trade("m", "N", i, 5000, 100, Side.SELL, f"n{i}"), now_ms=i)
    snap = state.snapshot()
    assert snap.vpin == 1.0
    assert snap.toxic
    assert snap.score == pytest.approx(0.3 + 0.2 * 0.9 + 0.3 + 0.2)
    assert snap.updated_ms == 9


def test_vpin_gated_until_min_buckets() -> None:
    state = ToxicityState(CFG)
    state.on_trade(Trade("m", "Y", 1, 5000, 100, Side.BUY, "t"), now_ms=1)
    assert state.snapshot().vpin == 0.0
    assert state.snapshot().vpin_buckets == 1


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="min_samples"):
        ToxicityConfig(window=5, min_samples=6)
    with pytest.raises(ValueError, match="weights"):
        ToxicityConfig(weight_ofi=0.9, weight_vpin=0.9)


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 98), st.integers(1, 98), st.integers(1, 10**6), st.integers(1, 10**6),
            st.integers(0, 300), st.sampled_from(list(Side)),
        ),
        max_size=60,
    )
)  # fmt: skip
def test_score_and_vpin_stay_in_unit_interval(
    steps: list[tuple[int, int, int, int, int, Side]],
) -> None:
    state = ToxicityState(CFG)
    for i, (b, a, qb, qa, trade, side) in enumerate(steps):
        state.on_book(book_of((b * 100, qb), (a * 100, qa), Tick.T0_01), now_ms=i)
        state.on_trade(Trade("m", "Y", i, 5000, trade, side, str(i)), now_ms=i)
        snap = state.snapshot()
        assert 0.0 <= snap.score <= 1.0
        assert 0.0 <= snap.vpin <= 1.0
        assert -1.0 <= snap.ofi <= 1.0
        assert 0.0 <= snap.churn <= 1.0
        assert snap.toxic == (snap.samples >= CFG.min_samples and snap.score >= CFG.threshold)
