"""The Prometheus exporter: `MetricsSink` over a prometheus_client registry, and its HTTP server.

Every name in the catalogue (`astra.domain.metrics_port`) is registered up front with a fixed
type and label set (`SPECS`), so a scrape shows every series family from the first second and
a typo fails loudly: an unknown name raises `UnknownMetricError`, a wrong label set raises
prometheus_client's `ValueError`. Nothing is silently dropped. The server binds 127.0.0.1
unless told otherwise; exposing metrics beyond the host is a deliberate configuration act.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import TypeVar

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from astra.adapters.closing import ServerThread
from astra.domain import metrics_port as mp
from astra.domain.metrics_port import Labels

DEFAULT_HOST = "127.0.0.1"

# Actor message handling and event-to-decision are sub-millisecond when healthy; the long tail
# up to seconds is what matters for alerting, so the buckets are log-spaced over 100 µs..10 s.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


@dataclass(frozen=True, slots=True)
class MetricSpec:
    kind: str  # "counter" | "gauge" | "histogram"
    labels: tuple[str, ...]
    help: str


def _c(labels: tuple[str, ...], text: str) -> MetricSpec:
    return MetricSpec("counter", labels, text)


def _g(labels: tuple[str, ...], text: str) -> MetricSpec:
    return MetricSpec("gauge", labels, text)


def _h(labels: tuple[str, ...], text: str) -> MetricSpec:
    return MetricSpec("histogram", labels, text)


SPECS: Mapping[str, MetricSpec] = {
    mp.TRADING_STATE: _g(("state",), "1 for the current trading state, 0 for the others"),
    mp.HALTS_TOTAL: _c(("reason",), "Trading halts by reason"),
    mp.RESUMES_TOTAL: _c((), "Resumes after a halt"),
    mp.ACTORS: _g(("kind", "state"), "Actors by kind and state"),
    mp.ACTOR_RESTARTS_TOTAL: _c(("kind",), "Actor restarts by kind"),
    mp.ACTOR_FAILURES_TOTAL: _c(("kind", "reason"), "Actor failures by kind and reason"),
    mp.ESCALATIONS_TOTAL: _c(("supervisor",), "Supervisor escalations"),
    mp.MAILBOX_DEPTH: _g(("kind",), "Deepest mailbox per actor kind"),
    mp.DEAD_LETTERS_TOTAL: _c(("kind",), "Messages lost with a dead actor"),
    mp.HANDLE_SECONDS: _h(("kind",), "Time to handle one actor message"),
    mp.EVENT_TO_DECISION_SECONDS: _h((), "Feed event receipt to recorded decision"),
    mp.BOOK_AGE_SECONDS: _g((), "Age of the stalest live book"),
    mp.FEED_RECONNECTS_TOTAL: _c(("feed",), "Feed reconnects"),
    mp.FEED_SILENCES_TOTAL: _c(("feed",), "Feed sessions ended by silence (pings, no data)"),
    mp.MARKET_LAG_SECONDS: _h((), "Feed event receipt to its handling by the market"),
    mp.FEED_CONFLATED_TOTAL: _c((), "Feed events merged into a queued one (backpressure)"),
    mp.MAILBOX_OVERFLOWS_TOTAL: _c((), "Feed events refused by a full market mailbox"),
    mp.BOOK_CHECKS_TOTAL: _c(("outcome",), "Periodic REST book checks"),
    mp.BOOK_MISMATCHES_TOTAL: _c((), "Book tops that differed from REST /books (resynced)"),
    mp.FEED_REJECTED_FRAMES_TOTAL: _c(("reason",), "Feed frames rejected at the boundary"),
    mp.FEED_EVENTS_TOTAL: _c(("type",), "Feed events decoded, by type"),
    mp.ORDERS_TOTAL: _c(("outcome", "reason"), "Paper order events by outcome and reason"),
    mp.FILLS_TOTAL: _c(("liquidity",), "Paper fills by liquidity"),
    mp.FILLED_SHARES_TOTAL: _c((), "Paper shares filled"),
    mp.FILL_MARKOUTS_TOTAL: _c(("horizon", "outcome"), "Fill markouts by horizon and outcome"),
    mp.FILL_MARKOUT_ADVERSE_USD_TOTAL: _c(("horizon",), "Adverse fill markouts in USD"),
    mp.DECISIONS_TOTAL: _c(("action", "gate"), "Strategy decisions by action and gate"),
    mp.MODEL_DATA_VETOES_TOTAL: _c(
        ("strategy", "reason"), "Weather/rates decisions vetoed for missing or stale model data"
    ),
    mp.MODEL_SOURCE_VETOES_TOTAL: _c(
        ("source", "reason"), "NWS/FRED answers refused (no key, bad shape or value, failed)"
    ),
    mp.EQUITY: _g((), "Paper equity in USD, positions marked (longs at their bid)"),
    mp.EXPOSURE: _g((), "Aggregate position value in USD at the marks"),
    mp.REALIZED_PNL: _g((), "Realised P&L in USD"),
    mp.UNREALIZED_PNL: _g((), "Unrealised P&L in USD at the marks (longs at their bid)"),
    mp.DRAWDOWN: _g((), "Marked equity below its high-water mark, as a fraction of it"),
    mp.DAILY_PNL: _g((), "Marked equity minus the day's start equity, USD"),
    mp.PERFORMANCE: _g(("metric", "strategy"), "Run performance metric (when computable)"),
    mp.PERFORMANCE_SAMPLES: _g(("metric", "strategy"), "Samples behind a performance metric"),
    mp.JOURNAL_LAG_SECONDS: _g((), "Age of the oldest unwritten journal record"),
    mp.JOURNAL_RECORDS_TOTAL: _c(("kind",), "Journal records written, by kind"),
    mp.JOURNAL_WRITE_ERRORS_TOTAL: _c((), "Journal write failures"),
    mp.HEARTBEAT_TIMESTAMP: _g((), "Unix time of the last engine heartbeat"),
    mp.MARKETS: _g(("state",), "Markets by state"),
    mp.CONTRACTS: _g(("source",), "Markets with a definition contract, by source"),
    mp.CONTRACTS_MISSING: _g(("reason",), "Markets skipped: no contract, by builder reason"),
    mp.MERGED_SHARES: _g((), "YES+NO pairs merged into collateral (shares, cumulative)"),
    mp.HTTP_REQUESTS_TOTAL: _c(("service", "outcome"), "Venue HTTP requests by outcome"),
    mp.DISCOVERY_REJECTED_MARKETS_TOTAL: _c(("reason",), "Markets rejected by discovery"),
    mp.DISCOVERY_VETOES_TOTAL: _c(("reason",), "Discovery runs vetoed"),
    mp.BUILD_INFO: _g(("version", "python"), "Build information (always 1)"),
    mp.STARTUP_CHECK_PASSED: _g(("check",), "Startup checklist: 1 passed, 0 failed"),
    mp.BURN_IN_REMAINING: _g((), "Evaluation rounds left in the monitor-only burn-in"),
    mp.UNIVERSE_CHANGES_TOTAL: _c(("change",), "Markets added, closing, retired live"),
    mp.UNIVERSE_MARKETS: _g(("state",), "Markets in the universe by state"),
    mp.SETTLEMENT_CHECKS_TOTAL: _c(("outcome",), "REST resolution checks by outcome"),
    mp.ARB_OPENED_TOTAL: _c(("kind",), "Arbitrage opportunities opened, by kind"),
    mp.ARB_CLOSED_TOTAL: _c(("kind",), "Arbitrage opportunities closed, by kind"),
    mp.ARB_CAPTURABLE_USD_TOTAL: _c(("kind",), "Net edge after fees of opened opportunities"),
    mp.ARB_DURATION_SECONDS: _h(("kind",), "Arbitrage opportunity lifetime (event time)"),
    mp.ARB_CROSS_VENUE_REJECTED_TOTAL: _c(
        ("venue", "reason"), "Cross-venue bodies refused at the boundary, by named reason"
    ),
    mp.ALERTS_TOTAL: _c(("kind", "outcome"), "Alert notifications by kind and outcome"),
}


def catalogue_names() -> frozenset[str]:
    """Every metric name the port declares (module-level `astra_*` string constants)."""
    return frozenset(
        value
        for key, value in vars(mp).items()
        if key.isupper() and isinstance(value, str) and value.startswith("astra_")
    )


class UnknownMetricError(KeyError):
    """A metric name (or operation) the catalogue does not declare."""


class PrometheusMetrics:
    """`MetricsSink` on a registry; thread-safe (prometheus_client locks each child)."""

    def __init__(self, registry: CollectorRegistry, version: str | None = None) -> None:
        # `_created` series double the series count and no rule or panel uses them.
        prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry
        self._counters: dict[str, Counter] = {}
        self._gauges: dict[str, Gauge] = {}
        self._histograms: dict[str, Histogram] = {}
        for name, spec in SPECS.items():
            if spec.kind == "counter":
                self._counters[name] = Counter(name, spec.help, spec.labels, registry=registry)
            elif spec.kind == "gauge":
                self._gauges[name] = Gauge(name, spec.help, spec.labels, registry=registry)
            else:
                self._histograms[name] = Histogram(
                    name, spec.help, spec.labels, registry=registry, buckets=LATENCY_BUCKETS
                )
        info_labels = {"version": version or astra_version(), "python": platform.python_version()}
        self.set(mp.BUILD_INFO, 1.0, info_labels)

    def inc(self, name: str, labels: Labels | None = None, amount: float = 1.0) -> None:
        _child(self._counters, name, "counter", labels).inc(amount)

    def set(self, name: str, value: float, labels: Labels | None = None) -> None:
        _child(self._gauges, name, "gauge", labels).set(value)

    def observe(self, name: str, value: float, labels: Labels | None = None) -> None:
        _child(self._histograms, name, "histogram", labels).observe(value)

    def declare(self, name: str, labels: Labels | None = None) -> None:
        _child(self._histograms, name, "histogram", labels)  # the child is the series


_M = TypeVar("_M", Counter, Gauge, Histogram)


def _child(family: dict[str, _M], name: str, kind: str, labels: Labels | None) -> _M:
    metric = family.get(name)
    if metric is None:
        spec = SPECS.get(name)
        what = f"a {spec.kind}, not a {kind}" if spec else "not in the catalogue"
        raise UnknownMetricError(f"metric {name!r} is {what}")
    expected = SPECS[name].labels
    given = dict(labels or {})
    if set(given) != set(expected):
        raise ValueError(f"metric {name!r} takes labels {expected}, got {sorted(given)}")
    return metric.labels(**given) if expected else metric


def astra_version() -> str:
    try:
        return metadata.version("astra")
    except metadata.PackageNotFoundError:
        return "unknown"


class MetricsServer(ServerThread):
    """A running /metrics endpoint; `close()` stops it and frees the port."""

    __slots__ = ()


def start_metrics_server(
    host: str = DEFAULT_HOST, port: int = 0, registry: CollectorRegistry | None = None
) -> MetricsServer:
    """Serve `registry` on http://host:port/metrics (port 0 picks a free one); raises OSError."""
    target = registry if registry is not None else prometheus_client.REGISTRY
    server, thread = prometheus_client.start_http_server(port, addr=host, registry=target)
    return MetricsServer(host=host, port=int(server.server_port), _server=server, _thread=thread)
