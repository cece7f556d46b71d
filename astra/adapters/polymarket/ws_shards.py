"""The market feed: tokens sharded across market-channel connections (<= 200 per connection).

The venue stops sending initial snapshots above ~500 assets per connection; 200 leaves room.
A market's tokens are subscribed as a group and never split across connections, so a
`price_change` carrying both mirror entries arrives whole on one connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import anyio
from anyio.abc import TaskGroup

from astra.adapters.polymarket.ws_client import (
    BookFetcher,
    DesyncSink,
    EventSink,
    FrameTap,
    MarketConnection,
)
from astra.adapters.ws_session import WsSettings
from astra.domain.clock import Clock
from astra.domain.metrics_port import MetricsSink

DEFAULT_MAX_PER_CONNECTION = 200


class MarketFeed:
    """All market-channel connections of the process; `run()` until cancelled."""

    def __init__(
        self,
        settings: WsSettings,
        on_event: EventSink,
        *,
        clock: Clock,
        metrics: MetricsSink,
        on_desync: DesyncSink | None = None,
        book_fetcher: BookFetcher | None = None,
        max_per_connection: int = DEFAULT_MAX_PER_CONNECTION,
        custom_features: bool = True,
        on_frame: FrameTap | None = None,
    ) -> None:
        if max_per_connection < 2:
            raise ValueError("a connection must hold at least one market (2 tokens)")
        self._settings = settings
        self._on_event = on_event
        self._clock = clock
        self._metrics = metrics
        self._on_desync = on_desync
        self._book_fetcher = book_fetcher
        self._max = max_per_connection
        self._custom = custom_features
        self._on_frame = on_frame
        self._shards: list[MarketConnection] = []
        self._task_group: TaskGroup | None = None

    @property
    def shards(self) -> tuple[MarketConnection, ...]:
        return tuple(self._shards)

    def _new_shard(self, seed_offset: int) -> MarketConnection:
        # Each shard gets its own jitter seed so reconnect storms spread out.
        settings = replace(self._settings, seed=self._settings.seed + seed_offset)
        shard = MarketConnection(
            settings,
            (),
            self._on_event,
            clock=self._clock,
            metrics=self._metrics,
            on_desync=self._on_desync,
            book_fetcher=self._book_fetcher,
            custom_features=self._custom,
            on_frame=self._on_frame,
        )
        self._shards.append(shard)
        if self._task_group is not None:
            self._task_group.start_soon(shard.run)
        return shard

    def _shard_for(self, size: int) -> MarketConnection:
        for shard in self._shards:
            if len(shard) + size <= self._max:
                return shard
        return self._new_shard(len(self._shards))

    async def subscribe(self, groups: Iterable[Sequence[str]]) -> None:
        """Subscribe token groups (a market's tokens); a group is never split."""
        for group in groups:
            fresh = [a for a in dict.fromkeys(group) if self.shard_of(a) is None]
            if not fresh:
                continue
            if len(fresh) > self._max:
                raise ValueError(f"a group of {len(fresh)} tokens exceeds {self._max}")
            await self._shard_for(len(fresh)).add_assets(fresh)

    async def unsubscribe(self, asset_ids: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(asset_ids))  # ordered: the messages are deterministic
        for shard in self._shards:
            await shard.remove_assets([a for a in wanted if a in shard])

    async def resync(self, asset_ids: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(asset_ids))
        for shard in self._shards:
            await shard.resync([a for a in wanted if a in shard])

    def request_resync(self, asset_ids: Iterable[str]) -> None:
        """`resync` without waiting (callable from a sync callback on the feed's thread): the
        tokens are unsynced now, their snapshots asked for with the next frame."""
        wanted = list(dict.fromkeys(asset_ids))
        for shard in self._shards:
            shard.request_resync([a for a in wanted if a in shard])

    async def run(self) -> None:
        async with anyio.create_task_group() as tg:
            self._task_group = tg
            try:
                for shard in self._shards:
                    tg.start_soon(shard.run)
                await anyio.sleep_forever()
            finally:
                self._task_group = None

    # -- queries -------------------------------------------------------------------------
    def shard_of(self, asset_id: str) -> MarketConnection | None:
        for shard in self._shards:
            if asset_id in shard:
                return shard
        return None

    def synced(self, asset_id: str) -> bool:
        shard = self.shard_of(asset_id)
        return shard is not None and shard.synced(asset_id)

    def last_event_ms(self, asset_id: str) -> int | None:
        shard = self.shard_of(asset_id)
        return None if shard is None else shard.last_event_ms(asset_id)

    def stale_assets(self, now_ms: int, max_age_ms: int) -> list[str]:
        return [a for shard in self._shards for a in shard.stale_assets(now_ms, max_age_ms)]

    @property
    def asset_count(self) -> int:
        return sum(len(shard) for shard in self._shards)
