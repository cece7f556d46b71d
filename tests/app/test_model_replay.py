"""Model frames in a recording drive the weather and rates markets, deterministically.

A simulated session with one weather and one rates market is replayed twice (same digest,
and the decisions carry the recorded forecast/prior); the same recording with its `model`
channel stripped replays to a different journal whose model markets veto by name
(`no_forecast`, `no_prior`). Real subprocesses, real engine.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from astra.adapters.sim.session_writer import write_session
from astra.app.journal_metrics import publish_record
from astra.domain import metrics_port as mp
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import CountingMetrics
from astra.domain.sim.session import SessionConfig
from tests.app.live_venue import ASTRA

SESSION = SessionConfig(markets=6, minutes=4, seed=4)  # market 4 weather, market 5 rates


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "session.jsonl.gz"
    stats = write_session(SESSION, path)
    assert stats.model_frames == 2 * (4 // 2 + 1)
    return path


def replay(path: Path, data_dir: Path) -> dict[str, Any]:
    done = subprocess.run(
        [*ASTRA, "replay", str(path), "--data-dir", str(data_dir), "--seed", "3",
         "--json-summary"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def decisions(data_dir: Path, strategy: str) -> list[dict[str, Any]]:
    with sqlite3.connect(data_dir / "replay.sqlite3") as db:
        rows = db.execute("SELECT payload FROM records WHERE kind = 'decision'").fetchall()
    found = [json.loads(row[0]) for row in rows]
    return [d for d in found if d.get("strategy") == strategy]


def _recorded_frames(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt") as lines:
        frames = [json.loads(line) for line in lines]
    return [json.loads(f["data"]) for f in frames if f.get("channel") == "model"]


def test_replay_with_model_frames_is_deterministic_and_uses_them(
    recording: Path, tmp_path: Path
) -> None:
    first = replay(recording, tmp_path / "a")
    second = replay(recording, tmp_path / "b")
    assert first["journal_digest"] == second["journal_digest"]
    weather = decisions(tmp_path / "a", "weather_exceedance")
    rates = decisions(tmp_path / "a", "rates_event")
    assert weather
    assert rates
    recorded = {json.dumps(f, sort_keys=True) for f in _recorded_frames(recording)}
    used = [d["analysis"]["forecast"] for d in weather if "forecast" in d["analysis"]]
    used += [d["analysis"]["prior"] for d in rates if "prior" in d["analysis"]]
    assert used
    kinds = {"value_f": "weather_forecast", "outcomes": "rates_prior"}
    for frame in used:
        kind = next(k for field, k in kinds.items() if field in frame)
        assert json.dumps({"kind": kind, **frame}, sort_keys=True) in recorded


def test_without_the_model_channel_the_markets_veto_by_name(
    recording: Path, tmp_path: Path
) -> None:
    stripped = tmp_path / "stripped.jsonl.gz"
    with gzip.open(recording, "rt") as src, gzip.open(stripped, "wt") as dst:
        dst.writelines(line for line in src if '"channel":"model"' not in line)
    with_frames = replay(recording, tmp_path / "a")
    without = replay(stripped, tmp_path / "b")
    assert with_frames["journal_digest"] != without["journal_digest"]
    vetoes = {d["veto"] for d in decisions(tmp_path / "b", "weather_exceedance")}
    assert "no_forecast" in vetoes
    assert not {d["action"] for d in decisions(tmp_path / "b", "weather_exceedance")} - {"skip"}
    assert "no_prior" in {d["veto"] for d in decisions(tmp_path / "b", "rates_event")}
    funnel = without["strategies"]["weather_exceedance"]
    assert funnel["orders"] == 0


def test_model_data_vetoes_are_counted_by_strategy_and_reason() -> None:
    metrics = CountingMetrics()
    for veto in ("no_forecast", "no_forecast", "ev_below_threshold"):
        payload = {"strategy": "weather_exceedance", "action": "skip", "veto": veto}
        publish_record(
            metrics, JournalRecord.build("market:m", 1, RecordKind.DECISION, 1, None, payload)
        )
    key = (
        mp.MODEL_DATA_VETOES_TOTAL,
        (("reason", "no_forecast"), ("strategy", "weather_exceedance")),
    )
    assert metrics.counters[key] == 2.0
    assert not [
        k for k in metrics.counters if k[0] == mp.MODEL_DATA_VETOES_TOTAL and "ev_below" in str(k)
    ]
