"""Alert notifier: log every alert, and POST it to a webhook without ever blocking the caller.

`notify` runs on the trading path, so it does only cheap work there: a per-kind rate-limit check
and a non-blocking put on a bounded queue. A worker thread does the HTTP POST. When the queue is
full the alert is dropped and counted, never waited for. Every outcome is a metric
(`astra_alerts_total{kind,outcome}`: sent, rate_limited, dropped, failed, logged) and failures
are logged as warnings; the webhook URL (which often embeds a credential) is never logged.

Alert kinds are a small fixed vocabulary chosen by the caller (e.g. "halt", "resume",
"escalation", "startup"), since they are a metric label.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from astra.domain.metrics_port import ALERTS_TOTAL, MetricsSink

log = logging.getLogger(__name__)


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


_LEVELS = {Severity.CRITICAL: logging.ERROR, Severity.WARNING: logging.WARNING}


class Outcome(enum.StrEnum):
    SENT = "sent"
    RATE_LIMITED = "rate_limited"
    DROPPED = "dropped"
    FAILED = "failed"
    LOGGED = "logged"  # no webhook configured: the log line is the notification


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    severity: Severity
    title: str
    message: str

    def payload(self) -> dict[str, Any]:
        return {
            "text": f"[{self.severity.value.upper()}] *{self.title}*\n{self.message}",
            "severity": self.severity.value,
            "kind": self.kind,
            "title": self.title,
            "message": self.message,
            "ts": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }


class AlertNotifier:
    """Rate-limited, queued webhook notifier. `start()` before use, `close()` at shutdown."""

    def __init__(
        self,
        webhook_url: str,
        metrics: MetricsSink,
        min_interval_s: float = 300.0,
        queue_size: int = 100,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = webhook_url
        self._metrics = metrics
        self._min_interval_s = min_interval_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._queue: queue.Queue[Alert | None] = queue.Queue(maxsize=queue_size)
        self._last_sent: dict[str, float] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._url and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="astra-alerts", daemon=True)
            self._thread.start()

    def notify(self, alert: Alert) -> bool:
        """Log the alert and queue it for the webhook; False if rate-limited or dropped."""
        if not self._admit(alert.kind):
            self._count(alert, Outcome.RATE_LIMITED)
            return False
        level = _LEVELS.get(alert.severity, logging.INFO)
        log.log(level, "ALERT [%s] %s: %s", alert.severity.value, alert.title, alert.message)
        if not self._url:
            self._count(alert, Outcome.LOGGED)
            return True
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            log.warning("alert dropped: the webhook queue is full", extra={"kind": alert.kind})
            self._count(alert, Outcome.DROPPED)
            return False
        return True

    def close(self, timeout_s: float = 5.0) -> None:
        """Deliver what is queued (within `timeout_s`), then stop the worker."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            self._queue.put(None, timeout=timeout_s)
        except queue.Full:
            log.warning("alert worker did not drain its queue before shutdown")
        thread.join(timeout=timeout_s)

    def _admit(self, kind: str) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last_sent.get(kind)
            if last is not None and now - last < self._min_interval_s:
                return False
            self._last_sent[kind] = now
            return True

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout_s, trust_env=False) as client:
            while (alert := self._queue.get()) is not None:
                self._count(alert, self._post(client, alert))

    def _post(self, client: httpx.Client, alert: Alert) -> Outcome:
        try:
            response = client.post(self._url, json=alert.payload())
        except httpx.HTTPError as exc:
            log.warning("alert webhook failed: %s", type(exc).__name__, extra={"kind": alert.kind})
            return Outcome.FAILED
        if response.status_code >= 300:
            log.warning(
                "alert webhook answered HTTP %d", response.status_code, extra={"kind": alert.kind}
            )
            return Outcome.FAILED
        return Outcome.SENT

    def _count(self, alert: Alert, outcome: Outcome) -> None:
        self._metrics.inc(ALERTS_TOTAL, {"kind": alert.kind, "outcome": outcome.value})
