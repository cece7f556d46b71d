"""Settlement of resolved markets between the MarketActor and the RiskActor.

- A market that sees `MarketResolved` for itself (after canceling its resting orders) closes
  its own position view, journals a RISK_EVENT `halted`/`market_resolved` carrying the
  settlement in `snapshot` (its gate stays closed for good: a resolved market never trades
  again) and reports a `SettlementReport` to the RiskActor. A restarted MarketActor finds
  that record in its journal, keeps its positions closed and reports again (the RiskActor is
  idempotent per market, so a resend never settles twice).
- The RiskActor settles through its book and journals a LEDGER record whose `settled`
  (docs/journal.md) carries the cumulative payout per token. A restarted RiskActor replays
  every fill and then re-applies the settlements that `settled` records: a settled token was
  held (the ledger drops empty positions), so a payout > 0 names the winner and 0 the loser;
  the token's market comes from its fill records. A side the ledger did not hold is named
  `UNHELD` (the ledger pays nothing for a token it does not hold). A 50/50 pays both tokens,
  so the LEDGER's `split_markets` names those markets (absent when there are none).
- A resolution learned from REST (astra.app.settlement_check) reaches a live MarketActor as
  `ResolveMarket` and takes the same path; a market no actor trades settles at the RiskActor
  directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from astra.domain.events import MarketResolved
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.reasons import OrderReason
from astra.domain.trading import Settlement

RESOLVED_REASON = OrderReason.MARKET_RESOLVED.value
UNHELD = ""  # the side of a rebuilt settlement the ledger did not hold


class SettlementSink(Protocol):
    """Where a market's settlement goes (the RiskActor, by name, in the actor)."""

    def report_settlement(self, settlement: Settlement) -> None: ...


def settlement_of(info: MarketInfo, event: MarketResolved) -> Settlement | None:
    """The settlement a resolution of `info` means; None for another market or a winner that
    is not one of its tokens (nothing is paid on a resolution we cannot read)."""
    if event.market != info.condition_id or event.winning_asset_id not in info.tokens:
        return None
    loser = info.no_token if event.winning_asset_id == info.yes_token else info.yes_token
    return Settlement(info.condition_id, event.winning_asset_id, loser, event.ts_ms)


def resolution_payload(settlement: Settlement) -> dict[str, Any]:
    """The market's RISK_EVENT for its resolution (its own gate: halted for good)."""
    snapshot: dict[str, Any] = {
        "market": settlement.market,
        "winning_asset_id": settlement.winning_asset_id,
        "losing_asset_id": settlement.losing_asset_id,
        "ts_ms": settlement.ts_ms,
    }
    if settlement.split:  # only then: a winner-takes-all record stays as it always was
        snapshot["split"] = True
    return {"state": "halted", "reason": RESOLVED_REASON, "detail": "market", "snapshot": snapshot}


def resolution_from_record(record: JournalRecord) -> Settlement | None:
    if record.kind is not RecordKind.RISK_EVENT:
        return None
    data = record.data()
    snap = data.get("snapshot")
    if data.get("reason") != RESOLVED_REASON or not isinstance(snap, dict):
        return None
    return Settlement(
        str(snap["market"]),
        str(snap["winning_asset_id"]),
        str(snap["losing_asset_id"]),
        int(snap["ts_ms"]),
        split=snap.get("split") is True,
    )


def journaled_resolution(records: Iterable[JournalRecord]) -> Settlement | None:
    """The first resolution a market journaled (a market resolves once)."""
    for record in records:
        found = resolution_from_record(record)
        if found is not None:
            return found
    return None


def last_settled_split(
    records: Iterable[JournalRecord],
) -> tuple[dict[str, int], frozenset[str], int]:
    """The last LEDGER record's `settled`, its `split_markets` and its time."""
    settled: dict[str, int] = {}
    split: frozenset[str] = frozenset()
    ts = 0
    for record in records:
        if record.kind is RecordKind.LEDGER:
            data = record.data()
            settled = {str(a): int(v) for a, v in data.get("settled", {}).items()}
            split = frozenset(str(m) for m in data.get("split_markets", ()))
            ts = record.ts_ms
    return settled, split, ts


def rebuild_settlements(
    settled: Mapping[str, int],
    market_of: Mapping[str, str],
    ts_ms: int,
    split_markets: frozenset[str] = frozenset(),
) -> list[Settlement]:
    """The settlements a ledger's `settled` records, one per market (see the module doc).

    A settled token without a fill record cannot be placed in a market: ValueError (the
    journal is inconsistent, and guessing would invent a payout)."""
    by_market: dict[str, dict[str, str]] = {}
    for asset, payout in sorted(settled.items()):
        market = market_of.get(asset)
        if market is None:
            raise ValueError(f"settled token {asset} has no journaled fill")
        if market in split_markets:  # both sides paid 0.5: the order of the ids is moot
            sides = by_market.setdefault(market, {})
            sides["winning" if "winning" not in sides else "losing"] = asset
            continue
        side = "winning" if payout > 0 else "losing"
        sides = by_market.setdefault(market, {})
        if side in sides:
            raise ValueError(f"market {market} has two {side} settled tokens")
        sides[side] = asset
    return [
        Settlement(
            market,
            sides.get("winning", UNHELD),
            sides.get("losing", UNHELD),
            ts_ms,
            split=market in split_markets,
        )
        for market, sides in sorted(by_market.items())
    ]
