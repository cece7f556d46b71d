"""Once a second in `astra paper`: the heartbeat, and what an operator must hear about.

`OperatorMonitor.tick` publishes `astra_heartbeat_timestamp_seconds` (wall clock), then looks
at the engine and turns every change into one log line (with the run id, the actor kind and
the market as fields) and one alert (`AlertNotifier`: webhook, non-blocking, rate limited per
kind):

- a new halt (the RiskActor's halt id moved while halted) -> `halt` (`journal` for a journal
  outage), a halted -> active change -> `resume`;
- a new halt-first entry (an actor died and was restarted) -> `actor_failure`;
- a supervisor escalation -> `escalation`;
- fewer market-feed connections up than before -> `feed_disconnect`;
- the journal refusing a commit (a flush through the TelemetryActor fails) -> `journal`.

The first look is the baseline: the startup halt every run begins with is not an alert. The
flush result doubles as the journal-writable input of `/readyz`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from astra.actors.halt_protocol import HaltEntry
from astra.actors.market_actor import market_producer
from astra.adapters.alerts import Alert, AlertNotifier, Severity
from astra.app.burn_in_gate import BurnInGate
from astra.app.runtime import Runtime
from astra.domain.metrics_port import HEARTBEAT_TIMESTAMP
from astra.domain.reasons import HaltReason

_log = logging.getLogger("astra.app.operator")
MARKET_PREFIX = market_producer("")
START_ONLY = frozenset({HaltReason.STARTUP.value})

Connections = Callable[[], tuple[int, int]]  # (connected, total) market-feed connections


@dataclass(slots=True)
class _Seen:
    state: str | None = None
    halt_id: int = 0
    entries: int = 0
    connected: int | None = None
    journal_ok: bool | None = None
    escalated: bool = False


class OperatorMonitor:
    def __init__(
        self,
        runtime: Runtime,
        notifier: AlertNotifier,
        gate: BurnInGate,
        connections: Connections,
    ) -> None:
        self._runtime = runtime
        self._notifier = notifier
        self._gate = gate
        self._connections = connections
        self._seen = _Seen()
        self._baseline = True
        self.risk_alive = False

    @property
    def journal_writable(self) -> bool:
        return bool(self._seen.journal_ok)

    def tick(self) -> None:
        engine = self._runtime.engine
        engine.metrics.set(HEARTBEAT_TIMESTAMP, time.time())
        self._risk()
        self._restarts(engine.halt_entries())
        self._feed()
        self._journal(engine.flush(timeout_s=1.0).ok)
        if engine.escalated:
            self.escalation()
        self._baseline = False

    def escalation(self) -> None:
        if self._seen.escalated:
            return
        self._seen.escalated = True
        _log.critical(
            "supervisor escalation: the actor tree gave up; stopping",
            extra={"actor": "supervisor", "event": "escalation"},
        )
        self._alert("escalation", Severity.CRITICAL, "Supervisor escalated", "stopping the run")

    # -- halts and resumes -----------------------------------------------------------------
    def _risk(self) -> None:
        status = self._runtime.engine.risk_status(timeout_s=1.0)
        self.risk_alive = status is not None
        if status is None:
            return
        seen = self._seen
        halted = status.state == "halted"
        reasons = self._runtime.halt_reasons()
        if set(reasons) - START_ONLY:
            self._gate.end_monitoring()
        new_halt = halted and (seen.state != "halted" or status.halt_id != seen.halt_id)
        if new_halt and not self._baseline:
            self._halted(reasons, status.halt_reason)
        elif seen.state == "halted" and not halted:
            self._resumed(status.state)
        seen.state, seen.halt_id = status.state, status.halt_id

    def _halted(self, reasons: list[str], first: str | None) -> None:
        text = ",".join(reasons) or str(first)
        _log.warning(
            "trading halted: reasons=%s",
            text,
            extra={"actor": "risk", "event": "halt", "reasons": reasons},
        )
        kind = "journal" if HaltReason.JOURNAL_UNAVAILABLE.value in reasons else "halt"
        self._alert(kind, Severity.CRITICAL, "Trading halted", f"reasons={text}")

    def _resumed(self, state: str) -> None:
        _log.warning("trading resumed: state=%s", state, extra={"actor": "risk", "event": "resume"})
        self._alert("resume", Severity.INFO, "Trading resumed", f"state={state}")

    # -- restarts, feed, journal -----------------------------------------------------------
    def _restarts(self, entries: list[HaltEntry]) -> None:
        for entry in entries[self._seen.entries :]:
            market = entry.name.removeprefix(MARKET_PREFIX) if entry.kind == "market" else None
            _log.error(
                "actor restarted after a failure: name=%s generation=%d cause=%s",
                entry.name,
                entry.generation,
                entry.cause,
                extra={"actor": entry.kind, "market": market, "event": "restart"},
            )
            message = f"{entry.kind} {entry.name} generation {entry.generation}: {entry.cause}"
            self._alert("actor_failure", Severity.CRITICAL, "Actor failed (restarted)", message)
        self._seen.entries = len(entries)

    def _feed(self) -> None:
        connected, total = self._connections()
        before = self._seen.connected
        if before is not None and connected < before:
            _log.warning(
                "market feed disconnected: %d of %d connections up",
                connected,
                total,
                extra={"actor": "feed", "event": "feed_disconnect"},
            )
            message = f"{connected} of {total} market-feed connections up"
            self._alert("feed_disconnect", Severity.WARNING, "Market feed disconnected", message)
        self._seen.connected = connected

    def _journal(self, ok: bool) -> None:
        if self._seen.journal_ok is not False and not ok:
            _log.error(
                "journal not writable: a commit through the TelemetryActor failed",
                extra={"actor": "telemetry", "event": "journal_unavailable"},
            )
            self._alert("journal", Severity.CRITICAL, "Journal unavailable", "commit failed")
        self._seen.journal_ok = ok

    def _alert(self, kind: str, severity: Severity, title: str, message: str) -> None:
        run_id = self._runtime.run_id
        self._notifier.notify(Alert(kind, severity, title, f"{message} (run {run_id})"))
