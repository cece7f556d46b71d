"""Which markets hold something, read from the committed journal (incrementally).

A market holds something while the RiskActor's latest LEDGER lists a position in one of its
tokens (the ledger drops a token once it is settled or sold) or while one of its paper orders
is resting (its latest ORDER_EVENT is not terminal). The universe keeps such a market until
it is flat, and checks its resolution on REST (`settlement_check`), whether or not it is
still in the universe: a market that resolved while the trader was down is found here.
`seed` starts from what the crash-only start already recovered (the last LEDGER's positions;
nothing rests after its restart cancels), so a long journal is not read again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from astra.actors.ports import JournalReader
from astra.actors.risk_actor import RISK_PRODUCER
from astra.domain.journal_record import JournalRecord, RecordKind

TERMINAL = frozenset({"filled", "canceled", "cancelled", "rejected", "expired"})
_KINDS = (RecordKind.LEDGER, RecordKind.ORDER_EVENT)


class Holdings:
    def __init__(self, journal: JournalReader) -> None:
        self._journal = journal
        self._read_to = 0
        self._positions: dict[str, str] = {}  # asset id -> market, from the latest LEDGER
        self._resting: dict[str, str] = {}  # order id -> market

    def seed(self, positions: Mapping[str, Mapping[str, Any]], after_id: int) -> None:
        self._positions = {str(a): str(p["market"]) for a, p in positions.items()}
        self._resting.clear()
        self._read_to = after_id

    def refresh(self) -> None:
        for stored in self._journal.records_since(self._read_to, list(_KINDS)):
            self._read_to = stored.id
            self._apply(stored.record)

    def _apply(self, record: JournalRecord) -> None:
        data = record.data()
        if record.kind is RecordKind.LEDGER and record.producer == RISK_PRODUCER:
            positions = data.get("positions", {})
            self._positions = {str(a): str(p["market"]) for a, p in positions.items()}
        elif record.kind is RecordKind.ORDER_EVENT and record.market:
            order = str(data.get("order_id", ""))
            if str(data.get("state", "")).lower() in TERMINAL:
                self._resting.pop(order, None)
            else:
                self._resting[order] = record.market

    def markets(self) -> set[str]:
        """Markets with a position or a resting order."""
        return set(self._positions.values()) | set(self._resting.values())

    def held_tokens(self) -> dict[str, list[str]]:
        """Market -> the token ids the ledger holds in it."""
        held: dict[str, list[str]] = {}
        for asset, market in sorted(self._positions.items()):
            held.setdefault(market, []).append(asset)
        return held

    def holds(self, market: str) -> bool:
        return market in self._positions.values() or market in self._resting.values()
