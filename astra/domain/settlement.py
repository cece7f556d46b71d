"""Settlement of a resolved binary market: the winning token pays 1 per share, the loser 0."""

from __future__ import annotations

from astra.domain.trading import Settlement


def settlement_payout(asset_id: str, size: int, settlement: Settlement) -> int:
    """Payout in micro-collateral for `size` micro-shares of `asset_id`.

    One share pays 1 collateral, so a winning position pays its size in micros. An asset
    that belongs to neither side of the settlement is an error, never a silent 0.
    """
    if size < 0:
        raise ValueError(f"settlement size {size} is negative")
    if asset_id == settlement.winning_asset_id:
        return size
    if asset_id == settlement.losing_asset_id:
        return 0
    raise KeyError(f"{asset_id} is not a token of settled market {settlement.market}")
