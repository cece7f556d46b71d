"""The crash-only start path on a real journal file: crashed runs are closed, the manifest
records the settings and their hash, resting orders are canceled with reason `restart`, and
durable halts come back into every fresh risk book (startup halts do not)."""

from __future__ import annotations

import json
from pathlib import Path

from astra.adapters.journal.recovery import open_orders
from astra.adapters.journal.runs import RunStatus, list_runs, open_run
from astra.adapters.journal.store import JournalStore
from astra.app.halts import durable_halts
from astra.app.recovery_start import recover_and_open
from astra.app.risk_book import RiskBookFactory
from astra.app.runtime import risk_limits
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.prices import Side
from astra.domain.reasons import HaltReason
from astra.domain.trading import OrderIntent
from astra.settings import Settings

MARKET = "0xabc"


def order(seq: int, order_id: str, state: str) -> JournalRecord:
    payload = {
        "order_id": order_id, "asset_id": "yes", "side": "BUY", "price": 4000, "size": 5_000_000,
        "filled": 0, "state": state, "reason": "accepted", "replaces": None,
    }  # fmt: skip
    return JournalRecord.build(f"market:{MARKET}", seq, RecordKind.ORDER_EVENT, 10, MARKET, payload)


def halt(seq: int, reason: str, producer: str = "risk") -> JournalRecord:
    payload = {"state": "halted", "reason": reason, "detail": "x"}
    return JournalRecord.build(producer, seq, RecordKind.HALT, 1_000 + seq, None, payload)


def resume(seq: int) -> JournalRecord:
    payload = {"state": "active", "reason": "resume", "detail": "operator"}
    return JournalRecord.build("risk", seq, RecordKind.RISK_EVENT, 2_000 + seq, None, payload)


def test_start_closes_crashed_runs_opens_manifest_and_cancels_resting(tmp_path: Path) -> None:
    settings = Settings()
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        open_run(store, run_id="old", started_ms=1, code_version="v", config={})
        store.write_batch([order(1, "o1", "resting"), order(2, "o2", "resting"),
                           order(3, "o2", "canceled")])  # fmt: skip
        start = recover_and_open(store, settings, now_ms=50, run_id="new")
        records = [s.record for s in store.records_since(0)]
        runs = {r.run_id: r for r in list_runs(store._conn)}
    assert start.crashed_runs == ("old",)
    assert runs["old"].status is RunStatus.CRASHED
    assert runs["new"].status is RunStatus.RUNNING
    snapshot = json.loads(runs["new"].config_json)
    assert snapshot["settings_hash"] == settings.settings_hash()
    assert start.restart_canceled == ("o1",)
    assert open_orders(records) == {}
    cancel = records[-1]
    assert (cancel.producer, cancel.seq, cancel.ts_ms) == (f"market:{MARKET}", 4, 50)
    assert cancel.data()["reason"] == "restart"


def test_durable_halts_survive_and_start_halts_do_not() -> None:
    records = [halt(1, "startup"), halt(2, "operator"), halt(3, "actor_failure", "supervision")]
    assert set(durable_halts(records)) == {HaltReason.OPERATOR, HaltReason.ACTOR_FAILURE}
    assert durable_halts([*records, resume(4)]) == {}
    assert durable_halts([*records, resume(4), halt(5, "shutdown")]) == {}
    market_gate = JournalRecord.build(
        "market:x", 1, RecordKind.RISK_EVENT, 1, "x", {"state": "halted", "reason": "restart"}
    )
    assert durable_halts([market_gate]) == {}


def intent() -> OrderIntent:
    return OrderIntent(MARKET, "yes", Side.BUY, 4000, 5_000_000, "s", "r", "other")


def test_risk_book_restores_durable_halts_and_gates_startup(tmp_path: Path) -> None:
    settings = Settings()
    limits = risk_limits(settings)
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        factory = RiskBookFactory(store, limits, 10_000_000_000, lambda: 5_000)
        fresh = factory()
        assert fresh.halt(HaltReason.STARTUP, 5_000, "start")
        assert not fresh.check_intent(intent(), 5_000).passed  # startup gate
        assert fresh.resume(5_000, "op") is None  # no cooldown for a startup halt
        assert fresh.check_intent(intent(), 5_000).passed
        store.write_batch([halt(1, "operator")])
        restored = factory()
        restored.halt(HaltReason.RISK_ACTOR_RESTART, 5_000, "restart")
        assert restored.halt_reasons() == ["operator", "risk_actor_restart"]
        refusal = restored.resume(5_000, "op")  # the operator halt's cooldown runs from 1001
        assert refusal is not None
        assert "cooldown" in refusal
        assert restored.resume(1_001 + limits.cooldown_ms, "op") is None
        assert restored.halt_reasons() == []
    payload = restored.ledger_payload()
    assert payload["opening_cash"] == 10_000_000_000
    assert payload["fills"] == 0
