"""Per-asset feed state of one market-channel connection: subscription, sync and staleness.

A token is *synced* once a `book` for it arrived on the current connection. Until then its
`price_change` entries are held back: deltas applied to an unknown base make a book that
looks fine and is wrong. Staleness uses the local receive clock, never the venue timestamp
(the original compared against server time, so clock skew looked like staleness, B-13).
"""

from __future__ import annotations

from collections.abc import Iterable


class AssetStates:
    """Which assets a connection carries, which are synced, and when each was last heard."""

    def __init__(self, assets: Iterable[str] = ()) -> None:
        self._last_ms: dict[str, int | None] = dict.fromkeys(assets)
        self._synced: set[str] = set()

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self._last_ms

    def __len__(self) -> int:
        return len(self._last_ms)

    @property
    def assets(self) -> tuple[str, ...]:
        return tuple(self._last_ms)

    def add(self, asset_ids: Iterable[str]) -> list[str]:
        """Add assets (unsynced); returns those that were new."""
        new = [a for a in dict.fromkeys(asset_ids) if a not in self._last_ms]
        for asset_id in new:
            self._last_ms[asset_id] = None
        return new

    def remove(self, asset_ids: Iterable[str]) -> list[str]:
        """Forget assets; returns those that were present."""
        gone = [a for a in dict.fromkeys(asset_ids) if a in self._last_ms]
        for asset_id in gone:
            del self._last_ms[asset_id]
            self._synced.discard(asset_id)
        return gone

    def synced(self, asset_id: str) -> bool:
        return asset_id in self._synced

    def mark_synced(self, asset_id: str) -> None:
        if asset_id in self._last_ms:
            self._synced.add(asset_id)

    def mark_unsynced(self, asset_ids: Iterable[str]) -> None:
        self._synced.difference_update(asset_ids)

    def touch(self, asset_id: str, recv_ms: int) -> None:
        if asset_id in self._last_ms:
            self._last_ms[asset_id] = recv_ms

    def last_event_ms(self, asset_id: str) -> int | None:
        return self._last_ms.get(asset_id)

    def stale(self, now_ms: int, max_age_ms: int, since_ms: int) -> list[str]:
        """Assets silent for more than `max_age_ms`; never-heard ones count from `since_ms`."""
        return [
            asset_id
            for asset_id, last in self._last_ms.items()
            if now_ms - (since_ms if last is None else last) > max_age_ms
        ]
