"""Dead-letter accounting: every message an actor accepted and never handled is counted here.

The metric `DEAD_LETTERS_TOTAL{kind}` has only the actor kind as label (bounded cardinality);
`DeadLetterLog` keeps the finer tally by message class that the chaos suite needs to check
"sent = processed + dead-lettered + denied" per message kind.
"""

from __future__ import annotations

import threading
from collections import Counter

from astra.actors.runtime.runtime_messages import DeadLetters
from astra.domain.metrics_port import DEAD_LETTERS_TOTAL, MetricsSink


class DeadLetterLog:
    """Thread-safe tally of dead letters by (actor kind, message kind)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()
        self._refused_asks = 0

    def record(self, actor_kind: str, letters: DeadLetters) -> None:
        with self._lock:
            for message_kind, count in letters.by_kind:
                self._counts[actor_kind, message_kind] += count
            self._refused_asks += letters.refused_asks

    def total(self, message_kind: str | None = None, actor_kind: str | None = None) -> int:
        with self._lock:
            return sum(
                count
                for (a_kind, m_kind), count in self._counts.items()
                if (message_kind is None or m_kind == message_kind)
                and (actor_kind is None or a_kind == actor_kind)
            )

    @property
    def refused_asks(self) -> int:
        with self._lock:
            return self._refused_asks


def account(
    metrics: MetricsSink, log: DeadLetterLog | None, actor_kind: str, letters: DeadLetters
) -> None:
    """Count `letters` in the metric and, if given, the log. Nothing happens for zero."""
    if letters.total == 0:
        return
    metrics.inc(DEAD_LETTERS_TOTAL, {"kind": actor_kind}, float(letters.total))
    if log is not None:
        log.record(actor_kind, letters)
