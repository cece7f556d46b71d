"""50/50 and voided settlement, hand-computed, and settlement idempotency (docs/settlement.md).

The venue pays a resolution through the UMA CTF adapter's payout vector: [1, 0] / [0, 1] for a
winner, [1, 1] for "unknown" — 0.5 per share of either token. A canceled or voided market
(e.g. a game "not completed by" its deadline, the NBA fixtures' "this market will resolve
50-50") is settled the same way: there is no refund path on the venue.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.ledger import EntryKind, Ledger
from astra.domain.prices import Side
from astra.domain.settlement import settlement_payout
from astra.domain.trading import Fill, Liquidity, Settlement

USD = 1_000_000
SHARE = 1_000_000
YES, NO = "yes-token", "no-token"


def fill(fid: str, side: Side, asset: str, price: int, size: int, fee: int = 0) -> Fill:
    return Fill(fid, "o", "m1", asset, side, price, size, fee, Liquidity.MAKER, 1_000)


def test_split_pays_half_a_collateral_per_share_of_either_token() -> None:
    """Hand-computed: YES 1000 @ 0.40 (cost 400) and NO 200 @ 0.55 (cost 110), fee 1 paid.
    50/50: YES pays 1000 × 0.5 = 500, NO pays 200 × 0.5 = 100. Realised = (500 − 400) +
    (100 − 110) = +90; cash = 10,000 − 400 − 110 − 1 + 500 + 100 = 10,089."""
    led = Ledger(10_000 * USD)
    led.apply_fill(fill("f1", Side.BUY, YES, 4000, 1000 * SHARE, fee=1 * USD))
    led.apply_fill(fill("f2", Side.BUY, NO, 5500, 200 * SHARE))
    entries = led.settle(Settlement("m1", YES, NO, 2_000, split=True))
    assert [(e.kind, e.asset_id, e.amount) for e in entries] == [
        (EntryKind.SETTLEMENT, YES, 500 * USD),
        (EntryKind.SETTLEMENT, NO, 100 * USD),
    ]
    assert led.realized == 90 * USD
    assert led.cash == 10_089 * USD
    assert led.positions == {}
    assert led.equity({}) == 10_089 * USD  # = initial + realised − fees


def test_voided_game_settles_as_the_venue_pays_it_half_per_share() -> None:
    """A game "not completed by" its deadline resolves 50-50 (the NBA fixtures): a long
    YES 300 @ 0.70 (cost 210) gets 150 back, a 60 loss — not a refund of the 210."""
    led = Ledger(1_000 * USD)
    led.apply_fill(fill("f1", Side.BUY, YES, 7000, 300 * SHARE))
    led.settle(Settlement("m1", YES, NO, 2_000, split=True))
    assert led.realized == -60 * USD
    assert led.cash == (1_000 - 210 + 150) * USD


def test_winner_settlement_is_unchanged() -> None:
    led = Ledger(1_000 * USD)
    led.apply_fill(fill("f1", Side.BUY, YES, 4000, 100 * SHARE))
    led.apply_fill(fill("f2", Side.BUY, NO, 5000, 100 * SHARE))
    led.settle(Settlement("m1", YES, NO, 2_000))
    assert led.cash == (1_000 - 40 - 50 + 100) * USD
    assert led.realized == 10 * USD


def test_odd_micro_share_is_rounded_down_never_in_our_favour() -> None:
    split = Settlement("m1", YES, NO, 0, split=True)
    assert settlement_payout(YES, 3, split) == 1
    assert settlement_payout(NO, 1, split) == 0
    with pytest.raises(KeyError):
        settlement_payout("other", 2, split)


@given(st.integers(1, 10_000), st.integers(1, 10**9), st.booleans(), st.integers(1, 5))
def test_settling_again_changes_nothing(price: int, size: int, split: bool, repeats: int) -> None:
    price = min(price, 9_999)
    led = Ledger(10**12)
    led.apply_fill(fill("f1", Side.BUY, YES, price, size))
    first = led.settle(Settlement("m1", YES, NO, 5, split=split))
    after = (led.cash, led.realized, dict(led.positions), led.entries)
    for _ in range(repeats):
        assert led.settle(Settlement("m1", YES, NO, 6, split=split)) == ()
        assert led.settle(Settlement("m1", NO, YES, 7, split=not split)) == ()
    assert (led.cash, led.realized, dict(led.positions), led.entries) == after
    assert len(first) == 1
