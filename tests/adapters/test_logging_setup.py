"""Structured logs: fields, UTC timestamps, context across threads, redaction, idempotent setup."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from astra.adapters.logging_setup import (
    REDACTED,
    Redactor,
    configure_logging,
    log_context,
    parse_level,
    remove_logging,
    set_log_context,
    set_run_id,
    utc_timestamp,
)

SECRET = "s3cr3t-token-value-0123456789"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    yield out
    remove_logging()
    set_run_id(None)
    set_log_context(None, None)


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_line_has_utc_z_timestamp_level_logger_and_context(stream: io.StringIO) -> None:
    configure_logging("INFO", stream=stream)
    set_run_id("run-42")
    log = logging.getLogger("astra.test")
    with log_context(actor="market", market="0xabc"):
        log.info("book %s applied", "snapshot", extra={"event": "book"})
    log.info("outside")
    first, second = _lines(stream)
    assert first["msg"] == "book snapshot applied"
    assert first["level"] == "INFO"
    assert first["logger"] == "astra.test"
    assert (first["run_id"], first["actor"], first["market"]) == ("run-42", "market", "0xabc")
    assert first["event"] == "book"
    assert (second["run_id"], second["actor"], second["market"]) == ("run-42", None, None)
    stamp = str(first["ts"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 5


def test_timestamp_is_utc_not_local() -> None:
    assert utc_timestamp(0.0) == "1970-01-01T00:00:00.000Z"
    assert utc_timestamp(1_700_000_000.1234) == "2023-11-14T22:13:20.123Z"


def test_actor_context_is_per_thread_and_extra_overrides(stream: io.StringIO) -> None:
    configure_logging("DEBUG", stream=stream)
    log = logging.getLogger("astra.actors.x")

    def actor_thread() -> None:
        set_log_context(actor="risk")
        log.debug("in actor")

    thread = threading.Thread(target=actor_thread)
    thread.start()
    thread.join()
    log.debug("main", extra={"actor": "cli", "market": "0xdef"})
    in_actor, main = _lines(stream)
    assert in_actor["actor"] == "risk"
    assert (main["actor"], main["market"]) == ("cli", "0xdef")


def test_level_filters_and_reconfiguring_does_not_duplicate(stream: io.StringIO) -> None:
    configure_logging("WARNING", stream=stream)
    configure_logging("WARNING", stream=stream)
    log = logging.getLogger("astra.level")
    log.info("hidden")
    log.warning("shown")
    assert [line["msg"] for line in _lines(stream)] == ["shown"]
    with pytest.raises(ValueError, match="unknown log level"):
        parse_level("LOUD")


def _fail_with_secret() -> None:
    raise RuntimeError(f"failed with {SECRET}")


def test_secrets_never_reach_the_output(stream: io.StringIO) -> None:
    redactor = configure_logging("INFO", stream=stream)
    redactor.add_secret(SECRET)
    log = logging.getLogger("astra.control")
    log.info("token loaded: %s", SECRET)
    log.info("request", extra={"headers": {"Authorization": f"Bearer {SECRET}"}})
    log.info("webhook https://hooks.example/x?token=abcdef123456 and password=hunter22")
    try:
        _fail_with_secret()
    except RuntimeError:
        log.exception("boom")
    text = stream.getvalue()
    assert SECRET not in text
    assert "abcdef123456" not in text
    assert "hunter22" not in text
    assert text.count(REDACTED) >= 5
    assert [json.loads(line)["msg"] for line in text.splitlines()][-1] == "boom"


def test_redactor_units() -> None:
    redactor = Redactor((SECRET,))
    assert redactor.redact(f"x {SECRET} y") == f"x {REDACTED} y"
    header = redactor.redact("Authorization: Bearer abc.def")
    assert "abc.def" not in header
    assert header.startswith(f"Authorization: {REDACTED}")
    assert redactor.redact('{"api_key": "k-123"}') == f'{{"api_key": "{REDACTED}"}}'
    assert redactor.redact("token_env=ASTRA_CONTROL_TOKEN tokens 5") == (
        "token_env=ASTRA_CONTROL_TOKEN tokens 5"
    )
    with pytest.raises(ValueError, match="shorter"):
        redactor.add_secret("abc")


def test_human_format_is_one_readable_line(stream: io.StringIO) -> None:
    redactor = configure_logging("INFO", json_lines=False, stream=stream)
    redactor.add_secret(SECRET)
    set_run_id("run-7")
    logging.getLogger("astra.human").warning("halted by %s", SECRET, extra={"reason": "x"})
    line = stream.getvalue().strip()
    assert re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z WARNING astra.human \[run_id=run-7\] halted", line)
    assert SECRET not in line
    assert line.endswith("(reason=x)")


def test_stderr_handler_survives_a_closed_earlier_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-process command's stderr (a test's capture) may be closed before the next
    record: the handler writes to the current stderr instead of failing on the old one."""
    # A text wrapper like pytest's capture (a closed StringIO would still accept flush()).
    first, second = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("INFO")
    try:
        logging.getLogger("astra.test").warning("one")
        first.close()
        monkeypatch.setattr(sys, "stderr", second)
        logging.getLogger("astra.test").warning("two")
    finally:
        remove_logging()
    assert [line["msg"] for line in _lines(second)] == ["two"]
