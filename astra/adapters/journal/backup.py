"""Online, WAL-safe backups and verified restores, through SQLite's backup API.

A file copy of a WAL database misses every commit still in `-wal` (the original's backups
did, B-21). The backup API reads through SQLite, so a backup holds exactly the committed state,
WAL included, and can run while the trader writes. Backups are numbered
`astra-000001.sqlite3`, ... in one directory and rotated to keep the newest N. A backup is
integrity-checked before it is kept, and again before it is restored; restore also writes
through the backup API, so a stale `-wal` beside the target can never be replayed over it.

A backup is a single self-contained file: it is switched out of WAL mode before it is
verified (a read-only open of a WAL file leaves `-wal`/`-shm` beside it that nobody removes),
and any sidecar of the temporary copy is deleted. The run manifests in the copy are scrubbed of
the given secret settings, so a journal written before secrets were redacted at the source
still yields a backup without them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from astra.adapters.journal.migrations import SchemaError, check_version
from astra.adapters.journal.runs import RunStatus, scrub_manifest_secrets
from astra.adapters.journal.store import BUSY_TIMEOUT_S, open_readonly

DEFAULT_KEEP: Final = 7
_NAME = re.compile(r"^astra-(\d{6,})\.sqlite3$")


class BackupError(RuntimeError):
    """A backup or restore that did not happen, with the reason."""


def _numbered(directory: Path) -> list[tuple[int, Path]]:
    if not directory.is_dir():
        return []
    return sorted((int(m.group(1)), p) for p in directory.iterdir() if (m := _NAME.match(p.name)))


def list_backups(directory: Path) -> list[Path]:
    """Backups in `directory`, oldest first."""
    return [p for _, p in _numbered(directory)]


def _next_name(directory: Path) -> str:
    existing = _numbered(directory)
    last = existing[-1][0] if existing else 0
    return f"astra-{last + 1:06d}.sqlite3"


def verify_backup(path: Path) -> None:
    """BackupError unless `path` passes `PRAGMA integrity_check` at a schema this code reads."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    try:
        conn = open_readonly(path)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            check_version(conn, str(path))
        finally:
            conn.close()
    except (sqlite3.DatabaseError, SchemaError) as exc:
        raise BackupError(f"{path} is not a usable journal: {exc}") from exc
    if rows != ["ok"]:
        raise BackupError(f"{path} fails integrity_check: {'; '.join(rows[:5])}")


_SIDECARS = ("-wal", "-shm", "-journal")


def _remove_sidecars(path: Path) -> None:
    for suffix in _SIDECARS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _copy(source: Path, target: Path, secrets: Iterable[tuple[str, str]] = ()) -> None:
    src = open_readonly(source)
    try:
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)
        try:
            src.backup(dst)
            scrub_manifest_secrets(dst, tuple(secrets))
            dst.execute("PRAGMA journal_mode = DELETE")  # one file, readable without sidecars
        finally:
            dst.close()
    finally:
        src.close()


def backup(
    db_path: Path,
    directory: Path,
    keep: int = DEFAULT_KEEP,
    secrets: Iterable[tuple[str, str]] = (),
) -> Path:
    """Back up the live journal into `directory`; keep the newest `keep` backups.

    `secrets` are (section, key) settings to redact from the copy's run manifests."""
    if keep < 1:
        raise BackupError(f"keep must be at least 1, got {keep}")
    if not db_path.is_file():
        raise BackupError(f"no journal at {db_path}")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / _next_name(directory)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(db_path, partial, secrets)
        verify_backup(partial)
    except (sqlite3.Error, BackupError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {db_path} failed: {exc}") from exc
    finally:
        _remove_sidecars(partial)
    partial.replace(target)  # atomic: a backup file is either complete or absent
    for old in list_backups(directory)[:-keep]:
        old.unlink()
    return target


def _running_runs(db_path: Path) -> list[str]:
    conn = open_readonly(db_path)
    try:
        rows = conn.execute("SELECT run_id FROM runs WHERE status = ?", (RunStatus.RUNNING.value,))
        return [str(r[0]) for r in rows]
    except sqlite3.DatabaseError:
        return []  # an unreadable target is what a restore is for
    finally:
        conn.close()


def restore(backup_path: Path, db_path: Path, *, force: bool = False) -> None:
    """Replace the journal at `db_path` with a verified backup (the trader must be stopped).

    A run still marked running means a trader may be writing; refuse unless `force` (after a
    crash the run stays `running` until the next start marks it crashed).
    """
    verify_backup(backup_path)
    if db_path.is_file() and not force and (running := _running_runs(db_path)):
        raise BackupError(
            f"{db_path} has run(s) marked running ({', '.join(running)}); stop the trader "
            "first, or pass --force if it crashed"
        )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _copy(backup_path, db_path)  # a rollback-mode file; JournalStore.open switches to WAL
    except sqlite3.Error as exc:
        raise BackupError(f"restore of {backup_path} into {db_path} failed: {exc}") from exc
    verify_backup(db_path)
