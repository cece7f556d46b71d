"""Records that follow the journal's payload conventions (docs/journal.md), for tests."""

from __future__ import annotations

from typing import Any

from astra.domain.journal_record import JournalRecord, RecordKind

MARKET = "m1"
YES = "yes-token"
OPENING_CASH = 1_000_000_000  # 1000 collateral in micros


def order_event(
    producer: str,
    seq: int,
    order_id: str,
    *,
    state: str = "open",
    reason: str = "accepted",
    side: str = "BUY",
    price: int = 4_000,
    size: int = 10_000_000,
    filled: int = 0,
    asset_id: str = YES,
    market: str = MARKET,
    ts_ms: int | None = None,
) -> JournalRecord:
    payload = {
        "order_id": order_id,
        "asset_id": asset_id,
        "side": side,
        "price": price,
        "size": size,
        "filled": filled,
        "state": state,
        "reason": reason,
    }
    return JournalRecord.build(
        producer, seq, RecordKind.ORDER_EVENT, ts_ms or 1_000 + seq, market, payload
    )


def fill(
    producer: str,
    seq: int,
    fill_id: str,
    order_id: str,
    *,
    side: str = "BUY",
    price: int = 4_000,
    size: int = 10_000_000,
    fee: int = 0,
    asset_id: str = YES,
    market: str = MARKET,
) -> JournalRecord:
    payload = {
        "fill_id": fill_id,
        "order_id": order_id,
        "asset_id": asset_id,
        "side": side,
        "price": price,
        "size": size,
        "fee": fee,
        "liquidity": "maker",
    }
    return JournalRecord.build(producer, seq, RecordKind.FILL, 1_000 + seq, market, payload)


def ledger(
    producer: str,
    seq: int,
    *,
    cash: int,
    fees: int = 0,
    realised: int = 0,
    positions: dict[str, dict[str, int]] | None = None,
    fills: int,
    settled: dict[str, int] | None = None,
) -> JournalRecord:
    payload: dict[str, Any] = {
        "cash": cash,
        "fees": fees,
        "realised": realised,
        "positions": positions or {},
        "opening_cash": OPENING_CASH,
        "fills": fills,
        "settled": settled or {},
    }
    return JournalRecord.build(producer, seq, RecordKind.LEDGER, 1_000 + seq, None, payload)


def decision(
    producer: str,
    seq: int,
    *,
    action: str = "SKIP",
    market: str = MARKET,
    run_id: str = "run-1",
    definition_hash: str | None = None,
) -> JournalRecord:
    payload = {
        "schema_version": 1,
        "run_id": run_id,
        "market": market,
        "definition_hash": definition_hash,
        "inputs": {"mid": 4_500},
        "estimate": {"p": 0.5},
        "frictions": {"fee": 0},
        "gates": [{"gate": "ev", "passed": action == "PLACE", "reason": "ev", "detail": None}],
        "action": action,
        "order": None,
    }
    return JournalRecord.build(producer, seq, RecordKind.DECISION, 1_000 + seq, market, payload)


def risk(
    producer: str,
    seq: int,
    *,
    state: str = "HALTED",
    reason: str = "operator",
    kind: RecordKind = RecordKind.HALT,
    snapshot: dict[str, Any] | None = None,
) -> JournalRecord:
    payload: dict[str, Any] = {"state": state, "reason": reason, "detail": "by test"}
    if snapshot is not None:
        payload["snapshot"] = snapshot
    return JournalRecord.build(producer, seq, kind, 1_000 + seq, None, payload)


def incident(producer: str, seq: int) -> JournalRecord:
    payload = {
        "actor_kind": "market",
        "actor_name": "market:m1",
        "reason": "exception",
        "detail": {"error": "boom"},
        "dead_letters": 3,
    }
    return JournalRecord.build(producer, seq, RecordKind.INCIDENT, 1_000 + seq, MARKET, payload)


def healthy_session() -> list[JournalRecord]:
    """One order filled in two parts, ledgers after each fill, a decision, a halt and a resume.

    Buy 10 shares at 0.40: two fills of 5 shares, 0.2 collateral fee each.
    """
    notional = 4_000 * 5_000_000 // 10_000
    after_one = OPENING_CASH - notional - 200_000
    after_two = after_one - notional - 200_000
    return [
        decision("market:m1", 1, action="PLACE"),
        order_event("market:m1", 2, "o1", state="open", reason="accepted"),
        fill("market:m1", 3, "f1", "o1", size=5_000_000, fee=200_000),
        order_event(
            "market:m1", 4, "o1", state="partially_filled", reason="partial_fill", filled=5_000_000
        ),
        fill("market:m1", 5, "f2", "o1", size=5_000_000, fee=200_000),
        order_event("market:m1", 6, "o1", state="filled", reason="filled", filled=10_000_000),
        ledger("risk", 1, cash=OPENING_CASH, fills=0),
        ledger(
            "risk",
            2,
            cash=after_one,
            fees=200_000,
            positions={YES: {"size": 5_000_000, "cost": notional}},
            fills=1,
        ),
        ledger(
            "risk",
            3,
            cash=after_two,
            fees=400_000,
            positions={YES: {"size": 10_000_000, "cost": 2 * notional}},
            fills=2,
        ),
        risk("risk", 4, state="HALTED", reason="operator"),
        risk("risk", 5, state="ACTIVE", reason="resume", kind=RecordKind.RISK_EVENT),
        incident("supervisor", 1),
    ]
