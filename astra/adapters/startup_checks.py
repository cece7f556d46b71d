"""The startup checklist: named checks, each a pass or a fail with a detail, run before trading.

The composition root assembles the list: the factories below cover what needs no engine (data
dir writable, disk space, ports bindable, journal writable and migrated, clock skew against the
venue, settings sane); feed reachability and book freshness come from the engine as plain
callables wrapped by `StartupCheck`. A check that raises is a failed result carrying the
exception's type and message, never a crash and never a pass. No check has side effects beyond
a temporary file it removes (the original created directories and mutated the gate engine
while "checking", B-22).

`run_checklist` logs one line per check, sets `astra_startup_check_passed{check}` and returns a
`ChecklistReport` whose `to_dict()` goes into `status` and the run manifest.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from astra.adapters.journal.migrations import SchemaError, check_version
from astra.adapters.journal.schema import SCHEMA_VERSION
from astra.domain.metrics_port import STARTUP_CHECK_PASSED, MetricsSink

log = logging.getLogger(__name__)

CheckFn = Callable[[], tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class StartupCheck:
    name: str
    run: CheckFn
    # Warn-only checks are reported but do not block the start.
    warn_only: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    passed: bool
    detail: str
    warn_only: bool
    duration_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
            "warn_only": self.warn_only,
            "duration_ms": round(self.duration_ms, 3),
        }


@dataclass(frozen=True, slots=True)
class ChecklistReport:
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(r.passed or r.warn_only for r in self.results)

    @property
    def blocking_failures(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed and not r.warn_only)

    def summary(self) -> str:
        """One line for an operator: which checks blocked the start and why."""
        failed = self.blocking_failures
        if not failed:
            return f"all {len(self.results)} startup checks passed"
        return "startup checks failed: " + "; ".join(f"{r.name}: {r.detail}" for r in failed)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [r.to_dict() for r in self.results]}


def run_checklist(checks: Iterable[StartupCheck], metrics: MetricsSink) -> ChecklistReport:
    """Run every check (all of them, even after a failure, so the operator sees the full list)."""
    seen: set[str] = set()
    results: list[CheckResult] = []
    for check in checks:
        if check.name in seen:
            raise ValueError(f"duplicate startup check {check.name!r}")
        seen.add(check.name)
        result = _run_one(check)
        results.append(result)
        metrics.set(STARTUP_CHECK_PASSED, 1.0 if result.passed else 0.0, {"check": result.name})
        _log(result)
    return ChecklistReport(tuple(results))


def _run_one(check: StartupCheck) -> CheckResult:
    started = time.perf_counter()
    try:
        passed, detail = check.run()
    except Exception as exc:
        log.exception("startup check %s raised", check.name)
        passed, detail = False, f"error: {type(exc).__name__}: {exc}"
    elapsed = (time.perf_counter() - started) * 1000
    return CheckResult(check.name, bool(passed), detail, check.warn_only, elapsed)


def _log(result: CheckResult) -> None:
    if result.passed:
        level = logging.INFO
    else:
        level = logging.WARNING if result.warn_only else logging.ERROR
    verdict = "pass" if result.passed else "FAIL"
    extra = {"check": result.name, "passed": result.passed, "warn_only": result.warn_only}
    log.log(level, "startup check %s: %s (%s)", result.name, verdict, result.detail, extra=extra)


# --- factories for checks that need no running engine -------------------------------------


def dir_writable(name: str, directory: Path) -> StartupCheck:
    """The directory exists and a file can be written, synced and removed in it."""

    def run() -> tuple[bool, str]:
        if not directory.is_dir():
            return False, f"{directory} does not exist or is not a directory"
        probe = directory / f".astra-startup-check-{os.getpid()}"
        try:
            with probe.open("wb") as handle:
                handle.write(b"ok")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            return False, f"cannot write in {directory}: {exc.strerror or exc}"
        finally:
            probe.unlink(missing_ok=True)
        return True, f"{directory} is writable"

    return StartupCheck(name, run)


def disk_space(name: str, directory: Path, min_free_bytes: int) -> StartupCheck:
    def run() -> tuple[bool, str]:
        free = shutil.disk_usage(directory).free
        detail = f"{free / 2**20:.0f} MiB free (need {min_free_bytes / 2**20:.0f} MiB)"
        return free >= min_free_bytes, detail

    return StartupCheck(name, run)


def port_bindable(name: str, host: str, port: int) -> StartupCheck:
    """Nothing else listens on host:port (run it before starting our own server there)."""

    def run() -> tuple[bool, str]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                return False, f"cannot bind {host}:{port}: {exc.strerror or exc}"
        return True, f"{host}:{port} is free"

    return StartupCheck(name, run)


def journal_ready(name: str, path: Path) -> StartupCheck:
    """The journal exists at the current schema version and accepts a write transaction."""

    def run() -> tuple[bool, str]:
        if not path.is_file():
            return False, f"{path} does not exist (the journal is created before the checks)"
        conn = sqlite3.connect(path, isolation_level=None, timeout=2.0)
        try:
            version = check_version(conn, str(path))
            if version != SCHEMA_VERSION:
                return False, f"schema v{version}, this code needs v{SCHEMA_VERSION}"
            # BEGIN IMMEDIATE takes the write lock without writing anything.
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except (sqlite3.Error, SchemaError) as exc:
            return False, f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()
        return True, f"schema v{version}, writable"

    return StartupCheck(name, run)


def clock_skew(
    name: str, local_ms: Callable[[], int], venue_ms: Callable[[], int], max_skew_ms: int
) -> StartupCheck:
    """Our clock agrees with the venue's (one round trip; the request time is allowed for)."""

    def run() -> tuple[bool, str]:
        before = local_ms()
        venue = venue_ms()
        after = local_ms()
        midpoint = (before + after) // 2
        skew = venue - midpoint
        allowed = max_skew_ms + (after - before) // 2
        return abs(skew) <= allowed, f"skew {skew} ms (allowed ±{allowed} ms)"

    return StartupCheck(name, run)


def http_date_ms(url: str, timeout_s: float) -> int:
    """The venue's clock from the `Date` header of a GET (any status): epoch milliseconds.

    The header has one-second resolution, so the middle of that second is returned (±500 ms
    of rounding, which `clock_skew`'s allowance absorbs). No header is an error."""
    with httpx.Client(timeout=timeout_s, trust_env=False) as client:
        response = client.get(url)
    header = response.headers.get("date")
    if not header:
        raise ValueError(f"no Date header from {url} (HTTP {response.status_code})")
    return int(parsedate_to_datetime(header).timestamp() * 1000) + 500


def venue_clock(name: str, url: str, timeout_s: float, max_skew_ms: int) -> StartupCheck:
    """`clock_skew` against the `Date` header of `url`; an unreachable venue or a missing
    header is a failed check with a one-line detail (no traceback: it is an expected case)."""
    skew = clock_skew(
        name, lambda: time.time_ns() // 1_000_000, lambda: http_date_ms(url, timeout_s), max_skew_ms
    )

    def run() -> tuple[bool, str]:
        try:
            return skew.run()
        except (httpx.HTTPError, ValueError) as exc:
            return False, f"no venue time from {url}: {type(exc).__name__}: {exc}"

    return StartupCheck(name, run)


def condition(name: str, fn: CheckFn, *, warn_only: bool = False) -> StartupCheck:
    """Any engine-supplied check (feeds reachable, books fresh, RiskActor alive, ...)."""
    return StartupCheck(name, fn, warn_only)
