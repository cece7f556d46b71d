"""Resolution facts from Gamma and CLOB REST, as `SourceView`s (astra.domain.resolution).

Gamma: `GET /markets?condition_ids=..` (≤100 per request), once with `closed=false` and once
with `closed=true` (Gamma silently adds `closed=false` to a lookup without it, so a closed
market is only found when asked for). CLOB: `GET /markets/{condition_id}`, asked only for the
markets Gamma did not report open (a CLOB view of an open market adds nothing). A market a
source did not answer for has no view from it; a field of the wrong type makes the view say
nothing about that field (the domain then reads it as unreadable or pending, never settled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import orjson

from astra.adapters.http_client import HttpClient, HttpSettings, RequestVeto
from astra.domain.metrics_port import MetricsSink
from astra.domain.resolution import SourceView

GAMMA_BATCH = 100  # condition ids per Gamma request (the venue's limit)


class ResolutionRest:
    """Use `async with`: one connection pool per service for a round of checks."""

    def __init__(
        self,
        gamma_url: str,
        clob_url: str,
        *,
        http: HttpSettings | None = None,
        metrics: MetricsSink | None = None,
    ) -> None:
        settings = http or HttpSettings()
        self._gamma = HttpClient(gamma_url, settings, service="gamma", metrics=metrics)
        self._clob = HttpClient(clob_url, settings, service="clob", metrics=metrics)

    async def __aenter__(self) -> ResolutionRest:
        await self._gamma.__aenter__()
        await self._clob.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._gamma.aclose()
        await self._clob.aclose()

    async def gamma_views(self, condition_ids: Sequence[str]) -> dict[str, SourceView]:
        views: dict[str, SourceView] = {}
        ids = list(dict.fromkeys(condition_ids))
        for start in range(0, len(ids), GAMMA_BATCH):
            batch = ids[start : start + GAMMA_BATCH]
            for closed in (False, True):
                params = {"condition_ids": batch, "closed": closed, "limit": GAMMA_BATCH}
                reply = await self._gamma.get_json("/markets", params)
                if isinstance(reply, RequestVeto) or not isinstance(reply.body, list):
                    continue
                for raw in reply.body:
                    view = gamma_view(raw)
                    if view is not None and view[0] in batch:
                        views[view[0]] = view[1]
        return views

    async def clob_view(self, condition_id: str) -> SourceView | None:
        reply = await self._clob.get_json(f"/markets/{condition_id}")
        if isinstance(reply, RequestVeto):
            return None
        found = clob_view(reply.body)
        return None if found is None or found[0] != condition_id else found[1]


def gamma_view(raw: object) -> tuple[str, SourceView] | None:
    """A Gamma market object's resolution facts, keyed by condition id (None: no id)."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("conditionId"), str):
        return None
    closed = raw.get("closed")
    status = raw.get("umaResolutionStatus")
    neg_risk = raw.get("negRisk", False)  # absent on plain binary (and legacy) markets
    return str(raw["conditionId"]), SourceView(
        source="gamma",
        closed=closed if isinstance(closed, bool) else None,
        tokens=_encoded_strings(raw.get("clobTokenIds")),
        prices=_encoded_strings(raw.get("outcomePrices")),
        uma_status=status if isinstance(status, str) and status else None,
        neg_risk=neg_risk if isinstance(neg_risk, bool) else None,
    )


def clob_view(raw: object) -> tuple[str, SourceView] | None:
    """A CLOB `/markets/{id}` object's facts: closed, token ids, the ids flagged winner."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("condition_id"), str):
        return None
    closed = raw.get("closed")
    neg_risk = raw.get("neg_risk")
    tokens: list[str] = []
    winners: list[str] = []
    readable = isinstance(raw.get("tokens"), list)
    for token in raw.get("tokens") or ():
        tid = token.get("token_id") if isinstance(token, Mapping) else None
        won = token.get("winner") if isinstance(token, Mapping) else None
        if not isinstance(tid, str) or not isinstance(won, bool):
            readable = False
            break
        tokens.append(tid)
        if won:
            winners.append(tid)
    return str(raw["condition_id"]), SourceView(
        source="clob",
        closed=closed if isinstance(closed, bool) and readable else None,
        tokens=tuple(tokens) if readable else None,
        winners=tuple(winners) if readable else None,
        neg_risk=neg_risk if isinstance(neg_risk, bool) else None,
    )


def _encoded_strings(value: object) -> tuple[str, ...] | None:
    """Gamma's JSON-in-a-string lists (`"[\\"1\\", \\"0\\"]"`); None unless all strings."""
    if not isinstance(value, str):
        return None
    try:
        items = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return None
    return tuple(items)
