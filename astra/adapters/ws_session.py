"""A reconnecting WebSocket session: connect, run a session, back off with seeded jitter, repeat.

Shared by the market channel and the spot (RTDS) feed. The session callback owns the
protocol (subscribe, keep-alive, receive); this loop owns the life cycle. A dropped
connection, a refused connect, a handshake failure or an idle timeout ends the session and
counts a reconnect; nothing else is caught, so a programming error still surfaces.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from astra.domain.metrics_port import FEED_RECONNECTS_TOTAL, MetricsSink

_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WsSettings:
    """Connection knobs. Tests shrink the times; production keeps the venue's cadence."""

    url: str
    ping_interval_s: float = 10.0  # the venue closes idle sockets; text PING every 10 s
    idle_timeout_s: float = 35.0  # no frame at all (not even PONG) for this long -> reconnect
    open_timeout_s: float = 10.0
    close_timeout_s: float = 2.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    backoff_factor: float = 2.0
    jitter: float = 0.2  # each delay is scaled by U(1 - jitter, 1 + jitter)
    seed: int = 0
    max_frame_bytes: int = 16 * _MIB  # an initial dump of 200 books is larger than 1 MiB
    use_env_proxy: bool = False
    # No data frame (PONGs do not count) for this long on a connection that is otherwise
    # alive: the feed is silent, the session ends with `FeedSilent`. None: never.
    silence_s: float | None = None

    def __post_init__(self) -> None:
        if self.backoff_initial_s <= 0 or self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("backoff needs 0 < initial <= max")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if self.ping_interval_s <= 0 or self.idle_timeout_s <= 0:
            raise ValueError("ping interval and idle timeout must be positive")
        if self.silence_s is not None and self.silence_s <= 0:
            raise ValueError("feed silence must be positive (or None)")


class FeedSilent(TimeoutError):
    """The connection answers pings but carried no data for `silence_s`."""


class Backoff:
    """Exponential backoff with seeded jitter (reproducible in tests, spread out in production)."""

    def __init__(
        self, initial_s: float, max_s: float, factor: float, jitter: float, seed: int
    ) -> None:
        self._initial = initial_s
        self._max = max_s
        self._factor = factor
        self._jitter = jitter
        self._rng = random.Random(seed)  # noqa: S311 - jitter, not cryptography
        self._failures = 0

    @classmethod
    def from_settings(cls, settings: WsSettings) -> Backoff:
        return cls(
            settings.backoff_initial_s,
            settings.backoff_max_s,
            settings.backoff_factor,
            settings.jitter,
            settings.seed,
        )

    @property
    def failures(self) -> int:
        return self._failures

    def next_delay(self) -> float:
        base = min(self._max, self._initial * self._factor**self._failures)
        self._failures += 1
        return base * self._rng.uniform(1 - self._jitter, 1 + self._jitter)

    def reset(self) -> None:
        self._failures = 0


Session = Callable[[ClientConnection], Awaitable[None]]

# What ends a session and means "reconnect": the peer went away or never came.
RECONNECTABLE: tuple[type[BaseException], ...] = (
    ConnectionClosed,
    InvalidHandshake,
    OSError,
    TimeoutError,
)


async def run_reconnecting(
    settings: WsSettings,
    session: Session,
    *,
    feed: str,
    metrics: MetricsSink,
    backoff: Backoff,
) -> None:
    """Run `session` on fresh connections forever (until cancelled).

    The session resets `backoff` itself once the connection proved useful (first valid
    frame), so a server that accepts and immediately drops still backs off.
    """
    while True:
        try:
            async with connect(
                settings.url,
                open_timeout=settings.open_timeout_s,
                max_size=settings.max_frame_bytes,
                proxy=True if settings.use_env_proxy else None,
            ) as ws:
                try:
                    await session(ws)
                finally:
                    # Close with a close frame even when cancelled (shutdown), but never hang.
                    with anyio.move_on_after(settings.close_timeout_s, shield=True):
                        await ws.close()
        except InvalidURI:
            raise  # a configuration error: reconnecting cannot fix it
        except RECONNECTABLE:
            pass  # the session ended: count it, back off, connect again
        metrics.inc(FEED_RECONNECTS_TOTAL, {"feed": feed})
        await anyio.sleep(backoff.next_delay())


async def receive_frames(
    ws: ClientConnection,
    settings: WsSettings,
    handle: Callable[[str | bytes], Awaitable[None]],
) -> None:
    """Receive until the connection ends, sending text `PING` every interval.

    No frame at all (not even the `PONG` answer) within the idle timeout means the peer is
    gone without closing: raise TimeoutError so the session reconnects. No data frame within
    `silence_s` (the peer answers pings, but sends nothing) raises `FeedSilent`, a
    TimeoutError too: the session reconnects, and its owner can act on the silence first.
    """
    interval = settings.ping_interval_s
    now = anyio.current_time()
    next_ping = now + interval
    deadline = now + settings.idle_timeout_s
    silence = settings.silence_s
    quiet_until = float("inf") if silence is None else now + silence
    while True:
        now = anyio.current_time()
        if now >= deadline:
            raise TimeoutError("no frame within the idle timeout")
        if now >= quiet_until:
            raise FeedSilent(f"no data frame within {silence} s (pings answered)")
        if now >= next_ping:
            await ws.send("PING")
            next_ping = now + interval
        with anyio.move_on_after(min(next_ping, deadline, quiet_until) - now):
            raw = await ws.recv()  # cancelling recv() loses no data (websockets docs)
            deadline = anyio.current_time() + settings.idle_timeout_s
            if silence is not None and raw not in _KEEPALIVE:
                quiet_until = anyio.current_time() + silence
            await handle(raw)


_KEEPALIVE = ("PONG", b"PONG")
