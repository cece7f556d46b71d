"""Forward migrations, with the version in `PRAGMA user_version`.

Every database, fresh or old, climbs the same ladder one step at a time; each step runs its
DDL and stamps its version in one transaction, so a version is never written without its
migration (the original stamped an unversioned legacy database as current, B-20). A database
newer than the code, or an unversioned one that already holds tables, is refused.
"""

from __future__ import annotations

import sqlite3

from astra.adapters.journal.schema import SCHEMA_VERSION, STEPS


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this code."""


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return int(row[0]) > 0


def check_version(conn: sqlite3.Connection, path: str) -> int:
    """The database's version, or SchemaError if this code must not touch it."""
    version = user_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{path}: journal schema v{version} is newer than this code (v{SCHEMA_VERSION}); "
            "update the code first"
        )
    if version == 0 and _has_tables(conn):
        raise SchemaError(
            f"{path}: unversioned database already holds tables; refusing to stamp it "
            "(not an Astra journal, or one written without migrations)"
        )
    return version


def migrate(conn: sqlite3.Connection, path: str, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply every step above the current version up to `target`; returns the steps applied.

    `conn` must be in autocommit mode (isolation_level=None): each step is its own explicit
    transaction so a failure leaves the database at the last complete version.
    """
    if target > SCHEMA_VERSION:
        raise SchemaError(f"no migration to v{target}; this code knows up to v{SCHEMA_VERSION}")
    applied: list[int] = []
    for version in range(check_version(conn, path) + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in STEPS[version]:
                conn.execute(statement)
            # PRAGMA takes no parameters; `version` is an int from our own table.
            conn.execute(f"PRAGMA user_version = {int(version)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(version)
    return applied
