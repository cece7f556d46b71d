"""The paper portfolio ledger: cash, positions, average cost, fees and P&L, in int micro-units.

Cash moves only through entries, and every entry is a fill's notional, a fee (a maker rebate
is a negative fee) or a settlement payout; `cash == base_cash + sum(entries)` always holds.
Rounding is conservative and exact: a BUY pays ceil(price·size), a SELL receives
floor(price·size) (micro-collateral). Selling more than is held is an error (the venue has no
naked shorts), as is a fill for a market already settled. Fills are idempotent on `fill_id`,
because the journal delivers at least once.

Realised P&L is gross of fees (fees are tracked separately): on a SELL it is proceeds minus the
average cost of the shares sold (floor of the pro-rata cost; a full close removes the whole
cost so nothing is lost to rounding); on settlement it is payout minus cost.

Merge (the venue's merge of complementary outcome tokens): a market's YES+NO pair pays
exactly 1 however it resolves (a 50/50 resolution pays 0.5 + 0.5), so `merge_pairs` turns
min(YES, NO) pairs into that much collateral; realised P&L is the collateral minus the
pro-rata cost of both legs (floor of each, the whole cost of a leg that is closed). The
risk state merges after every fill (`RiskState.on_fill`), so a replay of the same fills
merges the same pairs.
Identity: equity(marks) == initial_cash + realized − fees + unrealized(marks).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from astra.domain.prices import ONE, PRICE_SCALE, Side, notional_micros
from astra.domain.settlement import settlement_payout
from astra.domain.trading import Fill, Settlement


class LedgerError(ValueError):
    """A movement the ledger refuses (it would make the books wrong)."""


class EntryKind(enum.StrEnum):
    FILL = "fill"
    FEE = "fee"
    SETTLEMENT = "settlement"
    MERGE = "merge"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    kind: EntryKind
    amount: int  # signed change of cash, micro-collateral
    ref: str  # fill id, or the settled market
    asset_id: str
    ts_ms: int


@dataclass(frozen=True, slots=True)
class Position:
    market: str
    asset_id: str
    size: int  # micro-shares, > 0
    cost: int  # cost basis, micro-collateral

    @property
    def avg_price(self) -> Fraction:
        """Average cost per share (collateral per share; ×1e4 for pips)."""
        return Fraction(self.cost, self.size)

    def value(self, mark_pips: int) -> int:
        return notional_micros(mark_pips, self.size)


def buy_cost(price: int, size: int) -> int:
    return -((-price * size) // PRICE_SCALE)


def sell_proceeds(price: int, size: int) -> int:
    return (price * size) // PRICE_SCALE


class Ledger:
    def __init__(self, initial_cash: int) -> None:
        if isinstance(initial_cash, bool) or not isinstance(initial_cash, int):
            raise LedgerError(f"initial cash must be int micros, got {initial_cash!r}")
        self.initial_cash = initial_cash
        self.cash = initial_cash
        self.fees_paid = 0
        self.realized = 0
        self._base_cash = initial_cash
        self._positions: dict[str, Position] = {}
        self._seen_fills: set[str] = set()
        self._settled: set[str] = set()
        self._entries: list[LedgerEntry] = []
        self._merged: dict[str, int] = {}  # market -> pairs merged (micro-shares), cumulative

    # -- reading --

    @property
    def positions(self) -> Mapping[str, Position]:
        return dict(self._positions)

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        return tuple(self._entries)

    @property
    def base_cash(self) -> int:
        """Cash when the entry log starts (initial cash, or the cash of a restored snapshot)."""
        return self._base_cash

    def position(self, asset_id: str) -> Position | None:
        return self._positions.get(asset_id)

    def market_of(self, asset_id: str) -> str | None:
        pos = self._positions.get(asset_id)
        return None if pos is None else pos.market

    def is_settled(self, market: str) -> bool:
        return market in self._settled

    @property
    def merged(self) -> Mapping[str, int]:
        return dict(self._merged)

    def pair(self, market: str) -> tuple[Position, Position] | None:
        """The market's two held legs (a YES+NO pair), when both are held."""
        legs = [p for p in self._positions.values() if p.market == market]
        if len(legs) != 2:
            return None
        first, second = sorted(legs, key=lambda p: p.asset_id)
        return first, second

    def realized_net(self) -> int:
        return self.realized - self.fees_paid

    def position_value(self, asset_id: str, marks: Mapping[str, int]) -> int:
        """Mark-to-mid value; an unmarked position is carried at cost."""
        pos = self._positions[asset_id]
        mark = marks.get(asset_id)
        return pos.cost if mark is None else pos.value(mark)

    def unrealized(self, marks: Mapping[str, int]) -> int:
        return sum(self.position_value(a, marks) - p.cost for a, p in self._positions.items())

    def equity(self, marks: Mapping[str, int]) -> int:
        """Cash plus positions marked to `marks` (mids, pips); unmarked ones at cost."""
        return self.cash + sum(self.position_value(a, marks) for a in self._positions)

    def conservative_equity(self, bids: Mapping[str, int]) -> int:
        """Cash plus every (long) position at its best bid; no bid values it at 0."""
        return self.cash + sum(p.value(bids.get(a, 0)) for a, p in self._positions.items())

    # -- movements --

    def apply_fill(self, fill: Fill) -> tuple[LedgerEntry, ...]:
        """Book a fill; a repeated fill id is ignored (returns no entries)."""
        if fill.fill_id in self._seen_fills:
            return ()
        self._check_fill(fill)
        entries = self._buy(fill) if fill.side is Side.BUY else self._sell(fill)
        if fill.fee != 0:
            entries += (
                LedgerEntry(EntryKind.FEE, -fill.fee, fill.fill_id, fill.asset_id, fill.ts_ms),
            )
            self.fees_paid += fill.fee
        self._seen_fills.add(fill.fill_id)
        self._post(entries)
        return entries

    def settle(self, settlement: Settlement) -> tuple[LedgerEntry, ...]:
        """Pay out every position in the resolved market; settling twice changes nothing."""
        if settlement.market in self._settled:
            return ()
        entries: list[LedgerEntry] = []
        for asset in (settlement.winning_asset_id, settlement.losing_asset_id):
            pos = self._positions.get(asset)
            if pos is None:
                continue
            if pos.market != settlement.market:
                raise LedgerError(f"{asset} belongs to {pos.market}, not {settlement.market}")
            payout = settlement_payout(asset, pos.size, settlement)
            self.realized += payout - pos.cost
            del self._positions[asset]
            entries.append(
                LedgerEntry(
                    EntryKind.SETTLEMENT, payout, settlement.market, asset, settlement.ts_ms
                )
            )
        self._settled.add(settlement.market)
        self._post(tuple(entries))
        return tuple(entries)

    def merge_pairs(self, market: str, ts_ms: int) -> tuple[LedgerEntry, ...]:
        """Merge every complete YES+NO pair of `market` into collateral at exactly 1."""
        legs = self.pair(market)
        if legs is None or market in self._settled:
            return ()
        pairs = min(leg.size for leg in legs)
        removed = 0
        for leg in legs:
            cost = leg.cost if pairs == leg.size else leg.cost * pairs // leg.size
            removed += cost
            if pairs == leg.size:
                del self._positions[leg.asset_id]
            else:
                self._positions[leg.asset_id] = replace(
                    leg, size=leg.size - pairs, cost=leg.cost - cost
                )
        collateral = notional_micros(ONE, pairs)  # exactly 1 per pair
        self.realized += collateral - removed
        self._merged[market] = self._merged.get(market, 0) + pairs
        entry = LedgerEntry(EntryKind.MERGE, collateral, market, legs[0].asset_id, ts_ms)
        self._post((entry,))
        return (entry,)

    def _check_fill(self, fill: Fill) -> None:
        for name in ("price", "size", "fee"):
            value = getattr(fill, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise LedgerError(f"fill {fill.fill_id}: {name} must be int, got {value!r}")
        if not 0 < fill.price < ONE or fill.size <= 0:
            raise LedgerError(f"fill {fill.fill_id}: price/size out of range")
        if fill.market in self._settled:
            raise LedgerError(f"fill {fill.fill_id}: market {fill.market} is already settled")
        held = self._positions.get(fill.asset_id)
        if held is not None and held.market != fill.market:
            raise LedgerError(f"fill {fill.fill_id}: {fill.asset_id} belongs to {held.market}")

    def _buy(self, fill: Fill) -> tuple[LedgerEntry, ...]:
        cost = buy_cost(fill.price, fill.size)
        pos = self._positions.get(fill.asset_id)
        if pos is None:
            pos = Position(fill.market, fill.asset_id, 0, 0)
        self._positions[fill.asset_id] = replace(
            pos, size=pos.size + fill.size, cost=pos.cost + cost
        )
        return (LedgerEntry(EntryKind.FILL, -cost, fill.fill_id, fill.asset_id, fill.ts_ms),)

    def _sell(self, fill: Fill) -> tuple[LedgerEntry, ...]:
        pos = self._positions.get(fill.asset_id)
        if pos is None or pos.size < fill.size:
            held = 0 if pos is None else pos.size
            raise LedgerError(f"fill {fill.fill_id}: selling {fill.size} of {held} held")
        proceeds = sell_proceeds(fill.price, fill.size)
        removed = pos.cost if fill.size == pos.size else pos.cost * fill.size // pos.size
        self.realized += proceeds - removed
        if fill.size == pos.size:
            del self._positions[fill.asset_id]
        else:
            self._positions[fill.asset_id] = replace(
                pos, size=pos.size - fill.size, cost=pos.cost - removed
            )
        return (LedgerEntry(EntryKind.FILL, proceeds, fill.fill_id, fill.asset_id, fill.ts_ms),)

    def _post(self, entries: Iterable[LedgerEntry]) -> None:
        for entry in entries:
            self.cash += entry.amount
            self._entries.append(entry)

    # -- persistence --

    def snapshot(self) -> dict[str, Any]:
        return {
            "initial_cash": self.initial_cash,
            "cash": self.cash,
            "fees_paid": self.fees_paid,
            "realized": self.realized,
            "positions": [
                {"market": p.market, "asset_id": p.asset_id, "size": p.size, "cost": p.cost}
                for p in sorted(self._positions.values(), key=lambda p: p.asset_id)
            ],
            "seen_fills": sorted(self._seen_fills),
            "settled_markets": sorted(self._settled),
            "merged": dict(sorted(self._merged.items())),
        }

    @classmethod
    def restore(cls, snapshot: Mapping[str, Any]) -> Ledger:
        """Rebuild from `snapshot()`; anything malformed is an error, never an empty ledger."""
        try:
            ledger = cls(_int(snapshot["initial_cash"]))
            ledger.cash = _int(snapshot["cash"])
            ledger.fees_paid = _int(snapshot["fees_paid"])
            ledger.realized = _int(snapshot["realized"])
            for raw in snapshot["positions"]:
                pos = Position(
                    str(raw["market"]), str(raw["asset_id"]), _int(raw["size"]), _int(raw["cost"])
                )
                if pos.size <= 0 or pos.asset_id in ledger._positions:
                    raise LedgerError(f"bad position in snapshot: {raw!r}")
                ledger._positions[pos.asset_id] = pos
            ledger._seen_fills = {str(f) for f in snapshot["seen_fills"]}
            ledger._settled = {str(m) for m in snapshot["settled_markets"]}
            ledger._merged = {str(m): _int(n) for m, n in snapshot.get("merged", {}).items()}
        except (KeyError, TypeError) as exc:
            raise LedgerError(f"malformed ledger snapshot: {exc!r}") from exc
        ledger._base_cash = ledger.cash
        return ledger


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LedgerError(f"expected an int in the ledger snapshot, got {value!r}")
    return value
