"""Live discovery for the paper trader: the configured filters' union, or a veto.

Any vetoed walk vetoes the whole universe (a partial universe is not an answer). Markets not
accepting orders or past their end date are dropped; the rest are ranked by
`astra.domain.universe.rank` (liquidity, 24 h volume, time to end — not Gamma's order) and the
first `discovery.max_markets` are traded. `discover_all` gives the whole ranked list (the live
universe's periodic rediscovery picks replacements from it).
"""

from __future__ import annotations

import time

import anyio

from astra.adapters.http_client import HttpSettings
from astra.adapters.polymarket.discovery_result import DiscoveryFilters
from astra.adapters.polymarket.gamma import GammaClient
from astra.domain.event_groups import EventGroup, group_markets
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import MetricsSink
from astra.domain.universe import rank
from astra.settings import Settings


class DiscoveryVetoed(RuntimeError):
    """Discovery gave no usable universe; the message names the reason."""


def filters(settings: Settings) -> list[DiscoveryFilters]:
    config = settings.discovery
    search = config.search or None
    tags: list[str | None] = [None] if search or not config.tags else list(config.tags)
    return [
        DiscoveryFilters(tag_id=tag, search=search, max_pages=config.page_budget) for tag in tags
    ]


async def discover(
    settings: Settings, http: HttpSettings, metrics: MetricsSink
) -> list[MarketInfo]:
    markets = (await discover_all(settings, http, metrics))[: settings.discovery.max_markets]
    if not markets:
        raise DiscoveryVetoed("discovery found no market accepting orders")
    return markets


async def discover_all(
    settings: Settings, http: HttpSettings, metrics: MetricsSink
) -> list[MarketInfo]:
    """Every market the filters find that accepts orders, ranked best first."""
    client = GammaClient(settings.venue.gamma_url, http=http, metrics=metrics)
    found: dict[str, MarketInfo] = {}
    limit = settings.run.startup_timeout_s
    try:
        with anyio.fail_after(limit):
            for walk in filters(settings):
                result = await client.discover(walk)
                if result.veto is not None:
                    veto = result.veto
                    raise DiscoveryVetoed(f"discovery vetoed ({veto.reason}): {veto.detail}")
                found.update((m.condition_id, m) for m in result.markets if m.accepting_orders)
    except TimeoutError as exc:
        raise DiscoveryVetoed(f"discovery vetoed (timeout): no answer within {limit} s") from exc
    return rank(found.values(), time.time_ns() // 1_000_000)


def event_groups(markets: list[MarketInfo]) -> dict[str, EventGroup]:
    """The discovered markets grouped by event, so each knows its siblings (issue 17)."""
    return group_markets(markets)
