"""Reading the arbitrage log: the EventActors' DECISION records (producers `arb:<event>`)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

_QUERY = """
SELECT producer, seq, ts_ms, payload FROM records
WHERE kind = 'decision' AND producer LIKE 'arb:%'
ORDER BY id
"""


def query_arb(conn: sqlite3.Connection) -> list[tuple[str, int, int, dict[str, Any]]]:
    """(producer, seq, ts_ms, payload) of every arbitrage transition, in journal order."""
    return [
        (producer, seq, ts_ms, json.loads(payload))
        for producer, seq, ts_ms, payload in conn.execute(_QUERY).fetchall()
    ]
