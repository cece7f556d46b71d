"""Issue 8's operator surface of `astra paper`: the startup checklist, monitor-only burn-in,
alerts to a webhook, the heartbeat, `/readyz` and the halt/resume log lines — against the
loopback venue and a loopback webhook receiver."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from astra.actors.halt_protocol import HaltEntry
from astra.actors.messages import FlushResult, RiskStatus
from astra.adapters.alerts import Alert, AlertNotifier
from astra.adapters.logging_setup import Redactor
from astra.app.burn_in_gate import BurnInGate, monitored
from astra.app.operator_monitor import OperatorMonitor
from astra.cli.paper import _register_secrets
from astra.domain.metrics_port import HEARTBEAT_TIMESTAMP, CountingMetrics
from astra.domain.reasons import GateVeto
from astra.domain.strategies import DecisionAction, MarketView, StrategyDecision
from astra.domain.strategies.guards import market_blocker
from astra.domain.strategies.simple_quoter import SimpleQuoter, SimpleQuoterConfig
from astra.settings import load_settings
from tests.app.live_venue import ASTRA, Venue, free_port, live_venue
from tests.app.test_paper_cli import control, wait_for
from tests.domain.test_simple_quoter import INFO, view

EXPECTED_CHECKS = {
    "config_valid", "gamma_reachable", "clock_skew", "data_dir_writable", "disk_space",
    "journal_ready", "journal_check", "metrics_port", "control_port", "ws_first_books",
    "books_fresh", "spot_fresh", "risk_actor_alive", "telemetry_actor_alive",
    "actors_healthy", "no_durable_halt",
}  # fmt: skip


# -- the burn-in gate as the markets' strategies see it ------------------------------------


class HaltAware:
    """The SimpleQuoter's quotes, behind the shared withdraw guard (as the maker does)."""

    name = "halt_aware"

    def __init__(self) -> None:
        self._quoter = SimpleQuoter(SimpleQuoterConfig(ticks_behind=2, size=1_000_000))

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        blocker = market_blocker(view)
        if blocker is not None:
            return StrategyDecision(self.name, DecisionAction.SKIP, veto=blocker[0])
        return self._quoter.evaluate(view, now_ms)


def _strategy(gate: BurnInGate) -> Any:
    quoter = HaltAware()
    return monitored(lambda _info, _contract: quoter, gate)(INFO, None)


def test_burn_in_records_what_the_strategy_wanted_as_skip_burn_in() -> None:
    gate = BurnInGate(2)
    decision = _strategy(gate).evaluate(view(halted=True), 1000)
    assert decision.action is DecisionAction.SKIP
    assert decision.veto is GateVeto.BURN_IN
    assert decision.targets == ()
    assert "2 round(s) left; strategy wanted 2 quote(s)" in decision.detail


def test_another_halt_ends_monitoring_and_decisions_say_halted() -> None:
    gate = BurnInGate(2)
    gate.end_monitoring()
    decision = _strategy(gate).evaluate(view(halted=True), 1000)
    assert decision.veto is GateVeto.HALTED
    assert gate.to_dict()["monitoring"] is False


def test_after_the_rounds_the_strategy_is_unchanged() -> None:
    gate = BurnInGate(2)
    gate.after_round(healthy=True)
    gate.after_round(healthy=False)  # restarts the count
    assert gate.state.remaining == 2
    assert gate.state.failures == 1
    gate.after_round(healthy=True)
    gate.after_round(healthy=True)
    assert not gate.monitoring
    assert _strategy(gate).evaluate(view(), 1000).action is DecisionAction.QUOTE
    halted = _strategy(gate).evaluate(view(halted=True), 1000)
    assert halted.veto is GateVeto.HALTED  # no more burn-in: the halt speaks for itself


def test_burn_in_exhausts_after_max_failures() -> None:
    gate = BurnInGate(3, max_failures=2)
    gate.after_round(healthy=False)
    assert not gate.state.exhausted
    assert gate.after_round(healthy=False).exhausted


# -- astra paper end to end -----------------------------------------------------------------


class Webhook:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def kinds(self) -> list[str]:
        return [str(b["kind"]) for b in self.bodies]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


def _env(venue: Venue, data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = venue.env(data_dir, port)
    env.update(extra)
    return env


def _metric(text: str, name: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line.startswith(name):
            key, _, value = line.rpartition(" ")
            values[key] = float(value)
    return values


def _burn_in_status(data_dir: Path, port: int) -> dict[str, Any]:
    """The first `/status` answer (straight over HTTP: the CLI is slower than a burn-in)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        token = data_dir / "control.token"
        try:
            headers = {"Authorization": f"Bearer {token.read_text().strip()}"}
            answer = httpx.get(f"http://127.0.0.1:{port}/status", headers=headers)
        except (OSError, httpx.HTTPError):
            time.sleep(0.05)
            continue
        if answer.status_code == 200:
            body: dict[str, Any] = answer.json()
            return body
        time.sleep(0.05)
    raise AssertionError("no /status answer")


def _scrape(port: int) -> str:
    return httpx.get(f"http://127.0.0.1:{port}/metrics").text


def _until(predicate: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_paper_checklist_burn_in_alerts_heartbeat_and_readiness(
    tmp_path: Path, webhook: Webhook
) -> None:
    port, metrics_port = free_port(), free_port()
    with live_venue() as venue:
        env = _env(
            venue, tmp_path, port,
            ASTRA_METRICS__PORT=str(metrics_port), ASTRA_RUN__BURN_IN_ROUNDS="3",
            ASTRA_ALERTS__WEBHOOK_URL=webhook.url, ASTRA_ALERTS__MIN_INTERVAL_S="60",
        )  # fmt: skip
        proc = subprocess.Popen(
            [*ASTRA, "paper", "--strategy", "simple_quoter", "--max-runtime", "60",
             "--json-summary"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            during = _burn_in_status(tmp_path, port)
            status = wait_for(venue, tmp_path, port, "trading_opened", True)
            scrape = _scrape(metrics_port)
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz")
            assert control(venue, tmp_path, port, "halt", "--reason", "hook-test")["ok"]
            _until(lambda: "halt" in webhook.kinds())
            halted = httpx.get(f"http://127.0.0.1:{port}/readyz")
            assert control(venue, tmp_path, port, "resume")["ok"] is True
            wait_for(venue, tmp_path, port, "state", "active")
            _until(lambda: "rate_limited" in _scrape(metrics_port))
            final = _scrape(metrics_port)
            proc.terminate()  # SIGTERM: the orderly stop
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 0, err
    # 1. the checklist, in status and in metrics, every check passed
    checklist = status["startup_checks"]
    assert checklist["ok"] is True
    assert {c["name"] for c in checklist["checks"]} == EXPECTED_CHECKS
    assert all(c["passed"] for c in checklist["checks"]), checklist
    assert "settings_hash=" in _detail(checklist, "config_valid")
    assert "6 of 6 tokens" in _detail(checklist, "ws_first_books")
    passed = _metric(scrape, "astra_startup_check_passed")
    assert len(passed) == len(EXPECTED_CHECKS)
    assert set(passed.values()) == {1.0}
    # 2. burn-in: visible in status and metrics, and decisions recorded as burn_in vetoes
    assert during["burn_in"]["rounds"] == 3
    assert during["trading_opened"] is False
    assert during["burn_in"]["remaining"] > 0
    assert status["burn_in"] == {
        "active": False, "remaining": 0, "failures": 0, "exhausted": False, "rounds": 3,
        "monitoring": False,
    }  # fmt: skip
    assert _metric(scrape, "astra_burn_in_remaining_rounds") == {
        "astra_burn_in_remaining_rounds": 0.0
    }
    summary = json.loads(out)
    vetoes = summary["strategies"]["simple_quoter"]["vetoes"]["strategy"]
    assert vetoes.get("burn_in", 0) > 0, vetoes
    assert summary["fills"] > 0  # and after the burn-in it traded
    # 3. one webhook POST for the operator halt; of the two resumes (after the burn-in, then
    # the operator's) the second is within the per-kind interval: rate limited, not posted
    assert webhook.kinds().count("halt") == 1
    assert webhook.kinds().count("resume") == 1
    alerts = _metric(final, "astra_alerts_total")
    assert alerts['astra_alerts_total{kind="resume",outcome="sent"}'] == 1.0
    assert alerts['astra_alerts_total{kind="resume",outcome="rate_limited"}'] == 1.0
    assert alerts['astra_alerts_total{kind="halt",outcome="sent"}'] == 1.0
    halt = next(b for b in webhook.bodies if b["kind"] == "halt")
    assert "operator" in halt["message"]
    assert summary["run_id"] in halt["message"]
    assert halt["severity"] == "critical"
    # 4. the heartbeat is wall-clock seconds, readiness names its inputs
    (beat,) = _metric(scrape, "astra_heartbeat_timestamp_seconds").values()
    assert abs(beat - time.time()) < 30
    # the stalest book's age is published (set each second; 0 would be the unset default)
    (age,) = _metric(scrape, "astra_book_age_seconds").values()
    assert 0 < age < 30
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "risk_actor_alive": True, "actors_healthy": True, "feeds_fresh": True,
        "journal_writable": True,
    }  # fmt: skip
    assert halted.status_code == 200
    assert halted.json()["state"] == "halted"
    # 5. one log line per halt and resume with the run id and the actor kind
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    events = [(r.get("event"), r["actor"], r["run_id"]) for r in lines if r.get("event")]
    assert events.count(("halt", "risk", summary["run_id"])) == 1
    assert events.count(("resume", "risk", summary["run_id"])) == 2


def _detail(checklist: dict[str, Any], name: str) -> str:
    return str(next(c["detail"] for c in checklist["checks"] if c["name"] == name))


def test_a_failing_hard_check_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    with live_venue() as venue, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        env = _env(venue, tmp_path, port, ASTRA_LOGGING__LEVEL="CRITICAL")
        started = time.monotonic()
        done = subprocess.run(
            [*ASTRA, "paper", "--strategy", "simple_quoter"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("astra paper: startup checks failed: control_port: cannot bind")
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 15


def test_books_that_never_arrive_fail_the_start_within_the_timeout(tmp_path: Path) -> None:
    with live_venue() as venue:
        venue.ws.truth.clear()  # the WebSocket answers the subscription with no `book`
        env = _env(
            venue, tmp_path, free_port(), ASTRA_LOGGING__LEVEL="CRITICAL",
            ASTRA_RUN__STARTUP_TIMEOUT_S="2",
        )  # fmt: skip
        done = subprocess.run(
            [*ASTRA, "paper", "--strategy", "simple_quoter"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "ws_first_books: 0 of 6 tokens have a book" in line
    assert "Traceback" not in done.stderr


# -- the operator monitor's lines and alerts, on a scripted engine --------------------------


class FakeEngine:
    def __init__(self) -> None:
        self.metrics = CountingMetrics()
        self.status: RiskStatus | None = RiskStatus("halted", "startup", 1, "d", 0)
        self.entries: list[HaltEntry] = []
        self.flush_ok = True
        self.escalated = False

    def risk_status(self, timeout_s: float = 2.0) -> RiskStatus | None:
        return self.status

    def halt_entries(self) -> list[HaltEntry]:
        return list(self.entries)

    def flush(self, timeout_s: float = 5.0) -> FlushResult:
        return FlushResult(self.flush_ok, 0, 0)


class FakeRuntime:
    run_id = "run-1"

    def __init__(self) -> None:
        self.engine = FakeEngine()
        self.reasons = ["startup"]

    def halt_reasons(self) -> list[str]:
        return list(self.reasons)


def test_the_monitor_logs_and_alerts_each_change_once(caplog: pytest.LogCaptureFixture) -> None:
    runtime = FakeRuntime()
    sent: list[Alert] = []
    notifier = AlertNotifier("", CountingMetrics())
    notifier.notify = sent.append  # type: ignore[method-assign,assignment]
    links = [2, 2]
    gate = BurnInGate(3)
    monitor = OperatorMonitor(runtime, notifier, gate, lambda: (links[0], links[1]))  # type: ignore[arg-type]
    caplog.set_level(logging.INFO, logger="astra.app.operator")
    monitor.tick()  # baseline: the startup halt is no alert
    assert sent == []
    assert gate.monitoring
    engine = runtime.engine
    engine.status = RiskStatus("active", None, 1, "d", 0)
    monitor.tick()
    engine.status, runtime.reasons = RiskStatus("halted", "operator", 7, "d", 0), ["operator"]
    engine.entries.append(HaltEntry("market:0xabc", "market", 2, "boom", 7, True, 0, 0.0, 0.0))
    links[0] = 1
    engine.flush_ok = False
    engine.escalated = True
    monitor.tick()
    monitor.tick()  # nothing new: nothing repeated
    assert [a.kind for a in sent] == [
        "resume", "halt", "actor_failure", "feed_disconnect", "journal", "escalation",
    ]  # fmt: skip
    assert all("run-1" in a.message for a in sent)
    assert not gate.monitoring  # an operator halt: decisions say `halted` again
    assert not monitor.journal_writable
    assert engine.metrics.gauges[(HEARTBEAT_TIMESTAMP, ())] == pytest.approx(time.time(), abs=5)
    events = {r.__dict__.get("event"): r for r in caplog.records}
    assert set(events) == {
        "resume", "halt", "restart", "feed_disconnect", "journal_unavailable", "escalation",
    }  # fmt: skip
    assert events["restart"].__dict__["actor"] == "market"
    assert events["restart"].__dict__["market"] == "0xabc"
    assert events["halt"].__dict__["actor"] == "risk"
    assert len([r for r in caplog.records if r.__dict__.get("event") == "halt"]) == 1


def test_paper_registers_its_secrets_with_the_log_redactor(tmp_path: Path) -> None:
    """The control token and the webhook URL are redacted from every log line."""
    settings = load_settings(
        overrides={
            "data": {"dir": str(tmp_path)},
            "alerts": {"webhook_url": "http://127.0.0.1:1/hook?key=s3cret-value"},
        }
    )
    redactor = Redactor()
    _register_secrets(redactor, settings)
    token = (tmp_path / "control.token").read_text().strip()
    line = f"token {token} url http://127.0.0.1:1/hook?key=s3cret-value"
    redacted = redactor.redact(line)
    assert token not in redacted
    assert "s3cret-value" not in redacted
