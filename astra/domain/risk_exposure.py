"""Exposure as the risk caps count it: a YES+NO pair at its worst case, and event groups.

A market's YES+NO pair pays exactly 1 however the market resolves, so its worst-case loss
is zero: `netted_values` values each leg only for the shares that are not paired (marked to
its mid, or pro-rata cost when unmarked). An order that completes pairs (a BUY of the
complement of what is held, up to that size) reduces exposure (`completes_pairs`).

Event groups (neg-risk legs sharing Gamma's `negRiskMarketID`, or the markets of one Gamma
event) are capped on their worst case. Which leg is YES is not known to the ledger, so the
group's worst case is bounded by the sum of its markets' netted exposure: exact for YES
legs of a neg-risk event (all but one lose), an overstatement for NO legs (at most one
loses) — never an understatement.
"""

from __future__ import annotations

from collections.abc import Mapping

from astra.domain.ledger import Ledger, Position
from astra.domain.prices import Side, notional_micros
from astra.domain.trading import OrderIntent


def _value(pos: Position, size: int, marks: Mapping[str, int]) -> int:
    if size <= 0:
        return 0
    mark = marks.get(pos.asset_id)
    if mark is None:
        return pos.cost if size == pos.size else pos.cost * size // pos.size
    return notional_micros(mark, size)


def netted_values(ledger: Ledger, marks: Mapping[str, int]) -> dict[str, int]:
    """Asset -> marked value of its shares that are not part of a YES+NO pair."""
    by_market: dict[str, list[Position]] = {}
    for pos in ledger.positions.values():
        by_market.setdefault(pos.market, []).append(pos)
    values: dict[str, int] = {}
    for legs in by_market.values():
        paired = min(p.size for p in legs) if len(legs) == 2 else 0
        for pos in legs:
            values[pos.asset_id] = _value(pos, pos.size - paired, marks)
    return values


def completes_pairs(ledger: Ledger, intent: OrderIntent) -> bool:
    """A BUY of the complement of a held leg, no larger than it: it only makes pairs."""
    if intent.side is not Side.BUY:
        return False
    for pos in ledger.positions.values():
        if pos.market == intent.market and pos.asset_id != intent.asset_id:
            return intent.size <= pos.size
    return False
