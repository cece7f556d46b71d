"""The simulator's frames through the real decoders, replayed into MarketBooks against its truth."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import numpy as np
import pytest

from astra.adapters.polymarket.ws_decode import decode_market_frame
from astra.adapters.recording.model_frames import decode_model_frame, encode_model_frame
from astra.adapters.sim.venue_encoding import VenueEncoder, spot_frame
from astra.adapters.spot.rtds_decode import decode_spot_frame
from astra.domain.book import MarketBooks
from astra.domain.events import BookSnapshot, MarketEvent, MarketResolved, TickSizeChange
from astra.domain.sim.microstructure import MarketSim
from astra.domain.sim.session import (
    MarketFrame,
    ModelDataFrame,
    SessionConfig,
    SimSession,
    SpotFrame,
)


def _decoded(encoder: VenueEncoder, frame: MarketFrame) -> list[MarketEvent]:
    result = decode_market_frame(encoder.market_frame(frame), frame.recv_ms)
    assert result.rejects == []
    return result.events


def test_every_frame_decodes_with_zero_rejects_and_every_type_appears() -> None:
    session = SimSession(SessionConfig(markets=12, minutes=10, seed=11))
    encoder = VenueEncoder(m.info for m in session.markets)
    kinds: Counter[str] = Counter()
    spot_values = model_values = 0
    for frame in session.frames():
        if isinstance(frame, ModelDataFrame):
            model = decode_model_frame(encode_model_frame(frame.tick.frame))
            assert (model.events, model.rejects) == ([frame.tick.frame], [])
            model_values += 1
            continue
        if isinstance(frame, SpotFrame):
            spot = decode_spot_frame(spot_frame(frame), frame.recv_ms)
            assert spot.rejects == []
            assert [Decimal(e.value) * 100 for e in spot.events] == [frame.tick.cents]
            spot_values += 1
            continue
        kinds.update(type(e).__name__ for e in _decoded(encoder, frame))
    assert spot_values == 2 * (10 * 60 + 1)  # two symbols, one print a second, both ends
    # Markets 4 (weather) and 5, 10 (rates) read model frames: one every 2 min, both ends.
    assert model_values == 3 * (10 // 2 + 1)
    for kind in ("BookSnapshot", "PriceChange", "Trade", "TickSizeChange", "MarketResolved"):
        assert kinds[kind] > 0, kind


def _check_against_truth(sim: MarketSim, books: MarketBooks) -> None:
    for token in sim.market.info.tokens:
        book = books.book(token)
        if not book.synced:
            continue
        bids, asks = sim.book.token_levels(token)
        assert dict(book.bids()) == bids
        assert dict(book.asks()) == asks
        assert book.tick is sim.book.tick
    assert books.mirror_mismatches() == []


def _replay_step(sim: MarketSim, books: MarketBooks, encoder: VenueEncoder) -> list[MarketEvent]:
    events: list[MarketEvent] = []
    for messages in sim.step():
        for event in _decoded(encoder, MarketFrame(sim.now, messages)):
            if isinstance(event, BookSnapshot) and books.book(event.asset_id).synced:
                # What the deltas built must already equal the venue's fresh snapshot.
                book = books.book(event.asset_id)
                assert tuple(sorted(book.bids())) == event.bids
                assert tuple(sorted(book.asks(), reverse=True)) == event.asks
            books.apply(event)
            events.append(event)
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replayed_books_match_the_simulator_truth_after_every_event(seed: int) -> None:
    session = SimSession(SessionConfig(markets=6, minutes=30, seed=seed))
    encoder = VenueEncoder(m.info for m in session.markets)
    tick_changes = 0
    for sim in session.sims:
        books = MarketBooks(sim.market.info)
        for event in _decoded(encoder, MarketFrame(sim.now, sim.opening(), as_array=True)):
            books.apply(event)
        _check_against_truth(sim, books)
        for _ in range(1500):
            if sim.done:
                break
            events = _replay_step(sim, books, encoder)
            tick_changes += sum(isinstance(e, TickSizeChange) for e in events)
            assert sim.book.is_valid()
            _check_against_truth(sim, books)
            if any(isinstance(e, MarketResolved) for e in events):
                assert books.resolved
    assert tick_changes > 0


def test_a_sim_is_driven_only_by_its_own_generator() -> None:
    a = SimSession(SessionConfig(markets=3, minutes=2, seed=5))
    b = SimSession(SessionConfig(markets=3, minutes=2, seed=5))
    for sim_a, sim_b in zip(a.sims, b.sims, strict=True):
        for _ in range(200):
            assert sim_a.step() == sim_b.step()
    c = MarketSim(a.markets[1], np.random.default_rng(99), a.config.start_ms, a.spot)
    d = MarketSim(a.markets[1], np.random.default_rng(98), a.config.start_ms, a.spot)
    assert [c.step() for _ in range(50)] != [d.step() for _ in range(50)]
