"""Markets of one event, known to each other.

A group is keyed by `MarketInfo.event_id` (the neg-risk market id for a neg-risk market, else
`event:<Gamma event id>`). A group is *neg-risk* — its outcomes mutually exclusive, exactly one
resolving YES — only when every member says `neg_risk` and no member names another neg-risk
market id; a group that mixes flags or ids is treated as not neg-risk, so no event-sum
arbitrage is ever claimed over outcomes not known to exclude each other. Markets without an
event id belong to no group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from astra.domain.market import MarketInfo


@dataclass(frozen=True, slots=True)
class EventGroup:
    event_id: str
    members: tuple[str, ...]  # condition ids, in discovery order
    titles: tuple[str, ...]  # each member's outcome title (`group_item_title`, else question)
    neg_risk: bool

    def siblings(self, condition_id: str) -> tuple[str, ...]:
        return tuple(m for m in self.members if m != condition_id)


def group_markets(markets: Iterable[MarketInfo]) -> dict[str, EventGroup]:
    by_event: dict[str, list[MarketInfo]] = {}
    for market in markets:
        if market.event_id:
            by_event.setdefault(market.event_id, []).append(market)
    return {event_id: _group(event_id, members) for event_id, members in by_event.items()}


def _group(event_id: str, members: list[MarketInfo]) -> EventGroup:
    # A neg-risk market's event id *is* its neg-risk market id (or the simulator's stand-in).
    ids = {m.neg_risk_market_id for m in members} - {""}
    neg_risk = all(m.neg_risk for m in members) and ids <= {event_id}
    return EventGroup(
        event_id,
        tuple(m.condition_id for m in members),
        tuple(m.group_item_title or m.question for m in members),
        neg_risk,
    )
