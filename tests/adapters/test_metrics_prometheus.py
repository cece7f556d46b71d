"""The Prometheus exporter over a real loopback /metrics endpoint."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from astra.adapters.metrics_prometheus import (
    SPECS,
    PrometheusMetrics,
    UnknownMetricError,
    catalogue_names,
    start_metrics_server,
)
from astra.domain import metrics_port as mp


def _scrape(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = sample.name + "".join(f",{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[key] = sample.value
    return samples


def test_every_catalogue_name_is_registered_with_a_spec() -> None:
    assert catalogue_names() == frozenset(SPECS)
    metrics = PrometheusMetrics(CollectorRegistry())
    registered = {m.name for m in metrics.registry.collect()}
    for name, spec in SPECS.items():
        # prometheus_client reports counters by their name without `_total`.
        expected = name.removesuffix("_total") if spec.kind == "counter" else name
        assert expected in registered, name


def test_counters_end_in_total_and_nothing_else_does() -> None:
    for name, spec in SPECS.items():
        assert name.startswith("astra_")
        assert (spec.kind == "counter") == name.endswith("_total"), name
        if spec.kind == "histogram":
            assert name.endswith("_seconds"), name
    assert "market" not in {label for spec in SPECS.values() for label in spec.labels}


def test_samples_reach_a_real_scrape_on_loopback() -> None:
    registry = CollectorRegistry()
    metrics = PrometheusMetrics(registry, version="9.9.9")
    with start_metrics_server("127.0.0.1", 0, registry) as server:
        assert server.host == "127.0.0.1"
        metrics.inc(mp.HALTS_TOTAL, {"reason": "operator"})
        metrics.inc(mp.HALTS_TOTAL, {"reason": "operator"}, 2.0)
        metrics.set(mp.EQUITY, 10_250.5)
        metrics.observe(mp.HANDLE_SECONDS, 0.003, {"kind": "market"})
        samples = _scrape(server.port)
    assert samples["astra_halts_total,reason=operator"] == 3.0
    assert samples["astra_equity_usd"] == 10_250.5
    assert samples["astra_message_handling_seconds_count,kind=market"] == 1.0
    assert samples["astra_message_handling_seconds_bucket,kind=market,le=0.005"] == 1.0
    assert samples["astra_message_handling_seconds_bucket,kind=market,le=0.0025"] == 0.0
    build = [k for k in samples if k.startswith("astra_build_info,")]
    assert len(build) == 1
    assert "version=9.9.9" in build[0]
    assert not [k for k in samples if k.endswith("_created") or "_created," in k]


def test_unknown_names_wrong_kinds_and_wrong_labels_fail_closed() -> None:
    metrics = PrometheusMetrics(CollectorRegistry())
    with pytest.raises(UnknownMetricError):
        metrics.inc("astra_typo_total")
    with pytest.raises(UnknownMetricError):
        metrics.set(mp.HALTS_TOTAL, 1.0, {"reason": "operator"})
    with pytest.raises(UnknownMetricError):
        metrics.observe(mp.EQUITY, 1.0)
    with pytest.raises(ValueError, match="takes labels"):
        metrics.inc(mp.HALTS_TOTAL)
    with pytest.raises(ValueError, match="takes labels"):
        metrics.set(mp.EQUITY, 1.0, {"market": "0xabc"})
    with pytest.raises(ValueError, match="negative"):
        metrics.inc(mp.RESUMES_TOTAL, amount=-1.0)


def test_server_binds_loopback_only_by_default_and_close_frees_the_port() -> None:
    registry = CollectorRegistry()
    PrometheusMetrics(registry)
    server = start_metrics_server(registry=registry)
    port = server.port
    assert server.host == "127.0.0.1"
    assert _scrape(port)["astra_equity_usd"] == 0.0
    server.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_taken_port_is_an_oserror() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        with pytest.raises(OSError):
            start_metrics_server("127.0.0.1", holder.getsockname()[1], CollectorRegistry())
