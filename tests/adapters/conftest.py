"""Shared fixtures for adapter tests: real loopback servers (append new fixtures below)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.loopback_http import LoopbackVenue, VenueState, synthetic_markets
from tests.adapters.loopback_ws import LoopbackMarketWs


@pytest.fixture
def loopback_venue() -> Iterator[LoopbackVenue]:
    """Gamma + CLOB REST on 127.0.0.1 with a 250-market universe (3 pages of 100)."""
    with LoopbackVenue(VenueState(markets=synthetic_markets(250, tag_every=5))) as venue:
        yield venue


@pytest.fixture
def loopback_market_ws() -> Iterator[LoopbackMarketWs]:
    """The market channel on 127.0.0.1 playing the genuine crossing burst (both tokens' books).

    Tests may replace `script` (a list of loopback_ws steps) before a client connects.
    """
    from tests.adapters.loopback_ws import Send, burst_books, burst_changes

    with LoopbackMarketWs(burst_books(), [Send(m) for m in burst_changes()]) as server:
        yield server
