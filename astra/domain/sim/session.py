"""A whole simulated session: N markets and the spot path, merged into one timed frame stream.

Seeds are split with numpy's SeedSequence: one child for the market set, one for the spot
path, one for receive latencies and one per market for its order flow, so a session is a
pure function of (markets, minutes, seed, start).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from astra.domain.events import MarketEvent
from astra.domain.sim.markets import MINUTE_MS, SimMarket, make_markets
from astra.domain.sim.microstructure import FlowParams, MarketSim
from astra.domain.sim.model_feed import ModelTick, model_ticks
from astra.domain.sim.spot_path import SpotPath, SpotTick

# 2026-03-11 15:52 UTC = 11:52 ET: the same-day crypto markets' noon cutoff falls eight
# minutes in, so a ten-minute session shows a resolution.
DEFAULT_START_MS = 1_773_244_320_000
_MEAN_LATENCY_MS = 15.0
_MIN_LATENCY_MS = 20


@dataclass(frozen=True, slots=True)
class SessionConfig:
    markets: int
    minutes: float
    seed: int
    start_ms: int = DEFAULT_START_MS
    params: FlowParams = field(default_factory=FlowParams)

    @property
    def end_ms(self) -> int:
        return self.start_ms + round(self.minutes * MINUTE_MS)


@dataclass(frozen=True, slots=True)
class MarketFrame:
    """One market-channel frame: a message, or (the opening dump) an array of `book`s."""

    recv_ms: int
    messages: tuple[MarketEvent, ...]
    as_array: bool = False


@dataclass(frozen=True, slots=True)
class SpotFrame:
    """One RTDS `crypto_prices` update."""

    recv_ms: int
    tick: SpotTick


@dataclass(frozen=True, slots=True)
class ModelDataFrame:
    """One weather forecast or rates prior (the recording's `model` channel)."""

    recv_ms: int
    tick: ModelTick


SimFrame = MarketFrame | SpotFrame | ModelDataFrame


class SimSession:
    """Builds the markets and spot path for a config; `frames()` generates the stream."""

    def __init__(self, config: SessionConfig) -> None:
        if config.markets < 1 or config.minutes <= 0:
            raise ValueError("a session needs at least one market and a positive duration")
        self.config = config
        # A fifth child for the model frames: the first four (and so the market and spot
        # streams) are the same as before model frames existed.
        setup, spot, latency, flows, model = np.random.SeedSequence(config.seed).spawn(5)
        seconds = -(-(config.end_ms - config.start_ms) // 1000)
        self.spot = SpotPath(np.random.default_rng(spot), config.start_ms, seconds)
        self.markets: list[SimMarket] = make_markets(
            config.markets,
            np.random.default_rng(setup),
            config.start_ms,
            config.end_ms - config.start_ms,
            self.spot.start_cents,
        )
        self._latency_rng = np.random.default_rng(latency)
        self.sims = [
            MarketSim(
                market, np.random.default_rng(seed), config.start_ms, self.spot, config.params
            )
            for market, seed in zip(self.markets, flows.spawn(config.markets), strict=True)
        ]
        self.model_ticks = model_ticks(
            self.markets, np.random.default_rng(model), config.start_ms, config.end_ms
        )
        self._last_recv = config.start_ms

    def _recv(self, ts_ms: int) -> int:
        latency = _MIN_LATENCY_MS + int(self._latency_rng.exponential(_MEAN_LATENCY_MS))
        self._last_recv = max(self._last_recv, ts_ms + latency)
        return self._last_recv

    def _recv_model(self, ts_ms: int) -> int:
        # No latency draw: the market and spot frames keep their receive times.
        self._last_recv = max(self._last_recv, ts_ms + _MIN_LATENCY_MS)
        return self._last_recv

    def frames(self) -> Iterator[SimFrame]:
        """Every frame in receive order: opening dumps, then market and spot events to the end."""
        for sim in self.sims:
            yield MarketFrame(self._recv(sim.now), sim.opening(), as_array=True)
        end_ms = self.config.end_ms
        queue = [(sim.next_ms, index) for index, sim in enumerate(self.sims)]
        heapq.heapify(queue)
        spot_ticks = iter(self.spot.ticks())
        spot = next(spot_ticks, None)
        models = iter(self.model_ticks)
        model = next(models, None)
        while True:
            next_market = queue[0][0] if queue else end_ms + 1
            due = min(next_market, end_ms, spot.ts_ms if spot is not None else end_ms)
            if model is not None and model.ts_ms <= due:
                yield ModelDataFrame(self._recv_model(model.ts_ms), model)
                model = next(models, None)
                continue
            if spot is not None and spot.ts_ms <= min(next_market, end_ms):
                yield SpotFrame(self._recv(spot.ts_ms), spot)
                spot = next(spot_ticks, None)
                continue
            if next_market > end_ms:
                return
            _, index = heapq.heappop(queue)
            yield from self._market_frames(self.sims[index])
            if not self.sims[index].done:
                heapq.heappush(queue, (self.sims[index].next_ms, index))

    def _market_frames(self, sim: MarketSim) -> Iterator[MarketFrame]:
        for messages in sim.step():
            yield MarketFrame(self._recv(sim.now), messages)
