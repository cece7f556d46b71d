"""The ops peer's `ControlBackend` over the running engine: what `astra status|halt|resume|
cancel-all` and the health/readiness probes see.

Every call answers a JSON-able dict and never raises for an engine that is down: a missing
answer from an actor is reported as such (`"ok": false` with the reason), never as success.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from astra.adapters.journal.portfolio import portfolio
from astra.adapters.journal.store import JournalError, connect_readonly
from astra.app.runtime import Runtime
from astra.domain.reasons import HaltReason, OrderReason

JsonDict = dict[str, Any]


class EngineControl:
    def __init__(
        self,
        runtime: Runtime,
        extra: Callable[[], JsonDict] | None = None,
        ready: Callable[[], dict[str, bool]] | None = None,
        on_halt: Callable[[], None] | None = None,
    ) -> None:
        self._runtime = runtime
        self._extra = extra  # live-run facts (feed, checklist, burn-in) from the paper runner
        self._ready = ready  # live readiness inputs (feeds fresh, journal writable)
        self._on_halt = on_halt  # e.g. end the burn-in's monitoring: decisions say `halted`

    def status(self) -> JsonDict:
        runtime = self._runtime
        risk = runtime.engine.risk_status()
        body: JsonDict = {
            "run_id": runtime.run_id,
            "markets": len(runtime.engine.market_names()),
            "state": "unknown" if risk is None else risk.state,
            "halt_reasons": runtime.halt_reasons(),
            "risk": None
            if risk is None
            else {
                "state": risk.state,
                "halt_reason": risk.halt_reason,
                "halt_id": risk.halt_id,
                "fills_applied": risk.fills_applied,
                "ledger_digest": risk.ledger_digest,
                "equity": risk.equity,
            },
            # The last marked-equity record (micro-USD; docs/accounting.md), None before one.
            "account": None if risk is None or risk.account is None else dict(risk.account),
            "durable_halts_at_start": sorted(runtime.start.durable_halts),
            "restart_canceled": len(runtime.start.restart_canceled),
            "healthy": runtime.engine.all_healthy(),
            "escalated": runtime.engine.escalated,
        }
        if self._extra is not None:
            body.update(self._extra())
        body["portfolio"] = self._portfolio()
        return body

    def _portfolio(self) -> JsonDict:
        """Account, positions, open orders and last halt as the journal has committed them
        (what a restart would recover); a journal that cannot be read says so."""
        runtime = self._runtime
        try:
            conn = connect_readonly(runtime.store.path)
        except (JournalError, sqlite3.Error) as exc:
            return {"unavailable": f"journal: {exc}"}
        try:
            return portfolio(conn, since_ms=runtime.start.run.started_ms)
        except sqlite3.Error as exc:
            return {"unavailable": f"journal: {exc}"}
        finally:
            conn.close()

    def halt(self, reason: str) -> JsonDict:
        if self._on_halt is not None:
            self._on_halt()
        ok = self._runtime.engine.halt(HaltReason.OPERATOR, reason)
        return {"ok": ok, "detail": "halted" if ok else "risk actor did not answer"}

    def resume(self, rebase_peak: bool = False) -> JsonDict:
        result = self._runtime.engine.resume("operator", rebase_peak=rebase_peak)
        return {"ok": result.resumed, "detail": result.detail}

    def cancel_all(self) -> JsonDict:
        markets = self._runtime.cancel_all(OrderReason.OPERATOR_CANCEL)
        return {"ok": True, "markets": markets}

    def health(self) -> JsonDict:
        engine = self._runtime.engine
        return {"alive": not engine.escalated, "healthy": engine.all_healthy()}

    def readiness(self) -> tuple[bool, JsonDict]:
        """Ready = the RiskActor answers, every actor is healthy, the feeds are fresh and the
        journal is writable (without live inputs: a commit through the TelemetryActor now).
        A halted trader can be ready: it is up, observing and answering."""
        engine = self._runtime.engine
        risk = engine.risk_status()
        checks = {"risk_actor_alive": risk is not None, "actors_healthy": engine.all_healthy()}
        if self._ready is not None:
            checks.update(self._ready())
        else:
            checks["journal_writable"] = engine.flush(timeout_s=2.0).ok
        state = "unknown" if risk is None else risk.state
        return all(checks.values()), {"state": state, "checks": checks}
