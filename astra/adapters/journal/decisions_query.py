"""Reading the decision log: every strategy evaluation, SKIPs included."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DecisionRow:
    producer: str
    seq: int
    ts_ms: int
    market: str | None
    action: str
    run_id: str | None
    definition_hash: str | None
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"producer": self.producer, "seq": self.seq, "ts_ms": self.ts_ms} | self.payload


_QUERY = """
SELECT d.producer, d.seq, d.ts_ms, d.market, d.action, d.run_id, d.definition_hash, r.payload
FROM decisions d JOIN records r ON r.producer = d.producer AND r.seq = d.seq
WHERE (:market IS NULL OR d.market = :market)
  AND (:action IS NULL OR lower(d.action) = lower(:action))
ORDER BY r.id DESC LIMIT :limit
"""


def query_decisions(
    conn: sqlite3.Connection,
    *,
    market: str | None = None,
    action: str | None = None,
    last: int | None = None,
) -> list[DecisionRow]:
    """Decisions matching the filters, oldest first; `last` keeps only the newest N. The action
    matches without regard to case (the journal stores `quote`, operators type `QUOTE`)."""
    if last is not None and last < 0:
        raise ValueError(f"last must be >= 0, got {last}")
    params = {"market": market, "action": action, "limit": -1 if last is None else last}
    rows = conn.execute(_QUERY, params).fetchall()
    return [
        DecisionRow(p, s, ts, m, a, run, dh, json.loads(payload))
        for p, s, ts, m, a, run, dh, payload in reversed(rows)
    ]
