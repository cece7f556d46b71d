"""The crash-only start path: the same code runs after a clean stop and after `kill -9`.

1. Runs still marked `running` died without closing: mark them `crashed`.
2. Open this run's manifest: code version, the effective settings and their hash.
3. Rebuild what a restart needs from the committed journal: open orders, fills, the last
   ledger, each producer's sequence number and the durable halts (see `halts`).
4. Cancel every paper order the journal still shows resting, with reason `restart`.

Why cancel instead of resuming them: while the process was down no market data was observed,
so whether (and in which queue position) those orders would have filled is unknowable. A
paper fill invented after the fact would be fiction, and silently keeping the order would
give it a queue position it never earned. The cancels are journaled under each order's own
market producer with the next sequence numbers, before any actor starts, so the
MarketActors come up with nothing resting and their order numbering continues above them.
The ledger itself is rebuilt by the RiskActor replaying every journaled fill.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from astra.adapters.journal import recovery
from astra.adapters.journal.runs import RunManifest, mark_crashed_runs, open_run
from astra.adapters.journal.store import JournalStore
from astra.adapters.metrics_prometheus import astra_version
from astra.app.halts import DurableHalt, durable_halts
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.reasons import HaltReason
from astra.settings import Settings

MARKET_PREFIX = "market:"


@dataclass(frozen=True, slots=True)
class StartState:
    run: RunManifest
    crashed_runs: tuple[str, ...]
    recovered: recovery.Recovered
    durable_halts: dict[HaltReason, DurableHalt]
    restart_canceled: tuple[str, ...]  # order ids canceled with reason `restart`

    @property
    def run_id(self) -> str:
        return self.run.run_id


def new_run_id(now_ms: int) -> str:
    stamp = datetime.fromtimestamp(now_ms / 1000, tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(4)}"


def recover_and_open(
    store: JournalStore,
    settings: Settings,
    now_ms: int,
    *,
    run_id: str | None = None,
    markets: Sequence[MarketInfo] = (),
    seed: int | None = None,
) -> StartState:
    crashed = mark_crashed_runs(store, now_ms)
    # Redacted: a manifest (and every backup of it) must not hold a secret setting.
    snapshot = {
        "settings": settings.redacted_dict(),
        "settings_hash": settings.settings_hash(),
        # The seed this run drew from (a replay's --seed may differ from [run] seed).
        "seed": settings.run.seed if seed is None else seed,
        "markets": [market_manifest(m) for m in markets],
    }
    manifest = open_run(
        store,
        run_id=run_id or new_run_id(now_ms),
        started_ms=now_ms,
        code_version=astra_version(),
        config=snapshot,
    )
    records = [s.record for s in store.records_since(0, recovery.RECOVERY_KINDS)]
    recovered = recovery.recover(records)
    canceled = cancel_resting(store, recovered, now_ms)
    return StartState(manifest, tuple(crashed), recovered, durable_halts(records), canceled)


def market_manifest(market: MarketInfo) -> dict[str, object]:
    """What a reader of the run (the report, `astra status`) needs to name a market: its
    question and tokens, not only its `0x...` id."""
    return {
        "condition_id": market.condition_id,
        "question": market.question,
        "category": market.category,
        "yes_token": market.yes_token,
        "no_token": market.no_token,
        "outcomes": list(market.outcomes),
        "end_date_ms": market.end_date_ms,
    }


def cancel_resting(
    store: JournalStore, recovered: recovery.Recovered, now_ms: int
) -> tuple[str, ...]:
    """Journal a `restart` cancel for every order still resting; returns their ids."""
    seqs = store.max_seqs()
    batch: list[JournalRecord] = []
    for order in sorted(recovered.open_orders.values(), key=lambda o: o.order_id):
        if order.market is None:
            continue  # never written by a market producer: nothing to attribute it to
        producer = MARKET_PREFIX + order.market
        seqs[producer] = seqs.get(producer, 0) + 1
        payload = recovery.restart_cancel_payload(order)
        payload["replaces"] = None
        batch.append(
            JournalRecord.build(
                producer, seqs[producer], RecordKind.ORDER_EVENT, now_ms, order.market, payload
            )
        )
    store.write_batch(batch)
    return tuple(r.data()["order_id"] for r in batch)
