"""JournalStore: the durable, append-only SQLite journal (WAL mode).

One writer (the TelemetryActor) calls `write_batch`; each batch is one transaction that
appends to `records` with INSERT OR IGNORE on (producer, seq) and fills the typed projection
tables the same way, so a resent batch stores once. A failed write raises JournalWriteError
and leaves nothing of the batch behind; the caller turns that into a halt.

Durability: WAL with `synchronous=FULL` by default — every committed batch is fsynced, so it
survives power loss as well as `kill -9` (NORMAL survives kill -9 but may lose the last
commits on power loss). Figures for both are in docs/journal.md.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from astra.adapters.closing import CloseOnExit
from astra.adapters.journal.checkpointer import WalCheckpointer
from astra.adapters.journal.migrations import SchemaError, check_version, migrate, user_version
from astra.adapters.journal.projections import PROJECTIONS, Projection, Row, project
from astra.adapters.journal.schema import SCHEMA_VERSION
from astra.domain.journal_record import JournalRecord, RecordKind

Synchronous = Literal["FULL", "NORMAL"]
BUSY_TIMEOUT_S: Final = 5.0
_INSERT = (
    "INSERT OR IGNORE INTO records (producer, seq, kind, ts_ms, market, payload) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_SELECT = "SELECT id, producer, seq, kind, ts_ms, market, payload FROM records"
_MARKET_RECOVERY = """
SELECT id, producer, seq, kind, ts_ms, market, payload FROM records
WHERE producer = ? AND (
    seq IN (SELECT seq FROM fills WHERE producer = ?)
    OR seq IN (SELECT seq FROM risk_events WHERE producer = ?
               AND reason IN ('market_resolved', 'market_closed'))
    OR seq IN (SELECT max(seq) FROM order_events WHERE producer = ? GROUP BY order_id)
) ORDER BY seq"""
_LAST_ORDER_EVENTS = """
SELECT id, producer, seq, kind, ts_ms, market, payload FROM records
WHERE producer = ? AND seq IN (
    SELECT max(seq) FROM order_events WHERE producer = ? GROUP BY order_id
) ORDER BY seq"""


class JournalError(RuntimeError):
    """The journal cannot be used."""


class JournalWriteError(JournalError):
    """A batch could not be committed; nothing of it was stored."""


class JournalConflictError(JournalWriteError):
    """A (producer, seq) already stored with different content: a producer reused a number."""


class JournalMissingError(JournalError):
    """A reader was pointed at a journal file that does not exist."""


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A committed record with its position in the journal (`id` grows with commit order)."""

    id: int
    record: JournalRecord


def _to_record(row: tuple[Any, ...]) -> StoredRecord:
    rid, producer, seq, kind, ts_ms, market, payload = row
    return StoredRecord(rid, JournalRecord(producer, seq, RecordKind(kind), ts_ms, market, payload))


def _backup_before_migration(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Keep the old database (WAL included, via the backup API) before changing its schema."""
    target = path.with_name(f"{path.name}.pre-v{version + 1}")
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()


def _require_current(conn: sqlite3.Connection, path: Path) -> None:
    version = check_version(conn, str(path))
    if version != SCHEMA_VERSION:
        raise SchemaError(
            f"{path}: journal is at v{version}, this code reads v{SCHEMA_VERSION}; "
            "open it once with a writer (e.g. start the trader) to migrate it"
        )


def _prepare(conn: sqlite3.Connection, path: Path, synchronous: Synchronous) -> None:
    """WAL, the chosen durability, and the schema brought to the current version."""
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise JournalError(f"{path}: cannot switch to WAL mode (got {mode!r})")
    # Literal-typed, so only FULL or NORMAL can reach this f-string.
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    version = check_version(conn, str(path))
    if 0 < version < SCHEMA_VERSION:
        _backup_before_migration(conn, path, version)
    migrate(conn, str(path))


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database file at `path`, unchecked (`connect_readonly`
    also requires an existing journal at the current schema version)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)


def connect_readonly(path: Path | str) -> sqlite3.Connection:
    """A read-only connection to an existing journal at the current schema version."""
    path = Path(path)
    if not path.is_file():
        raise JournalMissingError(f"no journal at {path}")
    conn = open_readonly(path)
    try:
        _require_current(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


class JournalStore(CloseOnExit):
    """The journal file, opened for writing. Use from one thread at a time (a lock enforces it)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self._path = path
        self._conn = conn
        self._lock = threading.Lock()
        # Checkpoints run beside the commits, never inside one (see checkpointer.py).
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._checkpointer = WalCheckpointer(path)
        self._checkpointer.start()

    @classmethod
    def open(cls, path: Path | str, *, synchronous: Synchronous = "FULL") -> JournalStore:
        """Open (creating if needed) and migrate the journal; SchemaError if it is unusable."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every transaction below is explicit (BEGIN IMMEDIATE ... COMMIT).
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
        )
        try:
            _prepare(conn, path, synchronous)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def checkpointer(self) -> WalCheckpointer:
        return self._checkpointer

    @property
    def schema_version(self) -> int:
        with self._lock:
            return user_version(self._conn)

    def close(self) -> None:
        self._checkpointer.stop()
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the journal's connection; rolled back if the body raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, for reads, under the store's lock."""
        with self._lock:
            yield self._conn

    def write_batch(self, records: Sequence[JournalRecord]) -> None:
        """Store a batch atomically and idempotently; JournalWriteError if it cannot."""
        self.insert(records)

    def insert(self, records: Sequence[JournalRecord]) -> int:
        """`write_batch` that returns how many records were new (duplicates are not)."""
        if not records:
            return 0
        # Project first: a malformed payload fails the batch before anything is written.
        projected: dict[str, tuple[Projection, list[Row]]] = {}
        for record in records:
            if record.seq < 1:
                raise JournalWriteError(
                    f"({record.producer}, {record.seq}): sequence numbers start at 1"
                )
            projection = PROJECTIONS[record.kind]
            projected.setdefault(projection.table, (projection, []))[1].append(project(record))
        rows = [(r.producer, r.seq, r.kind._value_, r.ts_ms, r.market, r.payload) for r in records]
        try:
            with self.transaction() as conn:
                inserted = conn.executemany(_INSERT, rows).rowcount
                if inserted < len(rows):
                    self._verify_duplicates(conn, records)
                for projection, prows in projected.values():
                    conn.executemany(projection.insert_sql, prows)
        except sqlite3.Error as exc:
            message = f"{self._path}: batch of {len(rows)} records not written: {exc}"
            raise JournalWriteError(message) from exc
        self._checkpointer.wrote(inserted)
        return inserted

    @staticmethod
    def _verify_duplicates(conn: sqlite3.Connection, records: Sequence[JournalRecord]) -> None:
        """A resend must be byte-identical to what is stored; anything else is a lost record."""
        for record in records:
            stored = conn.execute(
                "SELECT producer, seq, kind, ts_ms, market, payload FROM records "
                "WHERE producer = ? AND seq = ?",
                (record.producer, record.seq),
            ).fetchone()
            if stored is None:
                # OR IGNORE also swallows CHECK/NOT NULL failures; never let that pass silently.
                raise JournalWriteError(
                    f"({record.producer}, {record.seq}) was rejected by a journal constraint"
                )
            mine = (record.producer, record.seq, record.kind.value)
            if stored != (*mine, record.ts_ms, record.market, record.payload):
                raise JournalConflictError(
                    f"({record.producer}, {record.seq}) is already stored with different content"
                )

    def max_seq(self, producer: str) -> int:
        """The highest committed sequence number of `producer` (0 if none)."""
        with self.reading() as conn:
            row = conn.execute(
                "SELECT coalesce(max(seq), 0) FROM records WHERE producer = ?", (producer,)
            ).fetchone()
        return int(row[0])

    def max_seqs(self) -> dict[str, int]:
        """Every producer's highest committed sequence number."""
        with self.reading() as conn:
            rows = conn.execute("SELECT producer, max(seq) FROM records GROUP BY producer")
            return {str(p): int(s) for p, s in rows}

    def records_since(
        self,
        after_id: int = 0,
        kinds: Sequence[RecordKind] | None = None,
        limit: int | None = None,
    ) -> list[StoredRecord]:
        """Committed records with id > `after_id`, in commit order, optionally of some kinds."""
        with self.reading() as conn:
            return read_records(conn, after_id, kinds, limit)

    def producer_records(self, producer: str, after_seq: int = 0) -> list[JournalRecord]:
        """One producer's committed records with seq > `after_seq`, in seq order."""
        with self.reading() as conn:
            rows = conn.execute(
                _SELECT + " WHERE producer = ? AND seq > ? ORDER BY seq",
                (producer, after_seq),
            ).fetchall()
        return [_to_record(row).record for row in rows]

    def last_order_events(self, producer: str) -> list[JournalRecord]:
        """The last committed order event of each of `producer`'s orders, in seq order.

        What a halt needs to cancel a dead market from its journal: read through the
        `order_events` projection (written in the same transaction as the records), so its
        cost grows with the market's orders, not with its whole history of decisions.
        """
        with self.reading() as conn:
            rows = conn.execute(_LAST_ORDER_EVENTS, (producer, producer)).fetchall()
        return [_to_record(row).record for row in rows]

    def market_recovery_records(self, producer: str) -> list[JournalRecord]:
        """What a market needs to rebuild after a restart, in seq order: its fills, its
        resolution and universe-exit risk events, and each order's last event.

        Through the projections, so a restart costs what the market holds, not its whole
        history (a market's halted/active flips and superseded order events dominate that
        history; a pool restart replays a hundred markets at once)."""
        with self.reading() as conn:
            rows = conn.execute(_MARKET_RECOVERY, (producer,) * 4).fetchall()
        return [_to_record(row).record for row in rows]

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (at clean shutdown; not needed for durability)."""
        with self.reading() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def stream_records(
    conn: sqlite3.Connection, *, digest_order: bool = False
) -> Iterator[StoredRecord]:
    """Every record one row at a time (memory independent of the journal's length), in commit
    order or, with `digest_order`, by (producer, seq) through the UNIQUE index."""
    order = "producer, seq" if digest_order else "id"
    for row in conn.execute(f"{_SELECT} ORDER BY {order}"):
        yield _to_record(row)


def read_records(
    conn: sqlite3.Connection,
    after_id: int = 0,
    kinds: Sequence[RecordKind] | None = None,
    limit: int | None = None,
) -> list[StoredRecord]:
    """Records with id > `after_id` in commit order from a store or a read-only connection."""
    sql = _SELECT + " WHERE id > ?"
    params: list[object] = [after_id]
    if kinds is not None:
        sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params.extend(kind.value for kind in kinds)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_to_record(row) for row in conn.execute(sql, params)]
