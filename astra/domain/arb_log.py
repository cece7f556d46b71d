"""The opportunity log of one event: which arbitrages opened, changed and closed, and when.

Pure: `update(found, now_ms)` is given every opportunity of the event as evaluated on the
latest books and answers the transitions since the previous call. An opportunity is known by
its `key` (kind, group, pivot); it *changes* when its size or net edge moves, and *closes*
when it is no longer found — its duration is from the book change that opened it to the one
that closed it (event time). `close_all` ends every open one (a halt, a desync, the end of a
session), so no opportunity is left counted as open forever.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from astra.domain.arbitrage import Opportunity
from astra.domain.prices import format_price, format_size


class ArbAction(enum.StrEnum):
    OPEN = "arb_open"
    CHANGE = "arb_change"
    CLOSE = "arb_close"


@dataclass(frozen=True, slots=True)
class ArbTransition:
    action: ArbAction
    opportunity: Opportunity  # for a close: as last seen while open
    opened_ms: int
    ts_ms: int
    peak_net: int  # the largest net edge seen while open, micro-collateral
    close_reason: str = ""

    @property
    def duration_ms(self) -> int:
        return self.ts_ms - self.opened_ms

    def payload(self) -> dict[str, Any]:
        walk = self.opportunity.walk
        data: dict[str, Any] = {
            "action": self.action.value,
            "key": self.opportunity.key,
            "kind": self.opportunity.kind.value,
            "group": self.opportunity.group,
            "pivot": self.opportunity.pivot,
            "opened_ms": self.opened_ms,
            "duration_ms": self.duration_ms,
            "size": walk.size,
            "gross": walk.gross,
            "fee": walk.fee,
            "net": walk.net,
            "net_per_share": walk.net_per_share,
            "peak_net": self.peak_net,
            "legs": [
                {
                    "market": leg.condition_id,
                    "outcome": leg.label,
                    "asset_id": leg.token,
                    "side": leg.side.value,
                    "best": format_price(leg.best_price),
                    "worst": format_price(leg.worst_price),
                    "size": format_size(leg.size),
                    "fee": leg.fee,
                }
                for leg in walk.legs
            ],
        }
        if self.close_reason:
            data["close_reason"] = self.close_reason
        return data


@dataclass(slots=True)
class _Open:
    opportunity: Opportunity
    opened_ms: int
    peak_net: int


class OpportunityLog:
    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}

    @property
    def open_count(self) -> int:
        return len(self._open)

    def update(self, found: Iterable[Opportunity], now_ms: int) -> list[ArbTransition]:
        seen: dict[str, Opportunity] = {}
        for opp in found:
            seen.setdefault(opp.key, opp)
        out: list[ArbTransition] = []
        for key in [k for k in self._open if k not in seen]:
            out.append(self._close(key, now_ms, "gone"))
        for key, opp in seen.items():
            held = self._open.get(key)
            if held is None:
                self._open[key] = _Open(opp, now_ms, opp.walk.net)
                out.append(ArbTransition(ArbAction.OPEN, opp, now_ms, now_ms, opp.walk.net))
                continue
            before = held.opportunity.walk
            if (before.size, before.net) == (opp.walk.size, opp.walk.net):
                continue
            held.opportunity = opp
            held.peak_net = max(held.peak_net, opp.walk.net)
            out.append(ArbTransition(ArbAction.CHANGE, opp, held.opened_ms, now_ms, held.peak_net))
        return out

    def open_items(self) -> list[tuple[Opportunity, int]]:
        """Every open opportunity (as last seen) with the time it opened."""
        return [(held.opportunity, held.opened_ms) for held in self._open.values()]

    def close_all(self, now_ms: int, reason: str) -> list[ArbTransition]:
        return [self._close(key, now_ms, reason) for key in list(self._open)]

    def _close(self, key: str, now_ms: int, reason: str) -> ArbTransition:
        held = self._open.pop(key)
        return ArbTransition(
            ArbAction.CLOSE, held.opportunity, held.opened_ms, now_ms, held.peak_net, reason
        )
