"""Journaled fills back into a risk book: what a (re)started RiskActor and `Reconcile` apply,
and what the chaos suite recomputes the ledger from."""

from __future__ import annotations

from collections.abc import Iterable

from astra.actors.ports import RiskBook, StoredRecordLike
from astra.domain.journal_record import JournalRecord
from astra.domain.ledger import LedgerError
from astra.domain.prices import Side
from astra.domain.trading import Fill, Liquidity


def fill_from_record(record: JournalRecord) -> Fill:
    data = record.data()
    return Fill(
        fill_id=data["fill_id"],
        order_id=data["order_id"],
        market=record.market or "",
        asset_id=data["asset_id"],
        side=Side(data["side"]),
        price=data["price"],
        size=data["size"],
        fee=data["fee"],
        liquidity=Liquidity(data["liquidity"]),
        ts_ms=record.ts_ms,
    )


def replay_fills(
    book: RiskBook,
    fills: Iterable[StoredRecordLike],
    seen: set[str],
    now_ms: int,
    refused: list[str] | None = None,
) -> int:
    """Apply the journaled fills not in `seen` (in commit order); returns how many. A fill
    the ledger refuses (its market is already settled: it reached the journal after the
    settlement was booked) is not applied; its id goes to `refused` (the caller halts)."""
    applied = 0
    for stored in fills:
        fill = fill_from_record(stored.record)
        if fill.fill_id in seen:
            continue
        seen.add(fill.fill_id)
        try:
            book.apply_fill(fill, now_ms)
        except LedgerError as exc:
            if refused is None:
                raise
            refused.append(f"{fill.fill_id}: {exc}")
            continue
        applied += 1
    return applied


def fill_markets(fills: Iterable[StoredRecordLike]) -> dict[str, str]:
    """Asset id -> market, from the journaled fills (where a settled token was traded)."""
    return {s.record.data()["asset_id"]: s.record.market or "" for s in fills}
