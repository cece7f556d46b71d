"""Settlement of a resolved binary market: the winner pays 1 per share, the loser 0; a 50/50
(`Settlement.split`) pays 0.5 per share of either token (docs/settlement.md)."""

from __future__ import annotations

from astra.domain.trading import Settlement


def settlement_payout(asset_id: str, size: int, settlement: Settlement) -> int:
    """Payout in micro-collateral for `size` micro-shares of `asset_id`.

    One share pays 1 collateral, so a winning position pays its size in micros; a 50/50 pays
    half of it, rounded down (an odd micro-share is never rounded in our favour). An asset
    that belongs to neither side of the settlement is an error, never a silent 0.
    """
    if size < 0:
        raise ValueError(f"settlement size {size} is negative")
    if asset_id not in (settlement.winning_asset_id, settlement.losing_asset_id):
        raise KeyError(f"{asset_id} is not a token of settled market {settlement.market}")
    if settlement.split:
        return size // 2
    return size if asset_id == settlement.winning_asset_id else 0
