"""`astra replay` twice on the same recording and seed gives the same journal digest; another
seed (the fill-latency draws) gives a different one. Real subprocesses, real engine."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from astra.adapters.sim.session_writer import write_session
from astra.domain.sim.session import SessionConfig
from tests.app.live_venue import ASTRA

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "fixtures/polymarket/ws_market/price_change_crossing_burst_2026-09.json"
)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "session.jsonl.gz"
    write_session(SessionConfig(markets=3, minutes=6, seed=11), path)
    return path


def replay(path: Path, data_dir: Path, seed: int) -> dict[str, Any]:
    done = subprocess.run(
        [*ASTRA, "replay", str(path), "--data-dir", str(data_dir), "--seed", str(seed),
         "--strategy", "simple_quoter", "--json-summary"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def test_same_recording_and_seed_give_the_same_digest(recording: Path, tmp_path: Path) -> None:
    first = replay(recording, tmp_path / "a", seed=3)
    second = replay(recording, tmp_path / "b", seed=3)
    assert first["events"] > 500
    assert first["orders"]["placed"] > 0
    assert first["journal_digest"] == second["journal_digest"]
    for key in ("evaluations", "fills", "orders", "pnl", "halts", "records"):
        assert first[key] == second[key]


def test_a_different_seed_changes_the_digest(recording: Path, tmp_path: Path) -> None:
    first = replay(recording, tmp_path / "a", seed=3)
    other = replay(recording, tmp_path / "b", seed=4)
    assert first["journal_digest"] != other["journal_digest"]


def test_plain_fixture_array_replays(tmp_path: Path) -> None:
    summary = replay(FIXTURE, tmp_path, seed=1)
    assert summary["events"] == 51
    assert summary["evaluations"] == 51
    assert summary["markets"] == 1
    assert [h["reason"] for h in summary["halts"]] == ["startup", "shutdown"]


def test_unreadable_file_is_one_line_and_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json at all\n", encoding="utf-8")
    done = subprocess.run(
        [*ASTRA, "replay", str(bad), "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
