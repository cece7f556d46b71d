"""WAL checkpoints on their own connection and thread, so no journal commit pays for one.

SQLite's automatic checkpoint runs inside the commit that crosses `wal_autocheckpoint` pages:
that commit copies the WAL into the database and fsyncs it while holding the store's lock.
Measured in the halt bench (1,000 markets): the halt-first protocol's durable commit took
~6 ms, except when it (or the TelemetryActor's batch it waited for) drew the checkpoint —
then 80+ ms, the whole p99. Here the store turns automatic checkpoints off and this thread
runs `wal_checkpoint(PASSIVE)` every `interval_s`: PASSIVE never blocks writers or readers,
it copies what it can and leaves the rest for the next round, so the WAL stays bounded while
commits stay short. A round runs only once `every_records` were written since the last one
(or, if anything was written at all, after `max_wait_s`): each round's fsync competes with the
commits' own, so rounds are few and large rather than one a second (halt bench: p99 74 -> see
benchmarks/RESULTS.md). A failing checkpoint is logged and retried; the journal keeps working
(a WAL that keeps growing ends in write errors, which halt trading like any other).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

_log = logging.getLogger("astra.adapters.journal.checkpointer")
BUSY_TIMEOUT_S = 5.0


class WalCheckpointer:
    def __init__(
        self,
        path: Path,
        interval_s: float = 1.0,
        every_records: int = 8_192,
        max_wait_s: float = 30.0,
    ) -> None:
        self._path = path
        self._interval_s = interval_s
        self._every = every_records
        self._max_wait_s = max_wait_s
        self._written = 0  # records committed since the last round (GIL-atomic int updates)
        self._waited_s = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0
        self.failures = 0

    def start(self) -> None:
        # Daemon: a store that is never closed must not keep the process alive.
        self._thread = threading.Thread(target=self._run, name="journal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wrote(self, records: int) -> None:
        """The store committed `records` new records (called on the writer's thread)."""
        self._written += records

    def due(self) -> bool:
        """Enough was written, or something was written and `max_wait_s` passed."""
        self._waited_s += self._interval_s
        return self._written >= self._every or (
            self._written > 0 and self._waited_s >= self._max_wait_s
        )

    def checkpoint(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, WAL frames, frames checkpointed)."""
        busy, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.rounds += 1
        return int(busy), int(frames), int(done)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        except sqlite3.Error as exc:
            _log.error("journal checkpointer cannot open %s: %s", self._path, exc)
            return
        try:
            while not self._stop.wait(self._interval_s):
                if self.due():
                    self._written, self._waited_s = 0, 0.0
                    self._round(conn)
        finally:
            conn.close()

    def _round(self, conn: sqlite3.Connection) -> None:
        try:
            self.checkpoint(conn)
        except sqlite3.Error as exc:
            self.failures += 1
            _log.error("journal checkpoint failed (retrying in %s s): %s", self._interval_s, exc)
