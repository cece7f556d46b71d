"""The journal's versioned DDL. Version 1 is the first schema the actor runtime needs: the
append-only `records` table (the source of truth, unique on (producer, seq)) and one typed
projection table per record kind, plus a minimal run list. Version 2 adds the run manifest's
provenance (code version, config snapshot and hash, exit detail) and the decision log's
fields (run id, definition hash, decision schema version). Version 3 adds markout records
and their projection. The DDL of an old version never changes once released: a database at
version N is exactly `V1 + ... + VN` applied in order, which is what the migration tests
rebuild.
"""

from __future__ import annotations

from typing import Final

from astra.domain.journal_record import RecordKind

SCHEMA_VERSION: Final = 3

# The record kinds each version's CHECK allows; an old version's list never changes.
_V1_KINDS = ("decision", "order_event", "fill", "ledger", "risk_event", "halt", "incident")
_KINDS = ", ".join(f"'{kind}'" for kind in _V1_KINDS)
_V3_KINDS = ", ".join(f"'{kind.value}'" for kind in RecordKind)

V1_STATEMENTS: Final[tuple[str, ...]] = (
    f"""CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        kind TEXT NOT NULL CHECK (kind IN ({_KINDS})),
        ts_ms INTEGER NOT NULL,
        market TEXT,
        payload TEXT NOT NULL,
        UNIQUE (producer, seq)
    )""",
    "CREATE INDEX records_kind ON records (kind, id)",
    # The journal is append-only: a record, once committed, is history.
    """CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'records is append-only'); END""",
    """CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'records is append-only'); END""",
    """CREATE TABLE decisions (
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        market TEXT,
        action TEXT NOT NULL,
        PRIMARY KEY (producer, seq)
    )""",
    "CREATE INDEX decisions_market ON decisions (market, ts_ms)",
    """CREATE TABLE order_events (
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        market TEXT,
        order_id TEXT NOT NULL,
        asset_id TEXT NOT NULL,
        side TEXT NOT NULL,
        price INTEGER NOT NULL,
        size INTEGER NOT NULL,
        filled INTEGER NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (producer, seq)
    )""",
    "CREATE INDEX order_events_order ON order_events (order_id)",
    """CREATE TABLE fills (
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        market TEXT,
        fill_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        asset_id TEXT NOT NULL,
        side TEXT NOT NULL,
        price INTEGER NOT NULL,
        size INTEGER NOT NULL,
        fee INTEGER NOT NULL,
        liquidity TEXT NOT NULL,
        PRIMARY KEY (producer, seq)
    )""",
    "CREATE INDEX fills_fill_id ON fills (fill_id)",
    """CREATE TABLE ledger_entries (
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        cash INTEGER NOT NULL,
        fees INTEGER NOT NULL,
        realised INTEGER NOT NULL,
        PRIMARY KEY (producer, seq)
    )""",
    """CREATE TABLE risk_events (
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT,
        PRIMARY KEY (producer, seq)
    )""",
    """CREATE TABLE incidents (
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT,
        dead_letters INTEGER NOT NULL,
        PRIMARY KEY (producer, seq)
    )""",
    """CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        started_ms INTEGER NOT NULL,
        ended_ms INTEGER,
        status TEXT NOT NULL CHECK (status IN ('running', 'clean', 'crashed', 'error'))
    )""",
)

V2_STATEMENTS: Final[tuple[str, ...]] = (
    "ALTER TABLE runs ADD COLUMN code_version TEXT NOT NULL DEFAULT 'unknown'",
    "ALTER TABLE runs ADD COLUMN config_json TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE runs ADD COLUMN config_hash TEXT",
    "ALTER TABLE runs ADD COLUMN exit_detail TEXT",
    "ALTER TABLE decisions ADD COLUMN run_id TEXT",
    "ALTER TABLE decisions ADD COLUMN definition_hash TEXT",
    "ALTER TABLE decisions ADD COLUMN decision_schema_version INTEGER",
    # Backfill the new decision columns from the records they project: a v1 database already
    # holds every decision payload, so nothing is left NULL that the record knows.
    """UPDATE decisions SET
        run_id = (SELECT json_extract(r.payload, '$.run_id') FROM records r
                  WHERE r.producer = decisions.producer AND r.seq = decisions.seq),
        definition_hash = (SELECT json_extract(r.payload, '$.definition_hash') FROM records r
                  WHERE r.producer = decisions.producer AND r.seq = decisions.seq),
        decision_schema_version = (SELECT json_extract(r.payload, '$.schema_version')
                  FROM records r
                  WHERE r.producer = decisions.producer AND r.seq = decisions.seq)""",
    "CREATE INDEX decisions_run ON decisions (run_id)",
)

# Version 3: markout records (the `records` CHECK is rebuilt to allow the kind: SQLite cannot
# alter a CHECK, so the table is copied, ids and all) and their projection, plus the fills
# with their markouts side by side as a view.
V3_STATEMENTS: Final[tuple[str, ...]] = (
    f"""CREATE TABLE records_v3 (
        id INTEGER PRIMARY KEY,
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        kind TEXT NOT NULL CHECK (kind IN ({_V3_KINDS})),
        ts_ms INTEGER NOT NULL,
        market TEXT,
        payload TEXT NOT NULL,
        UNIQUE (producer, seq)
    )""",
    """INSERT INTO records_v3 (id, producer, seq, kind, ts_ms, market, payload)
        SELECT id, producer, seq, kind, ts_ms, market, payload FROM records""",
    "DROP TABLE records",  # its triggers and index go with it (a drop fires no trigger)
    "ALTER TABLE records_v3 RENAME TO records",
    "CREATE INDEX records_kind ON records (kind, id)",
    """CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'records is append-only'); END""",
    """CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'records is append-only'); END""",
    """CREATE TABLE markouts (
        producer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        market TEXT,
        fill_id TEXT NOT NULL,
        strategy TEXT NOT NULL,
        horizon_ms INTEGER NOT NULL,
        mid INTEGER,
        markout INTEGER,
        PRIMARY KEY (producer, seq)
    )""",
    "CREATE INDEX markouts_fill ON markouts (fill_id, horizon_ms)",
    """CREATE VIEW fills_marked AS
        SELECT f.*,
            (SELECT m.markout FROM markouts m
             WHERE m.fill_id = f.fill_id AND m.horizon_ms = 1000) AS markout_1s,
            (SELECT m.markout FROM markouts m
             WHERE m.fill_id = f.fill_id AND m.horizon_ms = 10000) AS markout_10s,
            (SELECT m.markout FROM markouts m
             WHERE m.fill_id = f.fill_id AND m.horizon_ms = 60000) AS markout_60s
        FROM fills f""",
)

# Statements that bring an empty database to version N, keyed by N.
STEPS: Final[dict[int, tuple[str, ...]]] = {1: V1_STATEMENTS, 2: V2_STATEMENTS, 3: V3_STATEMENTS}
