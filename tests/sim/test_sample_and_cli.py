"""The bundled sample is the simulator's output; `astra simulate` and `astra demo` end to end."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest

from astra.actors.market_contracts import SpotRoutes
from astra.actors.model_board import ModelRoutes
from astra.adapters.recording.replay import open_replay
from astra.adapters.sim.sample import SAMPLE_CONFIG, sample_session_path
from astra.adapters.sim.session_writer import write_session
from astra.app.contracts import contract_plan
from astra.cli.main import main
from astra.domain.events import SpotPrice
from astra.domain.models.frames import RatesPrior, WeatherForecast


def test_bundled_sample_is_byte_identical_to_a_regeneration(tmp_path: Path) -> None:
    bundled = sample_session_path()
    assert bundled.stat().st_size < 650_000  # 9 markets x 10 minutes: enough for a merge
    write_session(SAMPLE_CONFIG, tmp_path / "again.jsonl.gz")
    assert (tmp_path / "again.jsonl.gz").read_bytes() == bundled.read_bytes()
    header = orjson.loads(gzip.decompress(bundled.read_bytes()).split(b"\n", 1)[0])
    assert header["source"] == "synthetic"
    assert header["seed"] == SAMPLE_CONFIG.seed
    assert len(header["markets"]) == SAMPLE_CONFIG.markets


def test_simulate_command_writes_the_same_file_for_the_same_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["simulate", "--markets", "3", "--minutes", "1", "--seed", "5"]
    assert main([*args, "--out", str(tmp_path / "a.gz")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.gz")]) == 0
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert "3 markets, 1 minutes, seed 5 (synthetic)" in capsys.readouterr().out
    assert main(["simulate", "--markets", "0", "--out", str(tmp_path / "c.gz")]) == 2
    assert "--markets must be at least 1" in capsys.readouterr().err


def test_simulate_sample_flag_reproduces_the_bundled_file(tmp_path: Path) -> None:
    assert main(["simulate", "--sample", "--out", str(tmp_path / "s.gz")]) == 0
    assert (tmp_path / "s.gz").read_bytes() == sample_session_path().read_bytes()


def _spot_deliveries() -> int:
    replay = open_replay(sample_session_path())
    routes = SpotRoutes(contract_plan(replay.markets).contracts)
    assert routes.symbols() == ["btcusdt", "ethusdt"]
    return sum(
        len(routes.markets(event.symbol))
        for _, _, event in replay.events()
        if isinstance(event, SpotPrice)
    )


def _model_deliveries() -> int:
    replay = open_replay(sample_session_path())
    routes = ModelRoutes(contract_plan(replay.markets).contracts)
    assert len(routes.frame_keys()) == 2  # the sample's weather market and its rates market
    return sum(
        len(routes.markets(event.key))
        for _, channel, event in replay.events()
        if channel == "model" and isinstance(event, WeatherForecast | RatesPrior)
    )


def test_demo_replays_the_sample_through_the_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--data-dir", str(tmp_path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["mode"] == "replay"
    assert summary["markets"] == SAMPLE_CONFIG.markets
    assert summary["events"] > 1000
    assert summary["rejected_frames"] == 0
    # A decision record for every market event and every delivery of a spot print (a print
    # reaches every market whose contract resolves on its symbol: two BTC markets, one ETH)
    # or of a model frame (a forecast or prior reaches the market whose contract reads it).
    assert summary["spot_unrouted"] == 0
    deliveries = _spot_deliveries() + _model_deliveries()
    assert summary["evaluations"] == summary["events"] + deliveries
    assert summary["orders"]["placed"] > 0
    assert Path(summary["journal"]).is_file()
    metrics = Path(summary["metrics"]).read_text()
    assert "astra_build_info" in metrics
    report = Path(summary["report"]).read_text()
    assert report.lstrip().lower().startswith("<!doctype html")
    assert "synthetic sample session" in report
    # Same seed, same journal: the demo is a deterministic replay.
    assert main(["demo", "--data-dir", str(tmp_path / "again"), "--json"]) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["journal_digest"] == summary["journal_digest"]
