"""Performance metrics as gauges, from the committed records the `MeteredJournal` sees.

It keeps what `performance_summary` reads (fills, resolutions, the risk producer's equity
records, and one decision per market whose owner changed) and recomputes on every equity
record of the cadence (`trigger` interval) and every settlement, not on every fill: the
gauges trail by at most one `[accounting] equity_interval_s`. `astra_performance` is set only
for a figure that can be computed; `astra_performance_samples` always (0 before any sample),
so an "insufficient" metric shows as its sample count without a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from astra.actors.settlements import resolution_from_record
from astra.app.performance_summary import METRICS, OVERALL, equity_of, performance_summary
from astra.domain import metrics_port as mp
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import MetricsSink

_RECOMPUTE = frozenset({"interval", "settlement"})


class PerformanceGauges:
    def __init__(self, metrics: MetricsSink, returns_interval_ms: int = 300_000) -> None:
        self._metrics = metrics
        self._interval = returns_interval_ms
        self._records: list[JournalRecord] = []
        self._owners: dict[str, str] = {}

    def observe(self, record: JournalRecord, data: Mapping[str, Any]) -> None:
        """`data`: the record's parsed payload (the caller has it already)."""
        if record.kind is RecordKind.DECISION and record.market:
            owner = str(data.get("strategy"))
            if self._owners.get(record.market) != owner:
                self._owners[record.market] = owner
                self._records.append(record)
        elif record.kind is RecordKind.FILL or resolution_from_record(record) is not None:
            self._records.append(record)
        elif equity_of(record) is not None:
            self._records.append(record)
            if data.get("trigger") in _RECOMPUTE:
                self.publish()

    def publish(self) -> None:
        summary = performance_summary(
            self._records, returns_interval_ms=self._interval, n_resamples=1
        )
        blocks = {OVERALL: summary[OVERALL], **summary["strategies"]}
        for strategy, block in blocks.items():
            for metric in METRICS:
                figure = block.get(metric) or {}
                labels = {"metric": metric, "strategy": strategy}
                self._metrics.set(mp.PERFORMANCE_SAMPLES, float(figure.get("n", 0)), labels)
                if "value" in figure:
                    self._metrics.set(mp.PERFORMANCE, float(figure["value"]), labels)
