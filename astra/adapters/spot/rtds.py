"""RTDS spot client: subscribe to `crypto_prices` for chosen symbols, keep the latest, track age.

`wss://ws-live-data.polymarket.com` (base URL configurable). Reconnects with the shared
backoff; only validated `SpotPrice`s reach `on_spot`. Staleness is measured on the local
receive clock per symbol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import orjson
from websockets.asyncio.client import ClientConnection

from astra.adapters.spot.rtds_decode import decode_spot_frame
from astra.adapters.ws_session import Backoff, WsSettings, receive_frames, run_reconnecting
from astra.domain.clock import Clock
from astra.domain.events import SpotPrice
from astra.domain.metrics_port import FEED_EVENTS_TOTAL, FEED_REJECTED_FRAMES_TOTAL, MetricsSink

RTDS_URL = "wss://ws-live-data.polymarket.com"
DEFAULT_SYMBOLS = ("btcusdt", "ethusdt")
FEED_NAME = "spot"

SpotSink = Callable[[SpotPrice], None]


def rtds_subscribe_message(symbols: Iterable[str], topic: str = "crypto_prices") -> str:
    """One subscription per symbol; RTDS filters are a JSON string inside the JSON."""
    subscriptions = [
        {"topic": topic, "type": "update", "filters": orjson.dumps({"symbol": s}).decode()}
        for s in symbols
    ]
    return orjson.dumps({"action": "subscribe", "subscriptions": subscriptions}).decode()


class SpotFeed:
    """Latest spot price per symbol from RTDS; `run()` until cancelled."""

    def __init__(
        self,
        settings: WsSettings,
        on_spot: SpotSink,
        *,
        clock: Clock,
        metrics: MetricsSink,
        symbols: Iterable[str] = DEFAULT_SYMBOLS,
        on_frame: Callable[[int, str | bytes], None] | None = None,
    ) -> None:
        self._settings = settings
        self._on_spot = on_spot
        self._clock = clock
        self._metrics = metrics
        self._symbols = tuple(s.lower() for s in symbols)
        self._on_frame = on_frame  # a recorder taps raw frames here
        self._backoff = Backoff.from_settings(settings)
        self._latest: dict[str, SpotPrice] = {}
        self._since_ms = clock.now_ms()
        self.sessions = 0

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    def latest(self, symbol: str) -> SpotPrice | None:
        return self._latest.get(symbol.lower())

    def stale_symbols(self, now_ms: int, max_age_ms: int) -> list[str]:
        """Symbols without a price received within `max_age_ms` (local clock)."""
        stale = []
        for symbol in self._symbols:
            last = self._latest.get(symbol)
            heard = self._since_ms if last is None else last.recv_ms
            if now_ms - heard > max_age_ms:
                stale.append(symbol)
        return stale

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
        await ws.send(rtds_subscribe_message(self._symbols))
        await receive_frames(ws, self._settings, self._frame)

    async def _frame(self, raw: str | bytes) -> None:
        self.handle_frame(raw, self._clock.now_ms())

    def handle_frame(self, raw: str | bytes, recv_ms: int) -> None:
        if self._on_frame is not None:
            self._on_frame(recv_ms, raw)
        result = decode_spot_frame(raw, recv_ms)
        for reason, _detail in result.rejects:
            self._metrics.inc(FEED_REJECTED_FRAMES_TOTAL, {"reason": reason.value})
        for event in result.events:
            if event.symbol not in self._symbols:
                self._metrics.inc(FEED_REJECTED_FRAMES_TOTAL, {"reason": "unknown_asset"})
                continue
            self._backoff.reset()
            previous = self._latest.get(event.symbol)
            if previous is None or event.ts_ms >= previous.ts_ms:
                self._latest[event.symbol] = event
            self._metrics.inc(FEED_EVENTS_TOTAL, {"type": "spot_price"})
            self._on_spot(event)
