"""The metrics port: actors and adapters report through it; the Prometheus exporter implements it.

Metric names are the catalogue below (`astra_` prefix, base units, `_total` for counters, no
per-market labels). `CountingMetrics` is the in-process implementation used by tests and the
chaos suite to check that every fault shows as a metric increment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

Labels = Mapping[str, str]


class MetricsSink(Protocol):
    def inc(self, name: str, labels: Labels | None = None, amount: float = 1.0) -> None: ...

    def set(self, name: str, value: float, labels: Labels | None = None) -> None: ...

    def observe(self, name: str, value: float, labels: Labels | None = None) -> None: ...

    def declare(self, name: str, labels: Labels | None = None) -> None:
        """Create a histogram's labelled series with no observation (count 0), so a query
        over something that has not happened yet answers zero instead of nothing."""
        ...


def _key(name: str, labels: Labels | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted((labels or {}).items()))


class CountingMetrics:
    """A real, thread-compatible (GIL-atomic dict updates) in-memory sink."""

    def __init__(self) -> None:
        self.counters: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self.gauges: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self.observations: dict[tuple[str, tuple[tuple[str, str], ...]], list[float]] = {}

    def inc(self, name: str, labels: Labels | None = None, amount: float = 1.0) -> None:
        key = _key(name, labels)
        self.counters[key] = self.counters.get(key, 0.0) + amount

    def set(self, name: str, value: float, labels: Labels | None = None) -> None:
        self.gauges[_key(name, labels)] = value

    def observe(self, name: str, value: float, labels: Labels | None = None) -> None:
        self.observations.setdefault(_key(name, labels), []).append(value)

    def declare(self, name: str, labels: Labels | None = None) -> None:
        self.observations.setdefault(_key(name, labels), [])

    def counter(self, name: str, labels: Labels | None = None) -> float:
        return self.counters.get(_key(name, labels), 0.0)

    def counter_sum(self, name: str) -> float:
        return sum(v for (n, _), v in self.counters.items() if n == name)


# The catalogue. Label sets are fixed and small (no market ids).
TRADING_STATE = "astra_trading_state"  # gauge, labels: state (1 for the current state)
HALTS_TOTAL = "astra_halts_total"  # counter, labels: reason
RESUMES_TOTAL = "astra_resumes_total"  # counter
ACTORS = "astra_actors"  # gauge, labels: kind, state
ACTOR_RESTARTS_TOTAL = "astra_actor_restarts_total"  # counter, labels: kind
ACTOR_FAILURES_TOTAL = "astra_actor_failures_total"  # counter, labels: kind, reason
ESCALATIONS_TOTAL = "astra_supervisor_escalations_total"  # counter, labels: supervisor
MAILBOX_DEPTH = "astra_mailbox_depth_messages"  # gauge, labels: kind (max over actors)
DEAD_LETTERS_TOTAL = "astra_dead_letters_total"  # counter, labels: kind
HANDLE_SECONDS = "astra_message_handling_seconds"  # histogram, labels: kind
EVENT_TO_DECISION_SECONDS = "astra_event_to_decision_seconds"  # histogram
BOOK_AGE_SECONDS = "astra_book_age_seconds"  # gauge (max over markets)
FEED_RECONNECTS_TOTAL = "astra_feed_reconnects_total"  # counter, labels: feed
FEED_SILENCES_TOTAL = "astra_feed_silences_total"  # counter, labels: feed
MARKET_LAG_SECONDS = "astra_market_lag_seconds"  # histogram: feed event receipt to handling
FEED_CONFLATED_TOTAL = "astra_feed_conflated_total"  # counter: events merged into a queued one
MAILBOX_OVERFLOWS_TOTAL = "astra_mailbox_overflows_total"  # counter: events refused (overload)
BOOK_CHECKS_TOTAL = "astra_book_checks_total"  # counter, labels: outcome
BOOK_MISMATCHES_TOTAL = "astra_book_mismatches_total"  # counter (tokens resynced)
FEED_REJECTED_FRAMES_TOTAL = "astra_feed_rejected_frames_total"  # counter, labels: reason
FEED_EVENTS_TOTAL = "astra_feed_events_total"  # counter, labels: type
ORDERS_TOTAL = "astra_orders_total"  # counter, labels: outcome, reason
FILLS_TOTAL = "astra_fills_total"  # counter, labels: liquidity
FILLED_SHARES_TOTAL = "astra_filled_shares_total"  # counter
# Fill markouts (the fill marked at the mid later): counted by horizon and outcome
# (adverse, favourable, flat, unknown), and the adverse ones summed in USD, by horizon.
FILL_MARKOUTS_TOTAL = "astra_fill_markouts_total"  # counter, labels: horizon, outcome
FILL_MARKOUT_ADVERSE_USD_TOTAL = "astra_fill_markout_adverse_usd_total"  # counter, labels: horizon
DECISIONS_TOTAL = "astra_decisions_total"  # counter, labels: action, gate
# counter, labels: strategy, reason (no_forecast, forecast_stale, no_prior)
MODEL_DATA_VETOES_TOTAL = "astra_model_data_vetoes_total"
# counter, labels: source (nws, fred), reason (ModelSourceVeto: no_key, bad_shape, ...)
MODEL_SOURCE_VETOES_TOTAL = "astra_model_source_vetoes_total"
EQUITY = "astra_equity_usd"  # gauge
EXPOSURE = "astra_exposure_usd"  # gauge
REALIZED_PNL = "astra_realized_pnl_usd"  # gauge
# From the marked-equity records (docs/accounting.md).
UNREALIZED_PNL = "astra_unrealized_pnl_usd"  # gauge
DRAWDOWN = "astra_drawdown_ratio"  # gauge: (peak - equity) / peak, marked
DAILY_PNL = "astra_daily_pnl_usd"  # gauge: marked equity - the day's start equity
PERFORMANCE = "astra_performance"  # gauge, labels: metric, strategy (only when computable)
PERFORMANCE_SAMPLES = "astra_performance_samples"  # gauge, labels: metric, strategy
JOURNAL_LAG_SECONDS = "astra_journal_lag_seconds"  # gauge
JOURNAL_RECORDS_TOTAL = "astra_journal_records_total"  # counter, labels: kind
JOURNAL_WRITE_ERRORS_TOTAL = "astra_journal_write_errors_total"  # counter
HEARTBEAT_TIMESTAMP = "astra_heartbeat_timestamp_seconds"  # gauge
MARKETS = "astra_markets"  # gauge, labels: state
CONTRACTS = "astra_contracts"  # gauge: markets with a definition contract, labels: source
CONTRACTS_MISSING = "astra_contracts_missing"  # gauge: markets skipped, labels: reason
MERGED_SHARES = "astra_merged_shares"  # gauge: YES+NO pairs merged into collateral, cumulative
HTTP_REQUESTS_TOTAL = "astra_http_requests_total"  # counter, labels: service, outcome
DISCOVERY_REJECTED_MARKETS_TOTAL = "astra_discovery_rejected_markets_total"  # labels: reason
DISCOVERY_VETOES_TOTAL = "astra_discovery_vetoes_total"  # counter, labels: reason
# Operator surface: build info, startup checklist, burn-in, alert notifier.
BUILD_INFO = "astra_build_info"  # gauge = 1, labels: version, python
STARTUP_CHECK_PASSED = "astra_startup_check_passed"  # gauge, labels: check (1 pass, 0 fail)
BURN_IN_REMAINING = "astra_burn_in_remaining_rounds"  # gauge
# Arbitrage measurement (EventActors, issue 17): logging only, never trading.
ARB_OPENED_TOTAL = "astra_arb_opportunities_opened_total"  # counter, labels: kind
ARB_CLOSED_TOTAL = "astra_arb_opportunities_closed_total"  # counter, labels: kind
ARB_CAPTURABLE_USD_TOTAL = "astra_arb_capturable_usd_total"  # counter: net edge at open, kind
ARB_DURATION_SECONDS = "astra_arb_duration_seconds"  # histogram (event time), labels: kind
# Cross-venue bodies refused at the boundary (Kalshi orderbook, Gamma lookup), labels: venue, reason
ARB_CROSS_VENUE_REJECTED_TOTAL = "astra_arb_cross_venue_rejected_total"
ALERTS_TOTAL = "astra_alerts_total"  # counter, labels: kind, outcome (sent|rate_limited|...)
# The living universe and REST settlement (docs/settlement.md).
UNIVERSE_CHANGES_TOTAL = "astra_universe_changes_total"  # counter, labels: change
UNIVERSE_MARKETS = "astra_universe_markets"  # gauge, labels: state (live|burn_in|closing)
SETTLEMENT_CHECKS_TOTAL = "astra_settlement_checks_total"  # counter, labels: outcome
