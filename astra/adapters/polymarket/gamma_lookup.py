"""One Gamma market by condition id (`GET /markets?condition_ids=...`), mapped or vetoed.

A market the mapper rejects is counted in `astra_arb_cross_venue_rejected_total{venue=
"polymarket", reason}` by the mapper's named reason, which also opens the veto's detail.
"""

from __future__ import annotations

from astra.adapters.http_client import HttpClient, RequestVeto
from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import ARB_CROSS_VENUE_REJECTED_TOTAL, MetricsSink
from astra.domain.reasons import VenueVeto


async def market_by_condition(
    client: HttpClient, condition_id: str, metrics: MetricsSink | None = None
) -> MarketInfo | RequestVeto:
    reply = await client.get_json("/markets", {"condition_ids": condition_id})
    if isinstance(reply, RequestVeto):
        return reply
    body = reply.body
    if not isinstance(body, list):
        return RequestVeto(VenueVeto.INVALID_BODY, "gamma /markets: expected a JSON array")
    for raw in body:
        mapped = map_market(raw)
        if isinstance(mapped, Rejection):
            reason = str(mapped.reason)
            if metrics is not None:
                labels = {"venue": "polymarket", "reason": reason}
                metrics.inc(ARB_CROSS_VENUE_REJECTED_TOTAL, labels)
            detail = f"{reason}: gamma market {mapped.market_id}: {mapped.detail}"
            return RequestVeto(VenueVeto.INVALID_BODY, detail)
        if mapped.condition_id == condition_id.lower():
            return mapped
    return RequestVeto(VenueVeto.INVALID_BODY, f"gamma has no market {condition_id}")
