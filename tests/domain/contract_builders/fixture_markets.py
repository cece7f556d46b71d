"""The real venue fixtures as `MarketInfo`, through the production Gamma mapping.

Gamma objects are mapped as they are (a market, an event with markets, a search reply).
CLOB REST market objects carry the same facts under snake_case names; they are renamed to
Gamma's keys (nothing else is changed) and go through the same `map_market`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.domain.market import MarketInfo

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "polymarket"


def _clob_as_gamma(raw: Mapping[str, Any]) -> dict[str, Any]:
    tokens = raw.get("tokens") or []
    return {
        "id": raw.get("question_id"),
        "conditionId": raw.get("condition_id"),
        "question": raw.get("question"),
        "description": raw.get("description"),
        "slug": raw.get("market_slug"),
        "endDate": raw.get("end_date_iso"),
        "gameStartTime": raw.get("game_start_time"),
        "negRisk": raw.get("neg_risk"),
        "negRiskMarketID": raw.get("neg_risk_market_id"),
        "enableOrderBook": raw.get("enable_order_book"),
        "acceptingOrders": raw.get("accepting_orders"),
        "orderPriceMinTickSize": raw.get("minimum_tick_size"),
        "orderMinSize": raw.get("minimum_order_size"),
        "clobTokenIds": json.dumps([t.get("token_id") for t in tokens]),
        "outcomes": json.dumps([t.get("outcome") for t in tokens]),
    }


def _gamma_objects(data: Any) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any] | None]]:
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, Mapping):
            continue
        if "events" in item and "conditionId" not in item:
            yield from _gamma_objects(item["events"])
        elif "markets" in item and "conditionId" not in item:
            for market in item["markets"]:
                yield market, item
        else:
            yield item, None


def fixture_markets(name: str) -> list[MarketInfo | Rejection]:
    """Every market object of one fixture file (`gamma/x.json` or `clob_rest/x.json`)."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    if name.startswith("clob_rest/"):
        rows = data.get("data", [data]) if isinstance(data, Mapping) else data
        return [map_market(_clob_as_gamma(r)) for r in rows if "condition_id" in r]
    return [map_market(raw, event) for raw, event in _gamma_objects(data)]
