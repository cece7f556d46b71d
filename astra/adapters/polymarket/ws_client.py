"""One market-channel WebSocket connection: subscribe, keep alive, decode, gate, deliver.

Only validated events reach `on_event`. On every (re)connect all tokens of the connection
are unsynced (`on_desync` tells the owner of the books) until the venue's fresh `book`
arrives; a `tick_size_change` unsyncs its token and asks for a fresh snapshot, by
re-subscribing the token (the venue answers a subscribe with a `book`) or through an
injected REST `book_fetcher`. Sharding across connections is `ws_shards.MarketFeed`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

import orjson
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from astra.adapters.polymarket.ws_assets import AssetStates
from astra.adapters.polymarket.ws_decode import decode_market_frame
from astra.adapters.ws_session import (
    Backoff,
    FeedSilent,
    WsSettings,
    receive_frames,
    run_reconnecting,
)
from astra.domain.clock import Clock
from astra.domain.events import (
    BestBidAsk,
    BookSnapshot,
    MarketEvent,
    MarketResolved,
    NewMarket,
    PriceChange,
    TickSizeChange,
    Trade,
)
from astra.domain.metrics_port import (
    FEED_EVENTS_TOTAL,
    FEED_REJECTED_FRAMES_TOTAL,
    FEED_SILENCES_TOTAL,
    MetricsSink,
)
from astra.domain.reasons import FeedReject

MARKET_WS_URL = "wss://ws-subscriptions-clob.polymarket.com/ws/market"
FEED_NAME = "market"

EventSink = Callable[[MarketEvent], None]
DesyncSink = Callable[[tuple[str, ...]], None]
BookFetcher = Callable[[str], Awaitable[BookSnapshot | None]]
FrameTap = Callable[[int, str | bytes], None]  # (recv_ms, raw frame): the recorder's hook

_EVENT_TYPES: dict[type, str] = {
    BookSnapshot: "book",
    PriceChange: "price_change",
    Trade: "last_trade_price",
    TickSizeChange: "tick_size_change",
    BestBidAsk: "best_bid_ask",
    MarketResolved: "market_resolved",
    NewMarket: "new_market",
}


def subscribe_message(asset_ids: Sequence[str], *, custom_features: bool) -> str:
    """The first message on a connection (note the venue's spelling `assets_ids`)."""
    body: dict[str, object] = {"assets_ids": list(asset_ids), "type": "market"}
    if custom_features:
        body["custom_feature_enabled"] = True
    return orjson.dumps(body).decode()


def operation_message(asset_ids: Sequence[str], operation: str, *, custom_features: bool) -> str:
    """A subscription change on a live connection (`subscribe` or `unsubscribe`)."""
    body: dict[str, object] = {"assets_ids": list(asset_ids), "operation": operation}
    if custom_features and operation == "subscribe":
        body["custom_feature_enabled"] = True
    return orjson.dumps(body).decode()


class MarketConnection:
    """One WebSocket connection carrying a set of tokens; `run()` until cancelled."""

    def __init__(
        self,
        settings: WsSettings,
        asset_ids: Iterable[str],
        on_event: EventSink,
        *,
        clock: Clock,
        metrics: MetricsSink,
        on_desync: DesyncSink | None = None,
        book_fetcher: BookFetcher | None = None,
        custom_features: bool = True,
        on_frame: FrameTap | None = None,
    ) -> None:
        self._settings = settings
        self._frame_tap = on_frame
        self._states = AssetStates(asset_ids)
        self._on_event = on_event
        self._clock = clock
        self._metrics = metrics
        self._on_desync = on_desync
        self._book_fetcher = book_fetcher
        self._custom = custom_features
        self._backoff = Backoff.from_settings(settings)
        self._ws: ClientConnection | None = None
        self._pending_resync: list[str] = []
        self._since_ms = clock.now_ms()
        self.sessions = 0  # connections established so far
        self.held_back = 0  # level changes dropped because their token was unsynced
        self.silences = 0  # sessions ended by feed silence

    # -- queries -------------------------------------------------------------------------
    @property
    def asset_ids(self) -> tuple[str, ...]:
        return self._states.assets

    @property
    def connected(self) -> bool:
        return self._ws is not None

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self._states

    def synced(self, asset_id: str) -> bool:
        return self._states.synced(asset_id)

    def last_event_ms(self, asset_id: str) -> int | None:
        return self._states.last_event_ms(asset_id)

    def stale_assets(self, now_ms: int, max_age_ms: int) -> list[str]:
        return self._states.stale(now_ms, max_age_ms, self._since_ms)

    # -- subscription changes --------------------------------------------------------------
    async def add_assets(self, asset_ids: Iterable[str]) -> None:
        new = self._states.add(asset_ids)
        if new and self._ws is not None:
            await self._send(operation_message(new, "subscribe", custom_features=self._custom))

    async def remove_assets(self, asset_ids: Iterable[str]) -> None:
        gone = self._states.remove(asset_ids)
        if gone and self._ws is not None:
            await self._send(operation_message(gone, "unsubscribe", custom_features=self._custom))

    async def resync(self, asset_ids: Iterable[str]) -> None:
        """Drop the tokens' books and fetch fresh snapshots."""
        ours = [a for a in asset_ids if a in self._states]
        self._unsync(ours)
        self._pending_resync.extend(ours)
        await self._flush_resync()

    def request_resync(self, asset_ids: Iterable[str]) -> None:
        """Unsync now; the fresh snapshots are asked for when the next frame is handled."""
        ours = [a for a in asset_ids if a in self._states]
        self._unsync(ours)
        self._pending_resync.extend(ours)

    # -- life cycle ----------------------------------------------------------------------
    async def run(self) -> None:
        await run_reconnecting(
            self._settings,
            self._session,
            feed=FEED_NAME,
            metrics=self._metrics,
            backoff=self._backoff,
        )

    async def _session(self, ws: ClientConnection) -> None:
        self.sessions += 1
        self._pending_resync.clear()
        self._unsync(self._states.assets)  # the venue sends a fresh `book` per token
        await ws.send(subscribe_message(self._states.assets, custom_features=self._custom))
        self._ws = ws
        try:
            await receive_frames(ws, self._settings, self._on_frame)
        except FeedSilent:
            # Connected, pinging, but no data: every book of this connection may be stale.
            # Unsync them now (the owner cancels their markets' orders), then reconnect,
            # which resubscribes and resyncs from the venue's fresh `book` snapshots.
            self.silences += 1
            self._metrics.inc(FEED_SILENCES_TOTAL, {"feed": FEED_NAME})
            self._unsync(self._states.assets)
            raise
        finally:
            self._ws = None

    async def _on_frame(self, raw: str | bytes) -> None:
        self.handle_frame(raw, self._clock.now_ms())
        await self._flush_resync()

    async def _send(self, text: str) -> None:
        ws = self._ws
        if ws is None:
            return
        try:
            await ws.send(text)
        except ConnectionClosed:
            # The receive loop sees the same close and reconnects, which resubscribes all.
            self._ws = None

    async def _flush_resync(self) -> None:
        if not self._pending_resync or self._ws is None:
            return
        assets = list(dict.fromkeys(self._pending_resync))
        self._pending_resync.clear()
        if self._book_fetcher is not None:
            await self._fetch_books(self._book_fetcher, assets)
            return
        # Unsubscribe + subscribe: the venue answers a subscribe with the token's `book`.
        await self._send(operation_message(assets, "unsubscribe", custom_features=self._custom))
        await self._send(operation_message(assets, "subscribe", custom_features=self._custom))

    async def _fetch_books(self, fetch: BookFetcher, assets: list[str]) -> None:
        for asset_id in assets:
            snapshot = await fetch(asset_id)
            if snapshot is not None and asset_id in self._states:
                self._route(snapshot)

    # -- frames --------------------------------------------------------------------------
    def handle_frame(self, raw: str | bytes, recv_ms: int) -> None:
        """Decode one frame, count rejections, gate and deliver events."""
        if self._frame_tap is not None:
            self._frame_tap(recv_ms, raw)
        result = decode_market_frame(raw, recv_ms)
        for reason, _detail in result.rejects:
            self._reject(reason)
        for event in result.events:
            self._route(event)

    def _reject(self, reason: FeedReject) -> None:
        self._metrics.inc(FEED_REJECTED_FRAMES_TOTAL, {"reason": reason.value})

    def _deliver(self, event: MarketEvent) -> None:
        self._backoff.reset()  # the connection proved useful
        self._metrics.inc(FEED_EVENTS_TOTAL, {"type": _EVENT_TYPES[type(event)]})
        self._on_event(event)

    def _route(self, event: MarketEvent) -> None:
        if isinstance(event, PriceChange):
            self._route_changes(event)
        elif isinstance(event, NewMarket):
            self._deliver(event)  # announcements are not tied to our tokens
        elif isinstance(event, MarketResolved):
            if any(a in self._states for a in event.asset_ids):
                self._deliver(event)
            else:
                self._reject(FeedReject.UNKNOWN_ASSET)
        elif event.asset_id not in self._states:
            self._reject(FeedReject.UNKNOWN_ASSET)
        else:
            self._route_token_event(event)

    def _route_token_event(self, event: BookSnapshot | Trade | TickSizeChange | BestBidAsk) -> None:
        self._states.touch(event.asset_id, event.recv_ms)
        if isinstance(event, BookSnapshot):
            self._states.mark_synced(event.asset_id)
        elif isinstance(event, TickSizeChange):
            # A new book epoch: old-grid levels may be invalid until a fresh snapshot.
            self._states.mark_unsynced((event.asset_id,))
            self._pending_resync.append(event.asset_id)
        self._deliver(event)

    def _route_changes(self, event: PriceChange) -> None:
        ours = [c for c in event.changes if c.asset_id in self._states]
        if not ours:
            self._reject(FeedReject.UNKNOWN_ASSET)
            return
        for change in ours:
            self._states.touch(change.asset_id, event.recv_ms)
        synced = tuple(c for c in ours if self._states.synced(c.asset_id))
        self.held_back += len(ours) - len(synced)
        if synced:
            kept = event if len(synced) == len(event.changes) else None
            self._deliver(kept or PriceChange(event.market, event.ts_ms, synced, event.recv_ms))

    def _unsync(self, asset_ids: Sequence[str]) -> None:
        if not asset_ids:
            return
        self._states.mark_unsynced(asset_ids)
        if self._on_desync is not None:
            self._on_desync(tuple(asset_ids))
