"""A real Prometheus scrapes our exporter: every dashboard query and recording rule returns data.

The exporter is populated by `PrometheusMetrics` with at least one sample for every catalogue
metric (and every label value a rule or panel selects). When `astra replay` exists this same
harness points at a replay's metrics endpoint instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from astra.adapters.metrics_prometheus import (
    SPECS,
    MetricsServer,
    PrometheusMetrics,
    start_metrics_server,
)
from astra.domain import metrics_port as mp
from tests.ops.ops_files import RULE_FILES, dashboard_exprs, recording_names
from tests.ops.prometheus_harness import PROMETHEUS, PrometheusHarness

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        PROMETHEUS is None, reason="prometheus not on PATH (apt-get install prometheus)"
    ),
]

# Label values the rules and panels select on; every other label gets "x".
LABELS = {
    mp.TRADING_STATE: [{"state": "active"}, {"state": "halted"}],
    mp.ORDERS_TOTAL: [
        {"outcome": "submitted", "reason": "submitted"},
        {"outcome": "rejected", "reason": "would_cross"},
    ],
    mp.DECISIONS_TOTAL: [{"action": "quote", "gate": "ev"}, {"action": "skip", "gate": "risk"}],
    mp.ALERTS_TOTAL: [{"kind": "halt", "outcome": "sent"}, {"kind": "halt", "outcome": "dropped"}],
}


def _populate(metrics: PrometheusMetrics, step: int) -> None:
    for name, spec in SPECS.items():
        label_sets = LABELS.get(name, [dict.fromkeys(spec.labels, "x")])
        for labels in label_sets:
            if name == mp.BUILD_INFO:
                continue
            if spec.kind == "counter":
                metrics.inc(name, labels, 1.0 + step)
            elif spec.kind == "gauge":
                value = time.time() if name == mp.HEARTBEAT_TIMESTAMP else 100.0 + step
                if name == mp.TRADING_STATE:
                    value = 1.0 if labels["state"] == "active" else 0.0
                metrics.set(name, value, labels)
            else:
                metrics.observe(name, 0.001 * (step + 1), labels)


@pytest.fixture(scope="module")
def exporter() -> Iterator[tuple[PrometheusMetrics, MetricsServer]]:
    registry = CollectorRegistry()
    metrics = PrometheusMetrics(registry, version="e2e")
    _populate(metrics, 0)
    with start_metrics_server("127.0.0.1", 0, registry) as server:
        yield metrics, server


@pytest.fixture(scope="module")
def prometheus(
    exporter: tuple[PrometheusMetrics, MetricsServer], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrometheusHarness]:
    metrics, server = exporter
    workdir = tmp_path_factory.mktemp("prometheus")
    with PrometheusHarness(f"127.0.0.1:{server.port}", RULE_FILES, workdir) as harness:
        harness.wait_ready()
        assert harness.wait_for('up{job="astra"} == 1'), harness.logs()
        # rate()/increase() need two scrapes inside the window; keep the counters moving.
        for step in range(1, 5):
            _populate(metrics, step)
            time.sleep(1.0)
        assert harness.wait_for("astra:orders:rate5m"), harness.logs()
        yield harness


def test_every_catalogue_metric_is_scraped(prometheus: PrometheusHarness) -> None:
    for name, spec in SPECS.items():
        series = f"{name}_count" if spec.kind == "histogram" else name
        assert prometheus.query(series), name


def test_every_recording_rule_returns_data(prometheus: PrometheusHarness) -> None:
    names = recording_names()
    assert len(names) >= 8
    missing = [name for name in sorted(names) if not prometheus.wait_for(name, timeout_s=10)]
    assert not missing, missing


def test_every_dashboard_query_returns_data(prometheus: PrometheusHarness) -> None:
    empty = [(title, expr) for title, expr in dashboard_exprs() if not prometheus.query(expr)]
    assert not empty, empty


def test_alert_rules_evaluate_against_live_series(prometheus: PrometheusHarness) -> None:
    firing = prometheus.wait_for('ALERTS{alertname="AstraSupervisorEscalation"}', timeout_s=10)
    assert firing
    names = {s["metric"]["alertname"] for s in prometheus.query("ALERTS")}
    # Every counter in the sample grows, so the counter-based alerts are pending or firing;
    # the state-based ones see a live heartbeat, an active state and a scrapable target.
    assert {"AstraDeadLetters", "AstraJournalWriteErrors"} <= names
    assert not names & {"AstraDown", "AstraHeartbeatStale", "AstraTradingHalted"}


def test_rule_files_loaded(prometheus: PrometheusHarness) -> None:
    assert all(Path(p).is_file() for p in RULE_FILES)
    assert prometheus.query("count(ALERTS) or vector(0)")
