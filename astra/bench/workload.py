"""Bench input: simulator sessions decoded by the real market-channel decoder.

The events the engine and the inline ceiling both consume are exactly what a replay feeds:
venue text frames from the simulator, parsed by `decode_market_frame`. A reject here would
mean the bench measures something other than real input, so it is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from astra.adapters.polymarket.ws_decode import decode_market_frame
from astra.adapters.sim.venue_encoding import VenueEncoder
from astra.domain.events import MarketEvent
from astra.domain.market import MarketInfo
from astra.domain.sim.markets import MINUTE_MS
from astra.domain.sim.session import MarketFrame, SessionConfig, SimSession

# Mean book events per market-minute of the simulator's default flow (measured: ~55).
_EVENTS_PER_MARKET_MINUTE = 55.0


class WorkloadError(RuntimeError):
    """The simulator produced a frame the decoder rejected."""


@dataclass(frozen=True, slots=True)
class Workload:
    markets: tuple[MarketInfo, ...]
    events: tuple[MarketEvent, ...]
    seed: int

    @property
    def span_ms(self) -> int:
        if not self.events:
            return 0
        return _recv(self.events[-1]) - _recv(self.events[0])


def _recv(event: MarketEvent) -> int:
    return event.recv_ms


def build_workload(markets: int, events: int, seed: int) -> Workload:
    """About `events` decoded market events over `markets` markets (opening books included)."""
    minutes = max(events - 2 * markets, markets) / (markets * _EVENTS_PER_MARKET_MINUTE)
    session = SimSession(SessionConfig(markets=markets, minutes=max(minutes, 1 / 60), seed=seed))
    encoder = VenueEncoder(m.info for m in session.markets)
    decoded: list[MarketEvent] = []
    for frame in session.frames():
        if not isinstance(frame, MarketFrame):
            continue
        result = decode_market_frame(encoder.market_frame(frame), frame.recv_ms)
        if result.rejects:
            raise WorkloadError(f"decoder rejected a simulated frame: {result.rejects[0]}")
        decoded.extend(result.events)
        if len(decoded) >= events and len(decoded) >= 2 * markets:
            break
    return Workload(tuple(m.info for m in session.markets), tuple(decoded), seed)


def minutes_of(workload: Workload) -> float:
    return workload.span_ms / MINUTE_MS
