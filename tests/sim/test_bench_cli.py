"""`astra bench` end to end at test size: every section present, with real measured numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra.bench.results_md import NOTES_MARKER, write_results
from astra.cli.main import main


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def test_bench_tiny_json_has_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(f"old figures\n{NOTES_MARKER}\nprofile notes stay\n")
    assert main(["bench", "--tiny", "--json", "--results", str(results)]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["scale"] == "tiny"
    assert [row["markets"] for row in data["throughput"]] == [5, 20]
    for row in data["throughput"]:
        assert _positive(row["engine_events_per_s"])
        assert _positive(row["inline_events_per_s"])
        ratio = row["engine_events_per_s"] / row["inline_events_per_s"]
        assert row["engine_to_inline_ratio"] == pytest.approx(ratio, rel=0.01)
    for row in data["latency"]:
        assert row["events"] > 0
        assert 0 < row["p50_ms"] <= row["p99_ms"] <= row["p99_9_ms"] <= row["max_ms"]
    assert _positive(data["memory"]["bytes_per_market_actor"])
    threads = data["thread_per_market"]  # the same 20-market workload on a thread per market
    assert threads["markets"] == 20
    assert threads["pooled_events_per_s"] == data["throughput"][-1]["engine_events_per_s"]
    assert _positive(threads["thread_per_market_events_per_s"])
    halt = data["halt_propagation"]
    assert halt["count"] == halt["rounds"] == 2
    assert 0 < halt["p50_ms"] <= halt["p99_ms"]
    assert _positive(data["journal"]["records_per_s"])
    assert _positive(data["startup"]["start_s"])
    assert data["machine"]["logical_cpus"] >= 1
    assert {t["name"] for t in data["targets"]} >= {"engine/inline at 1,000 markets"}
    assert all(t["met"] is None for t in data["targets"])  # tiny measures no target size
    text = results.read_text()
    assert text.startswith("# Benchmark results")
    assert "astra bench" in text
    assert "pykka thread per market" in text
    assert "old figures" not in text
    assert text.endswith("profile notes stay\n")


def test_results_file_without_notes_is_plain(tmp_path: Path) -> None:
    result = {
        "scale": "tiny", "seed": 1, "elapsed_s": 1.0,
        "machine": {"cpu": "x", "usable_cpus": 1, "logical_cpus": 1, "memory": "1 kB",
                    "os": "Linux", "python": "CPython"},
        "targets": [], "throughput": [], "latency": [],
        "memory": {"markets": 1, "bytes_per_market_actor": 10},
        "halt_propagation": {"markets": 1, "rounds": 1, "orders_canceled_per_round": 0,
                             "p50_ms": 1, "p99_ms": 1, "max_ms": 1},
        "startup": {"markets": 1, "start_s": 0.1, "stop_s": 0.1},
    }  # fmt: skip
    write_results(tmp_path / "R.md", result, "astra bench --tiny")
    text = (tmp_path / "R.md").read_text()
    assert "Command: `astra bench --tiny`" in text
    assert NOTES_MARKER not in text
