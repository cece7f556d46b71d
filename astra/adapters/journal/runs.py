"""Run manifests: one row per process run, opened at start and always closed.

A run is `running` from `open_run` until `close_run` says how it ended (clean, error, or
crashed). A process killed with `kill -9` cannot close its run, so the next start calls
`mark_crashed_runs` before opening its own: no manifest is ever left open (the original left
`ended_at` null in all its runs, B-29). The config snapshot is canonical JSON and its hash is
SHA-256 of exactly those bytes. The snapshot holds the redacted settings (no secret is ever
journaled); `scrub_manifest_secrets` redacts journals written before that, in a backup copy.
"""

from __future__ import annotations

import enum
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from astra.adapters.journal.store import JournalStore
from astra.domain.journal_record import canonical_json


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    CLEAN = "clean"
    CRASHED = "crashed"
    ERROR = "error"


class RunError(RuntimeError):
    """A manifest operation that would falsify history (reopen, double close, unknown run)."""


CRASH_DETAIL = "process died without closing its run; found running at the next start"


@dataclass(frozen=True, slots=True)
class RunManifest:
    run_id: str
    started_ms: int
    ended_ms: int | None
    status: RunStatus
    code_version: str
    config_json: str
    config_hash: str | None
    exit_detail: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_ms": self.started_ms,
            "ended_ms": self.ended_ms,
            "status": self.status.value,
            "code_version": self.code_version,
            "config_hash": self.config_hash,
            "exit_detail": self.exit_detail,
        }


_SELECT = (
    "SELECT run_id, started_ms, ended_ms, status, code_version, config_json, config_hash, "
    "exit_detail FROM runs"
)


def config_hash(config_json: str) -> str:
    return hashlib.sha256(config_json.encode("utf-8")).hexdigest()


def _manifest(row: tuple[Any, ...]) -> RunManifest:
    run_id, started, ended, status, version, cfg, cfg_hash, detail = row
    return RunManifest(run_id, started, ended, RunStatus(status), version, cfg, cfg_hash, detail)


def get_run(conn: sqlite3.Connection, run_id: str) -> RunManifest | None:
    row = conn.execute(_SELECT + " WHERE run_id = ?", (run_id,)).fetchone()
    return None if row is None else _manifest(row)


def list_runs(conn: sqlite3.Connection) -> list[RunManifest]:
    """Every run, oldest first."""
    return [_manifest(row) for row in conn.execute(_SELECT + " ORDER BY started_ms, run_id")]


def open_run(
    store: JournalStore,
    *,
    run_id: str,
    started_ms: int,
    code_version: str,
    config: Mapping[str, Any],
) -> RunManifest:
    """Record a new run as `running`, with its config snapshot and hash."""
    snapshot = canonical_json(config)
    manifest = RunManifest(
        run_id,
        started_ms,
        None,
        RunStatus.RUNNING,
        code_version,
        snapshot,
        config_hash(snapshot),
        None,
    )
    with store.transaction() as conn:
        if get_run(conn, run_id) is not None:
            raise RunError(f"run {run_id} already exists; a manifest is written once")
        conn.execute(
            "INSERT INTO runs (run_id, started_ms, ended_ms, status, code_version, config_json, "
            "config_hash, exit_detail) VALUES (?, ?, NULL, 'running', ?, ?, ?, NULL)",
            (run_id, started_ms, code_version, snapshot, manifest.config_hash),
        )
    return manifest


def close_run(
    store: JournalStore,
    run_id: str,
    *,
    ended_ms: int,
    status: RunStatus,
    detail: str | None = None,
) -> RunManifest:
    """End a running run with how it ended; a run is closed exactly once."""
    if status is RunStatus.RUNNING:
        raise RunError("close_run needs an end status (clean, error or crashed)")
    with store.transaction() as conn:
        current = get_run(conn, run_id)
        if current is None:
            raise RunError(f"run {run_id} does not exist")
        if current.status is not RunStatus.RUNNING:
            raise RunError(f"run {run_id} is already closed ({current.status.value})")
        conn.execute(
            "UPDATE runs SET ended_ms = ?, status = ?, exit_detail = ? WHERE run_id = ?",
            (ended_ms, status.value, detail, run_id),
        )
        closed = get_run(conn, run_id)
    assert closed is not None  # noqa: S101 - read back inside the same transaction
    return closed


def mark_crashed_runs(store: JournalStore, now_ms: int) -> list[str]:
    """At start, before `open_run`: every run still `running` died; mark it `crashed`.

    `ended_ms` is when the crash was noticed (the moment of death is not known).
    """
    with store.transaction() as conn:
        ids = [
            str(row[0]) for row in conn.execute("SELECT run_id FROM runs WHERE status = 'running'")
        ]
        conn.execute(
            "UPDATE runs SET status = 'crashed', ended_ms = ?, exit_detail = ? "
            "WHERE status = 'running'",
            (now_ms, CRASH_DETAIL),
        )
    return ids


REDACTED = "<redacted>"  # as astra.settings.REDACTED (adapters do not import settings)


def scrub_manifest_secrets(conn: sqlite3.Connection, secrets: tuple[tuple[str, str], ...]) -> int:
    """Redact `(section, key)` settings in every manifest's snapshot; returns the runs changed.

    The config hash is recomputed over the scrubbed snapshot (it is the hash of those bytes)."""
    changed = 0
    rows = conn.execute("SELECT run_id, config_json FROM runs").fetchall()
    for run_id, config_json in rows:
        try:
            snapshot = json.loads(config_json)
        except (TypeError, ValueError):
            continue  # not ours to rewrite; check.py reports an unreadable manifest
        settings = snapshot.get("settings") if isinstance(snapshot, dict) else None
        if not isinstance(settings, dict) or not _redact(settings, secrets):
            continue
        scrubbed = canonical_json(snapshot)
        conn.execute(
            "UPDATE runs SET config_json = ?, config_hash = ? WHERE run_id = ?",
            (scrubbed, config_hash(scrubbed), run_id),
        )
        changed += 1
    conn.commit()
    return changed


def _redact(settings: dict[str, Any], secrets: tuple[tuple[str, str], ...]) -> bool:
    changed = False
    for section, key in secrets:
        table = settings.get(section)
        if isinstance(table, dict) and table.get(key) not in (None, "", REDACTED):
            table[key] = REDACTED
            changed = True
    return changed
