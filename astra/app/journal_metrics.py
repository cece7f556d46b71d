"""Trading metrics derived from the journal, and the zero series every run exports.

`MeteredJournal` wraps the engine's journal: after a batch commits it publishes what the
records say — decisions by action and gate, order events by outcome and reason, fills by
liquidity and filled shares, equity/exposure/realised/unrealised P&L, drawdown and daily P&L
from the marked-equity records (at cost from a ledger record without marks), and the
performance gauges (`PerformanceGauges`). The journal is the single source of truth, so the
metrics can never disagree with it; a resent record (same producer and seq) is counted once.

`zero_series` gives every catalogue counter whose events may not happen in a run (restarts,
reconnects, HTTP, discovery, alerts) its label set at 0, and the actor tree's shape, so every
dashboard query has a series from the first scrape instead of "no data".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from astra.actors.ports import JournalPort, StoredRecordLike
from astra.actors.runtime.runtime_messages import DeathCause
from astra.app.arb_summary import is_arb_record
from astra.app.performance_gauges import PerformanceGauges
from astra.app.performance_summary import METRICS, OVERALL
from astra.domain import metrics_port as mp
from astra.domain.arbitrage import ArbKind
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import MetricsSink
from astra.domain.reasons import GateVeto, VenueVeto

_MICROS = 1_000_000
ACTOR_KINDS = ("market", "risk", "telemetry")
FEEDS = ("market", "spot")
SERVICES = ("gamma", "clob")


class MeteredJournal:
    """A `JournalPort` that publishes the committed records' trading metrics."""

    def __init__(
        self, inner: JournalPort, metrics: MetricsSink, returns_interval_ms: int = 300_000
    ) -> None:
        self._inner = inner
        self._metrics = metrics
        self._counted: dict[str, int] = {}
        self._performance = PerformanceGauges(metrics, returns_interval_ms)

    def write_batch(self, records: Sequence[JournalRecord]) -> None:
        self._inner.write_batch(records)
        for record in records:
            if record.seq <= self._counted.get(record.producer, 0):
                continue
            self._counted[record.producer] = record.seq
            data = record.data()
            publish_record(self._metrics, record, data)
            self._performance.observe(record, data)

    def max_seq(self, producer: str) -> int:
        return self._inner.max_seq(producer)

    def producer_records(self, producer: str, after_seq: int = 0) -> list[JournalRecord]:
        return self._inner.producer_records(producer, after_seq)

    def market_recovery_records(self, producer: str) -> list[JournalRecord]:
        return self._inner.market_recovery_records(producer)

    def last_order_events(self, producer: str) -> list[JournalRecord]:
        return self._inner.last_order_events(producer)

    def records_since(
        self,
        after_id: int = 0,
        kinds: Sequence[RecordKind] | None = None,
        limit: int | None = None,
    ) -> Sequence[StoredRecordLike]:
        return self._inner.records_since(after_id, kinds, limit)


def publish_record(
    metrics: MetricsSink, record: JournalRecord, data: dict[str, Any] | None = None
) -> None:
    """`data`: the record's payload when the caller has parsed it already."""
    data = record.data() if data is None else data
    if is_arb_record(record):
        return  # an EventActor's log, counted by the EventActor itself (astra_arb_*)
    if record.kind is RecordKind.DECISION:
        labels = {"action": str(data.get("action", "unknown")), "gate": decision_gate(data)}
        metrics.inc(mp.DECISIONS_TOTAL, labels)
        veto = data.get("veto")
        if veto in MODEL_DATA_VETOES:
            model = {"strategy": str(data.get("strategy")), "reason": str(veto)}
            metrics.inc(mp.MODEL_DATA_VETOES_TOTAL, model)
    elif record.kind is RecordKind.ORDER_EVENT:
        state = str(data.get("state", "unknown"))
        outcome = "submitted" if state == "pending_new" else state
        metrics.inc(mp.ORDERS_TOTAL, {"outcome": outcome, "reason": str(data.get("reason"))})
    elif record.kind is RecordKind.FILL:
        metrics.inc(mp.FILLS_TOTAL, {"liquidity": str(data.get("liquidity", "unknown"))})
        metrics.inc(mp.FILLED_SHARES_TOTAL, amount=int(data.get("size", 0)) / _MICROS)
    elif record.kind is RecordKind.LEDGER:
        _publish_ledger(metrics, data)
    elif record.kind is RecordKind.MARKOUT:
        _publish_markout(metrics, data)


# The weather/rates strategies' data vetoes, counted by name (a stale NWS or prior feed
# shows on the dashboard before anyone reads the decisions).
MODEL_DATA_VETOES = frozenset(
    {GateVeto.NO_FORECAST.value, GateVeto.FORECAST_STALE.value, GateVeto.NO_PRIOR.value}
)


def decision_gate(data: dict[str, Any]) -> str:
    """The gate that said no (definition, then the strategy's gates), else the strategy's own
    veto ("strategy"), else "none" for a decision that passed everything."""
    for verdict in [data.get("definition"), *data.get("gates", [])]:
        if isinstance(verdict, dict) and verdict.get("passed") is False:
            return str(verdict.get("gate", "unknown"))
    return "strategy" if data.get("veto") else "none"


def _publish_ledger(metrics: MetricsSink, data: dict[str, Any]) -> None:
    positions = data.get("positions") or {}
    cash = int(data.get("cash", 0))
    metrics.set(mp.REALIZED_PNL, _usd(int(data.get("realised", 0))))
    merged = data.get("merged") or {}
    pairs = sum(int(n) for n in merged.values()) if isinstance(merged, dict) else 0
    metrics.set(mp.MERGED_SHARES, pairs / _MICROS)
    risk = data.get("risk")
    if isinstance(data.get("equity"), int) and isinstance(risk, dict):
        equity, peak = int(data["equity"]), int(risk.get("peak_equity", 0))
        metrics.set(mp.EXPOSURE, _usd(int(data.get("marked_value", 0))))
        metrics.set(mp.EQUITY, _usd(equity))
        metrics.set(mp.UNREALIZED_PNL, _usd(int(data.get("unrealised", 0))))
        metrics.set(mp.DAILY_PNL, _usd(int(risk.get("daily_pnl", 0))))
        metrics.set(mp.DRAWDOWN, max(0.0, (peak - equity) / peak) if peak > 0 else 1.0)
        return
    exposure = sum(int(p.get("cost", 0)) for p in positions.values() if isinstance(p, dict))
    metrics.set(mp.EXPOSURE, _usd(exposure))
    metrics.set(mp.EQUITY, _usd(cash + exposure))


def _publish_markout(metrics: MetricsSink, data: dict[str, Any]) -> None:
    horizon = f"{int(data.get('horizon_ms', 0)) // 1000}s"
    value = data.get("markout")
    if not isinstance(value, int):
        outcome = "unknown"
    else:
        outcome = "adverse" if value < 0 else "favourable" if value > 0 else "flat"
    metrics.inc(mp.FILL_MARKOUTS_TOTAL, {"horizon": horizon, "outcome": outcome})
    if isinstance(value, int) and value < 0:
        metrics.inc(mp.FILL_MARKOUT_ADVERSE_USD_TOTAL, {"horizon": horizon}, _usd(-value))


def _usd(micros: int) -> float:
    return float(Decimal(micros) / _MICROS)


def zero_series(metrics: MetricsSink, markets: int) -> None:
    """Label sets at 0 for events that may not happen in this run; the tree's shape."""
    for kind in ACTOR_KINDS:
        metrics.inc(mp.ACTOR_RESTARTS_TOTAL, {"kind": kind}, 0.0)
        metrics.inc(mp.DEAD_LETTERS_TOTAL, {"kind": kind}, 0.0)
        metrics.inc(mp.ACTOR_FAILURES_TOTAL, {"kind": kind, "reason": DeathCause.STOPPED}, 0.0)
        metrics.set(mp.MAILBOX_DEPTH, 0.0, {"kind": kind})
        count = markets if kind == "market" else 1
        metrics.set(mp.ACTORS, float(count), {"kind": kind, "state": "running"})
    metrics.inc(mp.ESCALATIONS_TOTAL, {"supervisor": "root"}, 0.0)
    for feed in FEEDS:
        metrics.inc(mp.FEED_RECONNECTS_TOTAL, {"feed": feed}, 0.0)
    metrics.inc(mp.FEED_REJECTED_FRAMES_TOTAL, {"reason": VenueVeto.INVALID_BODY}, 0.0)
    for service in SERVICES:
        metrics.inc(mp.HTTP_REQUESTS_TOTAL, {"service": service, "outcome": "ok"}, 0.0)
    metrics.inc(mp.DISCOVERY_REJECTED_MARKETS_TOTAL, {"reason": VenueVeto.NO_ORDERBOOK}, 0.0)
    metrics.inc(mp.DISCOVERY_VETOES_TOTAL, {"reason": VenueVeto.HTTP_STATUS}, 0.0)
    metrics.inc(mp.ALERTS_TOTAL, {"kind": "halt", "outcome": "sent"}, 0.0)
    metrics.set(mp.MARKETS, float(markets), {"state": "active"})
    for metric in METRICS:
        metrics.set(mp.PERFORMANCE_SAMPLES, 0.0, {"metric": metric, "strategy": OVERALL})
    metrics.inc(mp.UNIVERSE_CHANGES_TOTAL, {"change": "market_added"}, 0.0)
    metrics.inc(mp.SETTLEMENT_CHECKS_TOTAL, {"outcome": "resolution_ambiguous"}, 0.0)
    metrics.set(mp.UNIVERSE_MARKETS, float(markets), {"state": "live"})
    for arb in ArbKind:  # most runs find no arbitrage at all: zero, not "no data"
        for counter in (mp.ARB_OPENED_TOTAL, mp.ARB_CLOSED_TOTAL, mp.ARB_CAPTURABLE_USD_TOTAL):
            metrics.inc(counter, {"kind": arb.value}, 0.0)
        metrics.declare(mp.ARB_DURATION_SECONDS, {"kind": arb.value})
    # One reason each venue's boundary really emits (Kalshi's body check, Gamma's mapper).
    for venue, reason in (("kalshi", "invalid_shape"), ("polymarket", "missing_field")):
        labels = {"venue": venue, "reason": reason}
        metrics.inc(mp.ARB_CROSS_VENUE_REJECTED_TOTAL, labels, 0.0)
