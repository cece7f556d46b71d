"""The trading universe's rule: which discovered markets to trade, and which to let go.

Ranking (`rank`): markets are ordered by Gamma's liquidity (highest first), then 24 h volume
(highest first), then time to end (the longest first: a market about to end leaves again at once and
carries resolution risk; no end date ranks after every dated one), then condition id, so the
same inputs always give the same universe whatever order Gamma listed them in.

Planning (`plan`): only markets that accept orders and have not passed their end date are
eligible. A live market leaves when its end date has passed; free places (up to
`max_markets`) are filled with the best-ranked eligible markets not yet live and never
retired in this run. A live market is never evicted for a better-ranked one: leaving costs a
cancel of its orders and it may hold a position, so only closing or ending makes it leave.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from astra.domain.market import MarketInfo


def eligible(info: MarketInfo, now_ms: int) -> bool:
    return info.accepting_orders and not ended(info, now_ms)


def ended(info: MarketInfo, now_ms: int) -> bool:
    return info.end_date_ms is not None and info.end_date_ms <= now_ms


def rank(markets: Iterable[MarketInfo], now_ms: int) -> list[MarketInfo]:
    """The markets best first (see the module doc); duplicates count once."""
    unique = {m.condition_id: m for m in markets}

    def key(m: MarketInfo) -> tuple[int, int, int, int, str]:
        undated = m.end_date_ms is None
        to_end = 0 if m.end_date_ms is None else m.end_date_ms - now_ms
        return (-m.liquidity, -m.volume_24h, int(undated), -to_end, m.condition_id)

    return sorted(unique.values(), key=key)


@dataclass(frozen=True, slots=True)
class UniversePlan:
    add: tuple[MarketInfo, ...]
    leave: tuple[str, ...]  # condition ids that stop quoting (past their end date)


def plan(
    live: Sequence[MarketInfo],
    discovered: Iterable[MarketInfo],
    now_ms: int,
    max_markets: int,
    retired: Collection[str] = (),
) -> UniversePlan:
    leave = tuple(m.condition_id for m in live if ended(m, now_ms))
    staying = {m.condition_id for m in live} - set(leave)
    room = max(max_markets - len(staying), 0)
    fresh = [
        m
        for m in rank(discovered, now_ms)
        if eligible(m, now_ms)
        and m.condition_id not in staying
        and m.condition_id not in leave
        and m.condition_id not in retired
    ]
    return UniversePlan(tuple(fresh[:room]), leave)
