"""Structured logs: one JSON object per line, UTC timestamps, run/actor/market context, no secrets.

Every line carries `ts` (UTC, ISO 8601, milliseconds, `Z`), `level`, `logger`, `msg`, `run_id`,
`actor` and `market`. The run id is process-wide (one process runs one run); the actor kind and
market are per thread of control, held in context variables that an actor sets once in its own
thread (`set_log_context`) or a caller scopes with `log_context(...)`. `extra={...}` on a call
overrides both and any other extra key is emitted as a field.

The root logger is configured (not only "astra"), so records from every module and library are
formatted the same way and none is lost to an unconfigured hierarchy. Every string field passes
through a `Redactor` before it is written: registered secret values (the control token, webhook
URLs) and anything shaped like a credential (`Bearer …`, `token=…`, `"password": "…"`) become
`[REDACTED]`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import threading
from collections.abc import Iterator, Mapping
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any, TextIO

REDACTED = "[REDACTED]"
CONTEXT_FIELDS = ("run_id", "actor", "market")
# Libraries that narrate every request at INFO; their news is rarely the operator's.
NOISY_LIBRARIES = ("httpx", "httpcore", "websockets", "urllib3")

_actor: ContextVar[str | None] = ContextVar("astra_log_actor", default=None)
_market: ContextVar[str | None] = ContextVar("astra_log_market", default=None)
_run_id_lock = threading.Lock()
_run_id: list[str | None] = [None]

_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)

_CREDENTIAL_PATTERNS = (
    # Authorization headers and bearer tokens anywhere in text.
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    # key=value / key: value / "key": "value" for credential-like keys.
    re.compile(
        r"""(?ix)
        ((?:token|secret|password|passwd|api[_-]?key|private[_-]?key|authorization)
         ["']?\s*[:=]\s*["']?)
        ([^\s"',;&}]+)
        """
    ),
)


class Redactor:
    """Replaces known secret values and credential-shaped text with `[REDACTED]`."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        # Very short values would redact ordinary words; a real secret is never that short.
        if len(secret) < 6:
            raise ValueError("refusing to register a secret shorter than 6 characters")
        with self._lock:
            # Longest first, so a secret containing another is removed whole.
            self._secrets = tuple(sorted({*self._secrets, secret}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _CREDENTIAL_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text

    def redact_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {str(k): self.redact_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_value(v) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        return self.redact(str(value))


def set_run_id(run_id: str | None) -> None:
    """The run every subsequent line belongs to (process-wide: one process, one run)."""
    with _run_id_lock:
        _run_id[0] = run_id


def set_log_context(actor: str | None = None, market: str | None = None) -> None:
    """Bind the actor kind and market for the current thread/context (an actor's own thread)."""
    _actor.set(actor)
    _market.set(market)


@contextlib.contextmanager
def log_context(actor: str | None = None, market: str | None = None) -> Iterator[None]:
    """Scope the actor kind and market to a block; the previous values come back after it."""
    tokens: list[tuple[ContextVar[str | None], Token[str | None]]] = []
    if actor is not None:
        tokens.append((_actor, _actor.set(actor)))
    if market is not None:
        tokens.append((_market, _market.set(market)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def utc_timestamp(created: float) -> str:
    """`2026-03-01T12:00:00.123Z`: UTC, milliseconds, the Z meaning what it says."""
    stamp = datetime.fromtimestamp(created, tz=UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def _context(record: logging.LogRecord) -> dict[str, Any]:
    given = record.__dict__
    with _run_id_lock:
        run_id = _run_id[0]
    return {
        "run_id": given.get("run_id", run_id),
        "actor": given.get("actor", _actor.get()),
        "market": given.get("market", _market.get()),
    }


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD_ATTRS and key not in CONTEXT_FIELDS and not key.startswith("_")
    }


class JsonFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **_context(record),
        }
        for key, value in _extras(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        redacted = self.redactor.redact_value(line)
        return json.dumps(redacted, ensure_ascii=False, separators=(",", ":"), default=str)


class HumanFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(f"{k}={v}" for k, v in _context(record).items() if v is not None)
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        parts = [utc_timestamp(record.created), f"{record.levelname:<7}", record.name]
        if context:
            parts.append(f"[{context}]")
        parts.append(record.getMessage())
        if extras:
            parts.append(f"({extras})")
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return self.redactor.redact(text)


class _AstraHandler(logging.StreamHandler[TextIO]):
    """Marks the handler Astra installed, so reconfiguring replaces it instead of adding one."""


class _StderrHandler(_AstraHandler):
    """Writes to whatever `sys.stderr` is when a record is emitted, not when logging was set
    up: a command run in-process (tests, an embedding program) may swap stderr in between."""

    def emit(self, record: logging.LogRecord) -> None:
        # Not `setStream`: it flushes the previous stream, which an in-process command's
        # swapped-out stderr may have closed (ValueError). Nothing is buffered there anyway:
        # `emit` flushes after every record.
        self.stream = sys.stderr
        super().emit(record)


def parse_level(level: str) -> int:
    value = logging.getLevelNamesMapping().get(level.strip().upper())
    if value is None:
        raise ValueError(f"unknown log level {level!r}")
    return value


def configure_logging(
    level: str = "INFO",
    json_lines: bool = True,
    stream: TextIO | None = None,
    redactor: Redactor | None = None,
) -> Redactor:
    """Install the one root handler (idempotent); returns the redactor to register secrets on."""
    numeric = parse_level(level)
    active = redactor if redactor is not None else Redactor()
    handler = _AstraHandler(stream) if stream is not None else _StderrHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(active) if json_lines else HumanFormatter(active))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _AstraHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    return active


def remove_logging() -> None:
    """Take Astra's handler off the root logger (tests; a composition root shutting down)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _AstraHandler)]:
        root.removeHandler(old)
