"""`astra paper` against loopback Gamma/CLOB/WS servers: it trades on paper, answers the
control API (status, halt, resume), and with no reachable venue fails in seconds with one
line and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.app.live_venue import ASTRA, Venue, free_port, live_venue, start_paper


def control(venue: Venue, data_dir: Path, port: int, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [*ASTRA, *args, "--json"], env=venue.env(data_dir, port),
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def wait_for(venue: Venue, data_dir: Path, port: int, key: str, value: object) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        done = subprocess.run(
            [*ASTRA, "status", "--json"], env=venue.env(data_dir, port),
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            last = json.loads(done.stdout)
            if last.get(key) == value:
                return last
        time.sleep(0.3)
    raise AssertionError(f"status never had {key}={value!r}: {last}")


def test_paper_trades_and_obeys_the_control_api(tmp_path: Path) -> None:
    port = free_port()
    with live_venue() as venue:
        proc = start_paper(venue, tmp_path, port, "--max-runtime", "12", "--json-summary")
        try:
            status = wait_for(venue, tmp_path, port, "trading_opened", True)
            assert status["state"] == "active"
            assert status["markets"] == 3
            # `astra status` shows the last marked-equity record: equity = cash + marked value.
            account = status["account"]
            assert account["equity"] == account["cash"] + account["marked_value"]
            assert account["peak_equity"] >= account["equity"]
            assert status["risk"]["equity"] is not None
            assert control(venue, tmp_path, port, "halt", "--reason", "test")["ok"] is True
            halted = wait_for(venue, tmp_path, port, "state", "halted")
            assert "operator" in halted["halt_reasons"]
            assert control(venue, tmp_path, port, "resume")["ok"] is True
            wait_for(venue, tmp_path, port, "state", "active")
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["stop_reason"] == "max_runtime"
    assert summary["orders"]["placed"] > 0
    assert summary["fills"] > 0
    reasons = [h["reason"] for h in summary["halts"]]
    assert reasons[0] == "startup"
    assert "operator" in reasons
    assert reasons[-1] == "shutdown"


def test_no_network_is_one_line_and_nonzero_within_seconds(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    done = subprocess.run(
        [*ASTRA, "paper", "--data-dir", str(tmp_path), "--gamma-url", dead, "--clob-url", dead,
         "--ws-url", "ws://127.0.0.1:9/ws"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "discovery vetoed" in lines[0]
    assert "Traceback" not in done.stderr
    assert elapsed < 15


def test_status_table_and_the_periodic_status_line(tmp_path: Path) -> None:
    """A loopback `astra paper` run: `astra status` reads as tables in human units, and the
    trader's log carries its one-line status at the configured interval."""
    port = free_port()
    with live_venue() as venue:
        env = venue.env(tmp_path, port) | {
            "ASTRA_RUN__STATUS_INTERVAL_S": "1",
            "ASTRA_LOGGING__LEVEL": "INFO",
        }
        log = (tmp_path / "paper.log").open("w")  # a file: INFO lines would fill a pipe
        proc = subprocess.Popen(
            [*ASTRA, "paper", "--strategy", "simple_quoter", "--max-runtime", "12"],
            env=env, stdout=subprocess.DEVNULL, stderr=log, text=True,
        )  # fmt: skip
        try:
            wait_for(venue, tmp_path, port, "trading_opened", True)
            time.sleep(2.0)  # let it quote and fill a little
            table = subprocess.run(
                [*ASTRA, "status"], env=venue.env(tmp_path, port),
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
            proc.wait(timeout=30)
        finally:
            proc.kill()
            log.close()
    err = (tmp_path / "paper.log").read_text()
    assert table.returncode == 0, table.stderr
    for heading in ("Trading", "ACTIVE", "Account", "equity", "Feed", "tokens synced"):
        assert heading in table.stdout, table.stdout
    assert "$" in table.stdout
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    status = [r["msg"] for r in lines if r.get("logger") == "astra.app.status"]
    assert len(status) >= 2, err[-2000:]
    assert status[-1].startswith("status: ")
    assert "equity $" in status[-1]
