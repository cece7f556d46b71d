"""What the trading actors need from the outside world, as Protocols.

Adapters (the SQLite journal store, a REST book fetcher, a replay source) satisfy these
structurally; actors never import an adapter. The journal store in
`astra.adapters.journal.store.JournalStore` satisfies both `JournalWriter` and `JournalReader`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from astra.domain.events import BookSnapshot
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.reasons import HaltReason
from astra.domain.trading import Fill, OrderIntent
from astra.domain.verdict import Verdict


class JournalWriter(Protocol):
    """Stores a batch atomically and idempotently on (producer, seq); raises if it cannot."""

    def write_batch(self, records: Sequence[JournalRecord]) -> None: ...


class StoredRecordLike(Protocol):
    """A committed record with its commit position (`id` grows with commit order)."""

    @property
    def id(self) -> int: ...

    @property
    def record(self) -> JournalRecord: ...


class JournalReader(Protocol):
    """Reads committed records back: the recovery path of every actor (crash-only design)."""

    def max_seq(self, producer: str) -> int: ...

    def producer_records(self, producer: str, after_seq: int = 0) -> list[JournalRecord]: ...

    def market_recovery_records(self, producer: str) -> list[JournalRecord]:
        """A market's fills, resolution/exit risk events and last order events, by seq."""
        ...

    def last_order_events(self, producer: str) -> list[JournalRecord]:
        """The last committed order event of each of `producer`'s orders, in seq order."""
        ...

    def records_since(
        self,
        after_id: int = 0,
        kinds: Sequence[RecordKind] | None = None,
        limit: int | None = None,
    ) -> Sequence[StoredRecordLike]: ...


class JournalPort(JournalWriter, JournalReader, Protocol):
    """The journal as the engine uses it: one object that writes and reads."""


class ClosableJournal(JournalPort, Protocol):
    def close(self) -> None: ...


JournalOpener = Callable[[Path], ClosableJournal]  # e.g. a fast-durability JournalStore.open


class BookSource(Protocol):
    """Fresh full-book snapshots of a market's tokens (REST `/book` live, the recording in a
    replay). A (re)started MarketActor seeds its books from here; an empty answer leaves the
    books unsynced, which the strategy treats as missing data (no quotes)."""

    def snapshots(self, market: MarketInfo) -> Sequence[BookSnapshot]: ...


class RiskBook(Protocol):
    """The RiskActor's view of the decision domain's risk state and ledger.

    The RiskActor owns exactly one; `engine.domain_risk_book` adapts the domain's RiskState.
    `apply_fill` returns the halt reason when the fill breached a hard limit (the book is
    then HALTED); `resume` returns None on success or why it refused.
    """

    def is_halted(self) -> bool: ...

    def state_name(self) -> str: ...

    def check_intent(self, intent: OrderIntent, now_ms: int) -> Verdict: ...

    def apply_fill(self, fill: Fill, now_ms: int) -> HaltReason | None: ...

    def halt(self, reason: HaltReason, now_ms: int, detail: str) -> bool:
        """Add a halt reason; True if it was not already active."""
        ...

    def resume(self, now_ms: int, operator: str) -> str | None: ...

    def ledger_payload(self) -> dict[str, Any]:
        """The ledger as a journal LEDGER payload (cash, fees, realised, positions)."""
        ...

    def digest(self) -> str:
        """A stable hash of the ledger (positions, cash, fees, realised, fills seen)."""
        ...
