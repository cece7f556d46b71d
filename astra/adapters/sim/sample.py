"""The bundled sample session: its exact generation parameters and where the file lives.

`astra/data/sample_session.jsonl.gz` is synthetic — the simulator's output for
`SAMPLE_CONFIG`, nothing recorded from the venue. A test regenerates it and compares bytes,
so the file is provably what these parameters produce.
"""

from __future__ import annotations

from pathlib import Path

from astra.domain.sim.markets import MINUTE_MS
from astra.domain.sim.session import DEFAULT_START_MS, SessionConfig

# Nine markets (three crypto thresholds, six others: a rates decision, a weather exceedance
# and binary events, one of them a neg-risk leg) for ten minutes, starting 11:56 ET so the
# same-day crypto markets pass their noon cutoff at minute four and resolve at five. Ten
# minutes of nine markets is enough flow for the demo to show sells and a merge.
SAMPLE_CONFIG = SessionConfig(
    markets=9, minutes=10, seed=2026, start_ms=DEFAULT_START_MS + 4 * MINUTE_MS
)
SAMPLE_FILE = "sample_session.jsonl.gz"


def sample_session_path() -> Path:
    """The installed sample session (package data, next to the `astra` package code)."""
    return Path(__file__).resolve().parents[2] / "data" / SAMPLE_FILE
