"""The shared HTTP helper against a real loopback server: retries, vetoes, rate limit."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import anyio
import pytest

from astra.adapters.http_client import (
    Backoff,
    HttpClient,
    HttpSettings,
    JsonReply,
    RequestVeto,
    TokenBucket,
)
from astra.domain.metrics_port import HTTP_REQUESTS_TOTAL, CountingMetrics
from astra.domain.reasons import VenueVeto
from tests.adapters.loopback_http import Fault, LoopbackVenue, VenueState, synthetic_markets

FAST = HttpSettings(
    timeout_s=0.3, retries=2, backoff_base_s=0.001, backoff_max_s=0.002, rate_per_s=1e4, burst=100
)


class SleepLog:
    """An injected sleep that records its delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def venue() -> Iterator[LoopbackVenue]:
    with LoopbackVenue(VenueState(markets=synthetic_markets(5))) as server:
        yield server


def get(
    url: str, path: str, settings: HttpSettings = FAST, **kwargs: object
) -> JsonReply | RequestVeto:
    async def run() -> JsonReply | RequestVeto:
        async with HttpClient(url, settings, **kwargs) as client:  # type: ignore[arg-type]
            return await client.get_json(path, {"limit": 2, "closed": False})

    return anyio.run(run)


def test_ok_returns_decoded_json_and_sends_query(venue: LoopbackVenue) -> None:
    reply = get(venue.url, "/markets")
    assert isinstance(reply, JsonReply)
    assert reply.status == 200
    assert isinstance(reply.body, list)
    assert len(reply.body) == 2
    assert venue.state.requests[0].query == {"limit": ["2"], "closed": ["false"]}


def test_transient_5xx_is_retried_with_backoff(venue: LoopbackVenue) -> None:
    venue.state.faults.append(Fault("/markets", status=503, times=2))
    sleep = SleepLog()
    reply = get(venue.url, "/markets", sleep=sleep)
    assert isinstance(reply, JsonReply)
    assert len(venue.state.paths("/markets")) == 3
    assert len(sleep.delays) == 2
    assert all(0 < d <= FAST.backoff_max_s for d in sleep.delays)


def test_persistent_5xx_is_a_veto_with_status(venue: LoopbackVenue) -> None:
    venue.state.faults.append(Fault("/markets", status=502))
    reply = get(venue.url, "/markets", sleep=SleepLog())
    assert isinstance(reply, RequestVeto)
    assert reply.reason is VenueVeto.HTTP_STATUS
    assert reply.status == 502
    assert "after 3 attempts" in reply.detail
    assert len(venue.state.paths("/markets")) == 3


def test_4xx_is_not_retried(venue: LoopbackVenue) -> None:
    reply = get(venue.url, "/nowhere", sleep=SleepLog())
    assert isinstance(reply, RequestVeto)
    assert reply.reason is VenueVeto.HTTP_STATUS
    assert reply.status == 404
    assert reply.body == {"error": "not found"}
    assert len(venue.state.paths("/nowhere")) == 1


def test_429_is_rate_limited_veto_after_retries(venue: LoopbackVenue) -> None:
    venue.state.faults.append(Fault("/markets", status=429))
    reply = get(venue.url, "/markets", sleep=SleepLog())
    assert isinstance(reply, RequestVeto)
    assert reply.reason is VenueVeto.RATE_LIMITED


def test_hang_is_a_timeout_veto(venue: LoopbackVenue) -> None:
    venue.state.faults.append(Fault("/markets", kind="hang"))
    settings = HttpSettings(timeout_s=0.2, retries=1, backoff_base_s=0.001, backoff_max_s=0.001)
    reply = get(venue.url, "/markets", settings, sleep=SleepLog())
    assert isinstance(reply, RequestVeto)
    assert reply.reason is VenueVeto.TIMEOUT
    assert len(venue.state.paths("/markets")) == 2


def test_invalid_json_is_a_veto(venue: LoopbackVenue) -> None:
    venue.state.faults.append(Fault("/markets", kind="invalid_json"))
    reply = get(venue.url, "/markets", sleep=SleepLog())
    assert isinstance(reply, RequestVeto)
    assert reply.reason is VenueVeto.INVALID_BODY


def test_refused_connection_is_a_veto() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.
    reply = get(f"http://127.0.0.1:{port}", "/markets", sleep=SleepLog())
    assert isinstance(reply, RequestVeto)
    assert reply.reason is VenueVeto.CONNECTION


def test_post_json_round_trip(venue: LoopbackVenue) -> None:
    token = next(iter(venue.state.books))

    async def run() -> JsonReply | RequestVeto:
        async with HttpClient(venue.url, FAST) as client:
            return await client.post_json("/books", [{"token_id": token}])

    reply = anyio.run(run)
    assert isinstance(reply, JsonReply)
    assert isinstance(reply.body, list)
    assert reply.body[0]["asset_id"] == token
    assert venue.state.paths("/books")[0].body == [{"token_id": token}]


def test_requests_are_counted_by_outcome(venue: LoopbackVenue) -> None:
    venue.state.faults.append(Fault("/markets", status=500, times=1))
    metrics = CountingMetrics()
    get(venue.url, "/markets", sleep=SleepLog(), metrics=metrics, service="gamma")
    assert metrics.counter(HTTP_REQUESTS_TOTAL, {"service": "gamma", "outcome": "ok"}) == 1
    assert metrics.counter(HTTP_REQUESTS_TOTAL, {"service": "gamma", "outcome": "http_status"}) == 1


def test_token_bucket_waits_for_refill() -> None:
    now = [0.0]
    sleep = SleepLog()

    async def advancing_sleep(seconds: float) -> None:
        await sleep(seconds)
        now[0] += seconds

    bucket = TokenBucket(10.0, 2, monotonic=lambda: now[0], sleep=advancing_sleep)

    async def run() -> list[float]:
        return [await bucket.acquire() for _ in range(4)]

    waits = anyio.run(run)
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(0.1)
    assert waits[3] == pytest.approx(0.1)
    assert now[0] == pytest.approx(0.2)


def test_backoff_is_exponential_jittered_and_seeded() -> None:
    first = [Backoff(1.0, 8.0, seed=7).delay(a) for a in range(6)]
    again = [Backoff(1.0, 8.0, seed=7).delay(a) for a in range(6)]
    other = [Backoff(1.0, 8.0, seed=8).delay(a) for a in range(6)]
    assert first == again
    assert first != other
    for attempt, delay in enumerate(first):
        ceiling = min(8.0, 2.0**attempt)
        assert ceiling / 2 <= delay <= ceiling


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="timeout"):
        HttpSettings(timeout_s=0)
