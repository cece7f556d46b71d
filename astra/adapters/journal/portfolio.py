"""What the trader holds and has resting, read from the committed journal: the account of
the risk producer's last LEDGER record, its positions, the orders whose last event is not
terminal, and the last halt. `astra status` shows it; being the durable record, it is what a
restart would recover, never an optimistic in-memory view.

Markets are named by the question and outcome of the latest run manifest's market list.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from astra.domain.orders import OrderState

RISK_PRODUCER = "risk"
ACCOUNT_FIELDS = ("equity", "cash", "marked_value", "realised", "unrealised", "fees",
                  "opening_cash")  # fmt: skip

_LAST_LEDGER = """
SELECT ts_ms, payload FROM records WHERE kind = 'ledger' AND producer = :producer
ORDER BY id DESC LIMIT 1
"""
_LAST_EVENTS = """
SELECT o.market, o.order_id, o.asset_id, o.side, o.price, o.size, o.filled, o.state, o.ts_ms
FROM order_events o
JOIN (SELECT producer, order_id, MAX(seq) AS seq FROM order_events WHERE ts_ms >= :since
      GROUP BY producer, order_id) last
  ON last.producer = o.producer AND last.seq = o.seq
ORDER BY o.ts_ms, o.order_id
"""
_LAST_HALT = """
SELECT ts_ms, payload FROM records
WHERE kind = 'halt' AND json_extract(payload, '$.state') = 'halted' ORDER BY id DESC LIMIT 1
"""
_LATEST_MARKETS = "SELECT config_json FROM runs ORDER BY started_ms DESC, run_id DESC LIMIT 1"


def portfolio(conn: sqlite3.Connection, *, since_ms: int = 0) -> dict[str, Any]:
    """account, positions, open orders (events since `since_ms`) and the last halt."""
    labels = _labels(conn)
    account, positions = _ledger(conn, labels)
    return {
        "account": account,
        "positions": positions,
        "open_orders": _open_orders(conn, since_ms, labels),
        "last_halt": _last_halt(conn),
    }


def _labels(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    row = conn.execute(_LATEST_MARKETS).fetchone()
    try:
        config = json.loads(row[0]) if row else {}
    except ValueError:
        config = {}
    labels: dict[str, tuple[str, str]] = {}
    for market in config.get("markets") or [] if isinstance(config, dict) else []:
        outcomes = list(market.get("outcomes") or ["Yes", "No"])
        question = str(market.get("question") or market.get("condition_id"))
        for token, outcome in zip(
            (market.get("yes_token"), market.get("no_token")), outcomes, strict=False
        ):
            labels[str(token)] = (question, str(outcome))
    return labels


def _ledger(
    conn: sqlite3.Connection, labels: dict[str, tuple[str, str]]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    row = conn.execute(_LAST_LEDGER, {"producer": RISK_PRODUCER}).fetchone()
    if row is None:
        return None, []
    ts_ms, payload = row[0], json.loads(row[1])
    account = {k: payload[k] for k in ACCOUNT_FIELDS if k in payload} | {"ts_ms": ts_ms}
    risk = payload.get("risk")
    if isinstance(risk, dict):
        for key in ("peak_equity", "day_start_equity", "daily_pnl"):
            if key in risk:
                account[key] = risk[key]
    marks = _marks(payload)
    positions = []
    for asset, held in sorted((payload.get("positions") or {}).items()):
        if int(held.get("size", 0)) == 0:
            continue
        question, outcome = labels.get(asset, (asset, "?"))
        positions.append(
            {
                "asset_id": asset,
                "question": question,
                "outcome": outcome,
                "size": int(held["size"]),
                "cost": int(held.get("cost", 0)),
                "mark": marks.get(asset),
            }
        )
    return account, positions


def _marks(payload: dict[str, Any]) -> dict[str, int]:
    risk = payload.get("risk")
    for source in (payload.get("marks"), risk.get("marks") if isinstance(risk, dict) else None):
        if isinstance(source, dict):
            return {str(k): int(v) for k, v in source.items() if isinstance(v, int)}
    return {}


def _open_orders(
    conn: sqlite3.Connection, since_ms: int, labels: dict[str, tuple[str, str]]
) -> list[dict[str, Any]]:
    out = []
    for market, order_id, asset, side, price, size, filled, state, ts_ms in conn.execute(
        _LAST_EVENTS, {"since": since_ms}
    ):
        if _terminal(state):
            continue
        question, outcome = labels.get(asset, (str(market), "?"))
        out.append(
            {"order_id": order_id, "question": question, "outcome": outcome, "side": side,
             "price": price, "size": size, "filled": filled, "state": state, "ts_ms": ts_ms}
        )  # fmt: skip
    return out


def _terminal(state: str) -> bool:
    """Terminal by the order state machine; a state this build does not know counts as open
    (shown, never hidden)."""
    try:
        return OrderState(state).terminal
    except ValueError:
        return False


def _last_halt(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute(_LAST_HALT).fetchone()
    if row is None:
        return None
    payload = json.loads(row[1])
    return {"ts_ms": row[0], "reason": payload.get("reason"), "detail": payload.get("detail")}
