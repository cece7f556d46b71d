"""Journal throughput: records/s through JournalStore.write_batch.

Production settings: WAL, `synchronous=FULL` (every batch fsynced), batches of 256 (the
TelemetryActor's default `batch_size`), a realistic mix of kinds (decisions dominate) and
full projection. NORMAL is measured too, for the durability trade-off in docs/journal.md.
Target: >= 20,000 records/s. Run: .venv/bin/python -m benchmarks.bench_journal [--dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from astra.adapters.journal.store import JournalStore, Synchronous
from astra.domain.journal_record import JournalRecord, RecordKind

RECORDS = 100_000
BATCH = 256
TARGET = 20_000


def _payload(kind: RecordKind, i: int) -> dict[str, object]:
    order = {"order_id": f"o{i}", "asset_id": "tok", "side": "BUY", "price": 4_500}
    if kind is RecordKind.FILL:
        return order | {"fill_id": f"f{i}", "size": 1_000_000, "fee": 0, "liquidity": "maker"}
    if kind is RecordKind.ORDER_EVENT:
        return order | {"size": 5_000_000, "filled": 0, "state": "open", "reason": "accepted"}
    if kind is RecordKind.LEDGER:
        positions = {"tok": {"size": i, "cost": i}}
        return {"cash": 10**9 - i, "fees": i, "realised": 0, "positions": positions}
    return {
        "schema_version": 1,
        "run_id": "bench",
        "market": "m",
        "definition_hash": "ab" * 32,
        "inputs": {"mid": 4_500, "spread": 20, "spot": 64_123.5},
        "estimate": {"p": 0.47, "low": 0.41, "high": 0.53},
        "frictions": {"fee_bps": 0, "slippage": 10},
        "gates": [{"gate": "ev", "passed": False, "reason": "ev_below_threshold", "detail": None}],
        "action": "SKIP",
        "order": None,
    }


def _records(n: int) -> list[JournalRecord]:
    # 70% decisions, 15% order events, 10% fills, 5% ledger entries.
    cycle = [RecordKind.DECISION] * 14 + [RecordKind.ORDER_EVENT] * 3 + [RecordKind.FILL] * 2
    cycle.append(RecordKind.LEDGER)
    out = []
    for i in range(n):
        kind = cycle[i % len(cycle)]
        payload = _payload(kind, i)
        if kind is RecordKind.LEDGER:
            payload |= {"opening_cash": 10**9, "fills": i}
        out.append(JournalRecord.build(f"market:{i % 50}", i // 50 + 1, kind, i, "m", payload))
    return out


def measure(directory: Path, synchronous: Synchronous, records: list[JournalRecord]) -> float:
    path = directory / f"bench-{synchronous.lower()}.sqlite3"
    with JournalStore.open(path, synchronous=synchronous) as store:
        start = time.perf_counter()
        for i in range(0, len(records), BATCH):
            store.write_batch(records[i : i + BATCH])
        elapsed = time.perf_counter() - start
        assert store.max_seq("market:0") == len(records) // 50
    return len(records) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, help="where to write (default: a temp dir)")
    parser.add_argument("--records", type=int, default=RECORDS)
    args = parser.parse_args(argv)
    records = _records(args.records)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        full = measure(Path(tmp), "FULL", records)
        normal = measure(Path(tmp), "NORMAL", records)
    print(f"journal write_batch, {args.records} records, batches of {BATCH}, WAL")
    print(f"  synchronous=FULL   (production): {full:>10,.0f} records/s")
    print(f"  synchronous=NORMAL             : {normal:>10,.0f} records/s")
    ok = full >= TARGET
    print(f"target >= {TARGET:,} records/s with FULL: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
