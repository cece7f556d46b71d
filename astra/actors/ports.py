"""What the trading actors need from the outside world, as Protocols.

Adapters (the SQLite journal store, a REST book fetcher, a replay source) satisfy these
structurally; actors never import an adapter. The journal store in
`astra.adapters.journal.store.JournalStore` satisfies both `JournalWriter` and `JournalReader`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from astra.domain.events import BookSnapshot
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo


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

    def records_since(
        self,
        after_id: int = 0,
        kinds: Sequence[RecordKind] | None = None,
        limit: int | None = None,
    ) -> Sequence[StoredRecordLike]: ...


class JournalPort(JournalWriter, JournalReader, Protocol):
    """The journal as the engine uses it: one object that writes and reads."""


class BookSource(Protocol):
    """Fresh full-book snapshots of a market's tokens (REST `/book` live, the recording in a
    replay). A (re)started MarketActor seeds its books from here; an empty answer leaves the
    books unsynced, which the strategy treats as missing data (no quotes)."""

    def snapshots(self, market: MarketInfo) -> Sequence[BookSnapshot]: ...
