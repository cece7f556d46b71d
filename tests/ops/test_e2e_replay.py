"""Issue 8 acceptance: a real Prometheus scrapes `astra replay` of the bundled session.

`astra replay <sample> --json-summary --metrics-port N --linger-s S` runs in a subprocess; the
harness's Prometheus (loopback, ephemeral port, our rule files, 1 s scrape and evaluation)
scrapes it while it replays and lingers. Once the replay has printed its summary and
Prometheus has at least two scrapes and an evaluated recording rule, every dashboard query and
every recording rule must return a non-empty instant vector through /api/v1/query. Both
processes are stopped in `finally`, whatever happens.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from astra.adapters.sim.sample import sample_session_path
from tests.ops.ops_files import RULE_FILES, dashboard_exprs, recording_names
from tests.ops.prometheus_harness import PROMETHEUS, PrometheusHarness, free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        PROMETHEUS is None,
        reason="prometheus not on PATH (Debian package `prometheus`; .ci/run installs it)",
    ),
]

LINGER_S = 12.0
REPLAY_TIMEOUT_S = 25.0


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _summary(process: subprocess.Popen[str]) -> dict[str, Any]:
    """The replay's JSON summary line (printed before it lingers)."""
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, f"replay printed no summary (exit {process.poll()})"
    summary: dict[str, Any] = json.loads(line)
    return summary


def _wait_scrapes(harness: PrometheusHarness, count: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    expr = 'count_over_time(up{job="astra"}[1m])'
    while time.monotonic() < deadline:
        result = harness.query(f'{expr} and on() up{{job="astra"}} == 1')
        if result and float(result[0]["value"][1]) >= count:
            return
        time.sleep(0.25)
    raise AssertionError(f"fewer than {count} successful scrapes: {harness.logs()}")


def test_replay_metrics_answer_every_dashboard_query_and_rule(tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable, "-m", "astra.cli.main", "replay", str(sample_session_path()),
        "--data-dir", str(tmp_path / "data"), "--seed", "1", "--json-summary",
        "--metrics-port", str(port), "--linger-s", str(LINGER_S),
    ]  # fmt: skip
    started = time.monotonic()
    workdir = tmp_path / "prometheus"
    workdir.mkdir()
    harness = PrometheusHarness(f"127.0.0.1:{port}", RULE_FILES, workdir)
    replay = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        harness.wait_ready()
        summary = _summary(replay)
        assert summary["mode"] == "replay"
        assert summary["events"] > 0
        assert summary["orders"]["placed"] > 0
        assert replay.poll() is None, "the replay must still be serving metrics"
        # Two scrapes after the replay finished (all its series final) and one evaluation.
        _wait_scrapes(harness, 2, timeout_s=10)
        time.sleep(2.5)
        assert harness.wait_for("astra:orders:rate5m", timeout_s=5), harness.logs()

        rules = sorted(recording_names())
        assert len(rules) >= 8
        missing = [name for name in rules if not harness.query(name)]
        assert not missing, missing

        exprs = dashboard_exprs()
        assert len(exprs) >= 30
        empty = [(title, expr) for title, expr in exprs if not harness.query(expr)]
        assert not empty, empty

        # Real data, not just zero series: the replay's orders and decisions are visible.
        fills = harness.query("sum(astra_fills_total)")
        assert float(fills[0]["value"][1]) == summary["fills"]
        decisions = harness.query("sum(astra_decisions_total)")
        assert float(decisions[0]["value"][1]) == summary["evaluations"]
        assert time.monotonic() - started < 40
    finally:
        _stop(replay)
        harness.close()
    assert harness.process.poll() is not None
    assert replay.poll() is not None
