"""Gamma discovery: walk every page of markets (or events, or a search) and map them.

Keyset pagination (`/markets/keyset`, `next_cursor`) first; when the keyset endpoint does not
exist (404/405/410) the walk falls back to offset paging (`/markets?limit=100&offset=k`), which
Gamma refuses past offset 10000 (HTTP 422). Any failure on any page — HTTP error, timeout,
invalid body, a cursor seen twice (a known server bug that would loop or repeat a page), the
offset ceiling, or the page budget — vetoes the whole run: the seed returned "ok" with a
partial or empty universe in exactly these cases (seed_spec §1.33, §1.40, §5.2 B-4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import anyio

from astra.adapters.http_client import (
    HttpClient,
    HttpSettings,
    JsonReply,
    QueryValue,
    RequestVeto,
    Sleep,
)
from astra.adapters.polymarket.discovery_result import DiscoveryFilters, DiscoveryResult
from astra.adapters.polymarket.gamma_mapping import (
    JsonObject,
    Rejection,
    map_market,
    market_id_of,
)
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import (
    DISCOVERY_REJECTED_MARKETS_TOTAL,
    DISCOVERY_VETOES_TOTAL,
    MetricsSink,
)
from astra.domain.reasons import MarketReject, VenueVeto

GAMMA_URL = "https://gamma-api.polymarket.com"
OFFSET_CEILING = 10_000  # Gamma answers 422 beyond this offset
_NO_ENDPOINT = frozenset({404, 405, 410})


@dataclass(slots=True)
class _Walk:
    """Accumulates one pagination walk (mutable, local to a discover call)."""

    pagination: str
    items: list[tuple[object, JsonObject | None]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    pages: int = 0
    veto: RequestVeto | None = None


class GammaClient:
    """Read-only Gamma client. Every base URL is configurable (tests use a loopback server)."""

    def __init__(
        self,
        base_url: str = GAMMA_URL,
        *,
        http: HttpSettings | None = None,
        metrics: MetricsSink | None = None,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        self._base_url = base_url
        self._http = http or HttpSettings()
        self._metrics = metrics
        self._sleep = sleep

    async def discover(self, filters: DiscoveryFilters | None = None) -> DiscoveryResult:
        """The complete filtered universe, or a veto with no markets at all."""
        filters = filters or DiscoveryFilters()
        client = HttpClient(
            self._base_url, self._http, service="gamma", metrics=self._metrics, sleep=self._sleep
        )
        async with client:
            walk = await self._walk(client, filters)
        if walk.veto is not None:
            self._count_veto(walk.veto)
            return DiscoveryResult((), (), walk.pages, walk.veto, walk.pagination)
        markets, rejected = _map_all(walk, filters)
        self._count_rejections(rejected)
        return DiscoveryResult(markets, rejected, walk.pages, None, walk.pagination)

    async def _walk(self, client: HttpClient, filters: DiscoveryFilters) -> _Walk:
        if filters.search is not None:
            return await _search(client, filters)
        if filters.pagination == "offset":
            return await _offset(client, filters)
        walk = await _keyset(client, filters)
        fallback = (
            filters.pagination == "auto"
            and walk.pages == 0
            and walk.veto is not None
            and walk.veto.status in _NO_ENDPOINT
        )
        return await _offset(client, filters) if fallback else walk

    def _count_veto(self, veto: RequestVeto) -> None:
        if self._metrics is not None:
            self._metrics.inc(DISCOVERY_VETOES_TOTAL, {"reason": str(veto.reason)})

    def _count_rejections(self, rejected: tuple[Rejection, ...]) -> None:
        if self._metrics is None:
            return
        for rejection in rejected:
            self._metrics.inc(DISCOVERY_REJECTED_MARKETS_TOTAL, {"reason": str(rejection.reason)})


def _filter_params(filters: DiscoveryFilters) -> dict[str, QueryValue]:
    params: dict[str, QueryValue] = {"limit": filters.page_size}
    if filters.active is not None:
        params["active"] = filters.active
    if filters.closed is not None:
        params["closed"] = filters.closed
    if filters.tag_id is not None:
        params["tag_id"] = filters.tag_id
    return params


def _invalid(walk: _Walk, detail: str) -> _Walk:
    walk.veto = RequestVeto(VenueVeto.INVALID_BODY, f"page {walk.pages + 1}: {detail}")
    return walk


def _budget_spent(walk: _Walk, filters: DiscoveryFilters) -> _Walk:
    walk.veto = RequestVeto(
        VenueVeto.PAGE_BUDGET_EXHAUSTED,
        f"{walk.pages} pages fetched and more remain (budget {filters.max_pages})",
    )
    return walk


def _add_page(walk: _Walk, objects: list[object], collection: str) -> None:
    walk.pages += 1
    if collection == "markets":
        walk.items.extend((obj, None) for obj in objects)
    else:
        _add_events(walk, objects)


def _add_events(walk: _Walk, events: list[object]) -> None:
    for event in events:
        if not isinstance(event, Mapping):
            walk.rejected.append(Rejection("?", MarketReject.NOT_AN_OBJECT, "event"))
            continue
        markets = event.get("markets")
        if not isinstance(markets, list):
            event_id = f"event:{event.get('id', '?')}"
            walk.rejected.append(Rejection(event_id, MarketReject.MISSING_FIELD, "markets"))
            continue
        walk.items.extend((market, event) for market in markets)


async def _keyset(client: HttpClient, filters: DiscoveryFilters) -> _Walk:
    walk = _Walk("keyset")
    key = filters.collection
    params = _filter_params(filters)
    seen: set[str] = set()
    while True:
        reply = await client.get_json(f"/{key}/keyset", params)
        if isinstance(reply, RequestVeto):
            walk.veto = reply
            return walk
        body = reply.body
        if not isinstance(body, Mapping) or not isinstance(body.get(key), list):
            return _invalid(walk, f"expected an object with a '{key}' array")
        cursor = body.get("next_cursor")
        if cursor is not None and not isinstance(cursor, str):
            return _invalid(walk, "next_cursor is not a string")
        _add_page(walk, body[key], key)
        if not cursor:
            return walk
        if cursor in seen:
            walk.veto = RequestVeto(
                VenueVeto.REPEATED_CURSOR, f"cursor {cursor!r} came back on page {walk.pages}"
            )
            return walk
        if walk.pages >= filters.max_pages:
            return _budget_spent(walk, filters)
        seen.add(cursor)
        params = {**params, "after_cursor": cursor}


async def _offset(client: HttpClient, filters: DiscoveryFilters) -> _Walk:
    walk = _Walk("offset")
    key = filters.collection
    params = _filter_params(filters)
    while True:
        offset = walk.pages * filters.page_size
        if offset > OFFSET_CEILING:
            walk.veto = RequestVeto(
                VenueVeto.OFFSET_LIMIT,
                f"more than {OFFSET_CEILING} {key}; offset paging cannot see them all",
            )
            return walk
        reply = await client.get_json(f"/{key}", {**params, "offset": offset})
        if isinstance(reply, RequestVeto):
            walk.veto = reply
            return walk
        if not isinstance(reply.body, list):
            return _invalid(walk, f"expected a JSON array of {key}")
        _add_page(walk, reply.body, key)
        # A short page is the end: we never ask for more than Gamma's cap of 100.
        if len(reply.body) < filters.page_size:
            return walk
        if walk.pages >= filters.max_pages:
            return _budget_spent(walk, filters)


async def _search(client: HttpClient, filters: DiscoveryFilters) -> _Walk:
    walk = _Walk("search")
    base: dict[str, QueryValue] = {
        "q": filters.search or "",
        "limit_per_type": filters.page_size,
    }
    while True:
        reply = await client.get_json("/public-search", {**base, "page": walk.pages + 1})
        if isinstance(reply, RequestVeto):
            walk.veto = reply
            return walk
        more = _search_page(walk, reply)
        if walk.veto is not None or not more:
            return walk
        if walk.pages >= filters.max_pages:
            return _budget_spent(walk, filters)


def _search_page(walk: _Walk, reply: JsonReply) -> bool:
    """Add one search page; returns whether the server says more pages exist."""
    body = reply.body
    events = body.get("events", []) if isinstance(body, Mapping) else None
    pagination = body.get("pagination") if isinstance(body, Mapping) else None
    has_more = pagination.get("hasMore") if isinstance(pagination, Mapping) else None
    if not isinstance(events, list) or not isinstance(has_more, bool):
        _invalid(walk, "expected {events: [...], pagination: {hasMore: bool}}")
        return False
    _add_page(walk, events, "events")
    return has_more


def _map_all(
    walk: _Walk, filters: DiscoveryFilters
) -> tuple[tuple[MarketInfo, ...], tuple[Rejection, ...]]:
    markets: dict[str, MarketInfo] = {}
    rejected = list(walk.rejected)
    for raw, event in walk.items:
        mapped = map_market(raw, event)
        if isinstance(mapped, Rejection):
            rejected.append(mapped)
        elif filters.closed is False and isinstance(raw, Mapping) and raw.get("closed") is True:
            rejected.append(_rejection(raw, MarketReject.CLOSED, "closed=true despite filter"))
        elif mapped.condition_id in markets:
            rejected.append(_rejection(raw, MarketReject.DUPLICATE, mapped.condition_id))
        else:
            markets[mapped.condition_id] = mapped
    return tuple(markets.values()), tuple(rejected)


def _rejection(raw: object, reason: MarketReject, detail: str) -> Rejection:
    return Rejection(market_id_of(raw), reason, detail)
