"""Gamma discovery against the loopback server: every page, and a veto for every failure."""

from __future__ import annotations

import copy

import anyio
import pytest

from astra.adapters.http_client import HttpSettings
from astra.adapters.polymarket.discovery_result import DiscoveryFilters, DiscoveryResult
from astra.adapters.polymarket.gamma import GammaClient
from astra.domain.metrics_port import (
    DISCOVERY_REJECTED_MARKETS_TOTAL,
    DISCOVERY_VETOES_TOTAL,
    CountingMetrics,
)
from astra.domain.reasons import MarketReject, VenueVeto
from tests.adapters.loopback_http import (
    GAMMA,
    Fault,
    LoopbackVenue,
    VenueState,
    load_json,
    synthetic_markets,
)

FAST = HttpSettings(
    timeout_s=0.3, retries=1, backoff_base_s=0.001, backoff_max_s=0.002, rate_per_s=1e4, burst=200
)


async def _no_wait(_seconds: float) -> None:
    return None


def discover(
    venue: LoopbackVenue, metrics: CountingMetrics | None = None, **filters: object
) -> DiscoveryResult:
    client = GammaClient(venue.url, http=FAST, metrics=metrics, sleep=_no_wait)
    return anyio.run(client.discover, DiscoveryFilters(**filters))  # type: ignore[arg-type]


def test_keyset_walks_every_page(loopback_venue: LoopbackVenue) -> None:
    result = discover(loopback_venue)
    assert result.ok
    assert result.pagination == "keyset"
    assert result.pages == 3
    assert len(result.markets) == 250
    assert result.rejected == ()
    requests = loopback_venue.state.paths("/markets/keyset")
    assert [("after_cursor" in r.query) for r in requests] == [False, True, True]
    assert requests[0].query == {"limit": ["100"], "active": ["true"], "closed": ["false"]}
    assert len({m.condition_id for m in result.markets}) == 250


def test_offset_walks_every_page(loopback_venue: LoopbackVenue) -> None:
    result = discover(loopback_venue, pagination="offset")
    assert result.ok
    assert (result.pagination, result.pages, len(result.markets)) == ("offset", 3, 250)
    offsets = [r.query["offset"] for r in loopback_venue.state.paths("/markets")]
    assert offsets == [["0"], ["100"], ["200"]]


def test_auto_falls_back_to_offset_when_keyset_is_missing(loopback_venue: LoopbackVenue) -> None:
    loopback_venue.state.keyset_enabled = False
    result = discover(loopback_venue)
    assert result.ok
    assert (result.pagination, result.pages, len(result.markets)) == ("offset", 3, 250)


def test_exact_multiple_of_page_size_ends_on_an_empty_page() -> None:
    with LoopbackVenue(VenueState(markets=synthetic_markets(200))) as venue:
        result = discover(venue, pagination="offset")
    assert result.ok
    assert (result.pages, len(result.markets)) == (3, 200)


@pytest.mark.parametrize("pagination", ["keyset", "offset"])
@pytest.mark.parametrize("page", [1, 2, 3])
def test_5xx_on_any_page_is_a_veto(
    loopback_venue: LoopbackVenue, pagination: str, page: int
) -> None:
    path = "/markets/keyset" if pagination == "keyset" else "/markets"
    loopback_venue.state.faults.append(Fault(path, page=page, status=503))
    metrics = CountingMetrics()
    result = discover(loopback_venue, metrics, pagination=pagination)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.HTTP_STATUS
    assert result.veto.status == 503
    assert result.markets == ()  # never a partial universe
    assert result.pages == page - 1
    assert metrics.counter(DISCOVERY_VETOES_TOTAL, {"reason": "http_status"}) == 1


def test_auto_does_not_fall_back_on_a_5xx(loopback_venue: LoopbackVenue) -> None:
    loopback_venue.state.faults.append(Fault("/markets/keyset", page=1, status=500))
    result = discover(loopback_venue)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.HTTP_STATUS
    assert loopback_venue.state.paths("/markets") == []


def test_a_transient_5xx_is_retried_and_discovery_completes(
    loopback_venue: LoopbackVenue,
) -> None:
    loopback_venue.state.faults.append(Fault("/markets/keyset", page=2, status=502, times=1))
    result = discover(loopback_venue)
    assert result.ok
    assert len(result.markets) == 250


def test_timeout_is_a_veto(loopback_venue: LoopbackVenue) -> None:
    loopback_venue.state.faults.append(Fault("/markets/keyset", page=2, kind="hang"))
    result = discover(loopback_venue)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.TIMEOUT
    assert result.markets == ()


@pytest.mark.parametrize("kind", ["invalid_json", "wrong_shape"])
@pytest.mark.parametrize("pagination", ["keyset", "offset"])
def test_invalid_body_is_a_veto(loopback_venue: LoopbackVenue, kind: str, pagination: str) -> None:
    path = "/markets/keyset" if pagination == "keyset" else "/markets"
    loopback_venue.state.faults.append(Fault(path, page=3, kind=kind))  # type: ignore[arg-type]
    result = discover(loopback_venue, pagination=pagination)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.INVALID_BODY
    assert result.markets == ()


def test_repeated_cursor_is_a_veto(loopback_venue: LoopbackVenue) -> None:
    loopback_venue.state.repeat_cursor = True
    result = discover(loopback_venue)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.REPEATED_CURSOR
    assert result.pages == 2


@pytest.mark.parametrize("pagination", ["keyset", "offset"])
def test_exhausted_page_budget_is_a_veto(loopback_venue: LoopbackVenue, pagination: str) -> None:
    result = discover(loopback_venue, pagination=pagination, max_pages=2)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.PAGE_BUDGET_EXHAUSTED
    assert result.markets == ()
    assert result.pages == 2


def test_offset_ceiling_is_a_veto_not_a_truncation() -> None:
    state = VenueState(markets=synthetic_markets(100), endless=True)
    with LoopbackVenue(state) as venue:
        result = discover(venue, pagination="offset", max_pages=500)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.OFFSET_LIMIT
    assert result.pages == 101  # offsets 0..10000 fetched; 10100 would be refused with 422


def test_tag_filter_is_sent_and_honoured(loopback_venue: LoopbackVenue) -> None:
    result = discover(loopback_venue, tag_id="21")
    assert result.ok
    assert len(result.markets) == 50
    assert all(r.query["tag_id"] == ["21"] for r in loopback_venue.state.requests)


def test_unmappable_closed_and_duplicate_markets_are_counted_rejections() -> None:
    markets = synthetic_markets(3)
    legacy = load_json(GAMMA / "market_closed_zero_zero_legacy.json")
    closed = copy.deepcopy(markets[0])
    closed.update(id="77", conditionId="0x" + "ab" * 32, closed=True)
    universe = [*markets, legacy, closed, copy.deepcopy(markets[1]), "junk"]
    metrics = CountingMetrics()
    with LoopbackVenue(VenueState(markets=universe, honour_filters=False)) as venue:
        result = discover(venue, metrics)
    assert result.ok
    assert len(result.markets) == 3
    reasons = {(r.market_id, r.reason) for r in result.rejected}
    assert reasons == {
        ("12", MarketReject.NO_ORDER_BOOK),
        ("77", MarketReject.CLOSED),
        (markets[1]["id"], MarketReject.DUPLICATE),
        ("?", MarketReject.NOT_AN_OBJECT),
    }
    assert metrics.counter_sum(DISCOVERY_REJECTED_MARKETS_TOTAL) == 4


def synthetic_events(count: int, per_event: int) -> list[dict[str, object]]:
    template = load_json(GAMMA / "event_democratic_nominee_2028.json")[0]
    markets = synthetic_markets(count * per_event)
    events = []
    for index in range(count):
        event = copy.deepcopy(template)
        event.update(
            id=str(500 + index), markets=markets[index * per_event : (index + 1) * per_event]
        )
        events.append(event)
    return events


@pytest.mark.parametrize("pagination", ["keyset", "offset"])
def test_events_collection_walks_pages_and_flattens_markets(pagination: str) -> None:
    with LoopbackVenue(VenueState(events=synthetic_events(5, 3))) as venue:
        result = discover(venue, collection="events", page_size=2, pagination=pagination)
    assert result.ok
    assert result.pages == 3
    assert len(result.markets) == 15
    assert all("Politics" in m.tags for m in result.markets)  # the parent event's tags


def search_pages(count: int, *, more_after_last: bool = False) -> list[dict[str, object]]:
    fixture = load_json(GAMMA / "public_search_bitcoin_above_on_march_11.json")
    markets = synthetic_markets(count)
    pages = []
    for index in range(count):
        page = copy.deepcopy(fixture)
        page["events"][0]["markets"] = [markets[index]]
        page["pagination"]["hasMore"] = more_after_last or index < count - 1
        pages.append(page)
    return pages


def test_search_walks_pages_until_has_more_is_false() -> None:
    with LoopbackVenue(VenueState(search_pages=search_pages(3))) as venue:
        result = discover(venue, search="bitcoin above")
        queries = [r.query for r in venue.state.paths("/public-search")]
    assert result.ok
    assert (result.pagination, result.pages, len(result.markets)) == ("search", 3, 3)
    assert [q["page"] for q in queries] == [["1"], ["2"], ["3"]]
    assert queries[0]["q"] == ["bitcoin above"]


def test_search_with_more_results_than_the_budget_is_a_veto() -> None:
    with LoopbackVenue(VenueState(search_pages=search_pages(3, more_after_last=True))) as venue:
        result = discover(venue, search="bitcoin", max_pages=3)
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.PAGE_BUDGET_EXHAUSTED


def test_search_body_without_pagination_is_a_veto() -> None:
    pages = search_pages(1)
    del pages[0]["pagination"]
    with LoopbackVenue(VenueState(search_pages=pages)) as venue:
        result = discover(venue, search="bitcoin")
    assert result.veto is not None
    assert result.veto.reason is VenueVeto.INVALID_BODY


def test_filters_validate_page_size() -> None:
    with pytest.raises(ValueError, match="page_size"):
        DiscoveryFilters(page_size=101)
