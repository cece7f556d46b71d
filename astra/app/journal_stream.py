"""A closed journal's records as a re-iterable collection, read from SQLite on every pass.

A summary makes several passes (counts, orders, halts, P&L, the strategy funnel, the digest);
holding every record in a list made a replay's peak memory grow with the recording's length
(the journal of a 10x recording is ~10x the records). Each pass here opens a read-only
connection and streams rows, so memory stays flat however long the journal is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

from astra.adapters.journal.store import connect_readonly, stream_records
from astra.domain.journal_record import JournalRecord


class JournalRecords(Collection[JournalRecord]):
    """Every record of the journal at `path` in commit order; `in_digest_order()` by
    (producer, seq). The journal must no longer be written to (a replay's, after stop)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __iter__(self) -> Iterator[JournalRecord]:
        return self._stream(digest_order=False)

    def in_digest_order(self) -> Iterator[JournalRecord]:
        return self._stream(digest_order=True)

    def _stream(self, *, digest_order: bool) -> Iterator[JournalRecord]:
        conn = connect_readonly(self._path)
        try:
            for stored in stream_records(conn, digest_order=digest_order):
                yield stored.record
        finally:
            conn.close()

    def __len__(self) -> int:
        conn = connect_readonly(self._path)
        try:
            (count,) = conn.execute("SELECT COUNT(*) FROM records").fetchone()
        finally:
            conn.close()
        return int(count)

    def __contains__(self, item: object) -> bool:
        return any(record == item for record in self)
