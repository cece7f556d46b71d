"""One Gamma market by condition id (`GET /markets?condition_ids=...`), mapped or vetoed."""

from __future__ import annotations

from astra.adapters.http_client import HttpClient, RequestVeto
from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.domain.market import MarketInfo
from astra.domain.reasons import VenueVeto


async def market_by_condition(client: HttpClient, condition_id: str) -> MarketInfo | RequestVeto:
    reply = await client.get_json("/markets", {"condition_ids": condition_id})
    if isinstance(reply, RequestVeto):
        return reply
    body = reply.body
    if not isinstance(body, list):
        return RequestVeto(VenueVeto.INVALID_BODY, "gamma /markets: expected a JSON array")
    for raw in body:
        mapped = map_market(raw)
        if isinstance(mapped, Rejection):
            detail = f"gamma market {mapped.market_id}: {mapped.reason.value}: {mapped.detail}"
            return RequestVeto(VenueVeto.INVALID_BODY, detail)
        if mapped.condition_id == condition_id.lower():
            return mapped
    return RequestVeto(VenueVeto.INVALID_BODY, f"gamma has no market {condition_id}")
