"""The alert notifier against a real loopback webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from astra.adapters.alerts import Alert, AlertNotifier, Severity
from astra.domain.metrics_port import ALERTS_TOTAL, CountingMetrics


@dataclass
class Receiver:
    status: int = 200
    delay_s: float = 0.0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if receiver.delay_s:
                receiver.release.wait(receiver.delay_s)
            receiver.bodies.append(body)
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook?token=secret-in-url"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _outcome(metrics: CountingMetrics, kind: str, outcome: str) -> float:
    return metrics.counter(ALERTS_TOTAL, {"kind": kind, "outcome": outcome})


def _wait_for(predicate: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


HALT = Alert("halt", Severity.CRITICAL, "Trading halted", "reason=daily_loss")


def test_alert_is_posted_as_json(receiver: Receiver) -> None:
    metrics = CountingMetrics()
    notifier = AlertNotifier(receiver.url, metrics)
    notifier.start()
    assert notifier.notify(HALT) is True
    notifier.close()
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["text"] == "[CRITICAL] *Trading halted*\nreason=daily_loss"
    assert (body["severity"], body["kind"]) == ("critical", "halt")
    assert str(body["ts"]).endswith("Z")
    assert _outcome(metrics, "halt", "sent") == 1


def test_rate_limited_per_kind(receiver: Receiver) -> None:
    metrics = CountingMetrics()
    clock = FakeClock()
    notifier = AlertNotifier(receiver.url, metrics, min_interval_s=300, clock=clock)
    notifier.start()
    resume = Alert("resume", Severity.INFO, "Resumed", "operator")
    assert notifier.notify(HALT) is True
    assert notifier.notify(HALT) is False
    assert notifier.notify(resume) is True
    clock.now += 299.9
    assert notifier.notify(HALT) is False
    clock.now += 0.1
    assert notifier.notify(HALT) is True
    notifier.close()
    assert [b["kind"] for b in receiver.bodies] == ["halt", "resume", "halt"]
    assert _outcome(metrics, "halt", "rate_limited") == 2
    assert _outcome(metrics, "halt", "sent") == 2


def test_a_stuck_webhook_never_blocks_and_overflow_is_counted(receiver: Receiver) -> None:
    receiver.delay_s = 10.0
    metrics = CountingMetrics()
    notifier = AlertNotifier(receiver.url, metrics, min_interval_s=0, queue_size=2)
    notifier.start()
    started = time.monotonic()
    results = [notifier.notify(Alert(f"k{i}", Severity.WARNING, "t", "m")) for i in range(6)]
    assert time.monotonic() - started < 0.5
    # One is in flight in the worker, two wait in the queue, the rest are dropped.
    dropped = sum(_outcome(metrics, f"k{i}", "dropped") for i in range(6))
    assert results.count(False) == dropped
    assert 3 <= dropped <= 4
    receiver.release.set()
    notifier.close()
    assert len(receiver.bodies) == 6 - dropped


def test_webhook_errors_are_counted_failures(receiver: Receiver) -> None:
    receiver.status = 500
    metrics = CountingMetrics()
    notifier = AlertNotifier(receiver.url, metrics)
    notifier.start()
    assert notifier.notify(HALT) is True
    _wait_for(lambda: _outcome(metrics, "halt", "failed") == 1)
    notifier.close()


def test_unreachable_webhook_is_a_failure_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    metrics = CountingMetrics()
    notifier = AlertNotifier("http://127.0.0.1:9/hook?token=secret-in-url", metrics, timeout_s=1)
    notifier.start()
    notifier.notify(HALT)
    _wait_for(lambda: _outcome(metrics, "halt", "failed") == 1)
    notifier.close()
    assert "secret-in-url" not in caplog.text


def test_without_a_webhook_alerts_are_logged_only(caplog: pytest.LogCaptureFixture) -> None:
    metrics = CountingMetrics()
    notifier = AlertNotifier("", metrics)
    notifier.start()
    with caplog.at_level("INFO", logger="astra.adapters.alerts"):
        assert notifier.notify(HALT) is True
    notifier.close()
    assert "ALERT [critical] Trading halted: reason=daily_loss" in caplog.text
    assert caplog.records[-1].levelname == "ERROR"
    assert _outcome(metrics, "halt", "logged") == 1
