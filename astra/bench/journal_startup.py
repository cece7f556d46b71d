"""Journal write throughput (the production store and settings) and engine startup time."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from astra.adapters.journal.store import JournalStore, connect_readonly, read_records
from astra.bench.harness import start_engine
from astra.domain.market import MarketInfo

BATCH = 256  # the TelemetryActor's default batch size


@dataclass(frozen=True, slots=True)
class JournalResult:
    records: int
    seconds: float

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def journal_throughput(source: Path, directory: Path) -> JournalResult:
    """Rewrite a real journal's records (the inline run's: its decision/order/fill mix) into a
    fresh store in batches of 256, WAL + synchronous=FULL (the production default)."""
    conn = connect_readonly(source)
    try:
        records = [stored.record for stored in read_records(conn)]
    finally:
        conn.close()
    path = directory / "journal-bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with JournalStore.open(path) as store:
        started = time.perf_counter()
        for i in range(0, len(records), BATCH):
            store.write_batch(records[i : i + BATCH])
        seconds = time.perf_counter() - started
    return JournalResult(len(records), seconds)


@dataclass(frozen=True, slots=True)
class StartupResult:
    markets: int
    start_s: float
    stop_s: float


def startup_time(markets: tuple[MarketInfo, ...], start_ms: int, directory: Path) -> StartupResult:
    """From nothing to trading open (tree started, journal flushed, risk resumed), and back."""
    started = time.perf_counter()
    running = start_engine(markets, directory, start_ms)
    opened = time.perf_counter()
    running.close()
    return StartupResult(len(markets), opened - started, time.perf_counter() - opened)
