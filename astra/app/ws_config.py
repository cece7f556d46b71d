"""The WebSocket connection knobs of a venue feed from the settings (paper and record)."""

from __future__ import annotations

from astra.adapters.ws_session import WsSettings
from astra.settings import Settings


def ws_settings(settings: Settings, url: str) -> WsSettings:
    """`feed.*` timings for `url`; a reconnect maximum below the minimum is raised to it."""
    feed = settings.feed
    return WsSettings(
        url=url,
        ping_interval_s=feed.ping_interval_s,
        backoff_initial_s=feed.reconnect_min_s,
        backoff_max_s=max(feed.reconnect_max_s, feed.reconnect_min_s),
        seed=settings.run.seed,
        silence_s=feed.silence_s if feed.silence_s > 0 else None,
    )
