"""Performance metrics as gauges, from the committed records the `MeteredJournal` sees.

It feeds every committed record to a running `Collector` (equity points, trades and
forecasts per strategy, built incrementally: a long run never replays its history) and
recomputes the metrics on every equity record of the cadence (`trigger` interval) and every
settlement, not on every fill: the gauges trail by at most one `[accounting]
equity_interval_s`. `astra_performance` is set only
for a figure that can be computed; `astra_performance_samples` always (0 before any sample),
so an "insufficient" metric shows as its sample count without a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from astra.app.performance_summary import METRICS, OVERALL, Collector, summarise
from astra.domain import metrics_port as mp
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import MetricsSink

_RECOMPUTE = frozenset({"interval", "settlement"})


class PerformanceGauges:
    def __init__(self, metrics: MetricsSink, returns_interval_ms: int = 300_000) -> None:
        self._metrics = metrics
        self._interval = returns_interval_ms
        self._collector = Collector()

    def observe(self, record: JournalRecord, data: Mapping[str, Any]) -> None:
        """`data`: the record's parsed payload (the caller has it already)."""
        self._collector.add(record, data)
        if record.kind is RecordKind.LEDGER and data.get("trigger") in _RECOMPUTE:
            self.publish()

    def publish(self) -> None:
        summary = summarise(self._collector.inputs(), self._interval, n_resamples=1)
        blocks = {OVERALL: summary[OVERALL], **summary["strategies"]}
        for strategy, block in blocks.items():
            for metric in METRICS:
                figure = block.get(metric) or {}
                labels = {"metric": metric, "strategy": strategy}
                self._metrics.set(mp.PERFORMANCE_SAMPLES, float(figure.get("n", 0)), labels)
                if "value" in figure:
                    self._metrics.set(mp.PERFORMANCE, float(figure["value"]), labels)
