"""`astra status|halt|resume|cancel-all` against a real control API on loopback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from astra.adapters.control_api import ControlServer, load_or_create_token, start_control_server
from astra.cli.main import main
from tests.adapters.test_control_api import Backend

ENV = "ASTRA_CONTROL_TOKEN"


@pytest.fixture
def running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Backend, ControlServer]]:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delenv("ASTRA_CONFIG", raising=False)
    token = load_or_create_token(tmp_path, {}, ENV)
    backend = Backend()
    with start_control_server(backend, token) as server:
        monkeypatch.setenv("ASTRA_CONTROL__PORT", str(server.port))
        yield backend, server


def _run(tmp_path: Path, *argv: str) -> int:
    return main([*argv, "--data-dir", str(tmp_path)])


def test_status_prints_state(
    running: tuple[Backend, ControlServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, "status") == 0
    out = capsys.readouterr().out
    assert "Trading" in out
    assert "ACTIVE" in out
    assert "no ledger record yet" in out
    assert _run(tmp_path, "status", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"burn_in_remaining": 0, "state": "active"}


def test_halt_resume_cancel_all(
    running: tuple[Backend, ControlServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend, _ = running
    assert _run(tmp_path, "halt", "--reason", "manual check") == 0
    assert backend.state == "halted"
    assert _run(tmp_path, "cancel-all", "--json") == 0
    halted, canceled = capsys.readouterr().out.split("\n", 1)
    assert halted.startswith("ok: ")
    assert json.loads(canceled)["canceled"] == 3
    assert _run(tmp_path, "resume") == 0
    assert backend.calls == [("halt", "manual check"), ("cancel_all", None), ("resume", None)]
    assert _run(tmp_path, "resume") == 1
    assert capsys.readouterr().err.strip() == "astra resume: resume refused: not halted"
    assert _run(tmp_path, "halt") == 0
    assert _run(tmp_path, "resume", "--rebase-peak") == 0
    assert backend.calls[-1] == ("resume", "rebase_peak")


def test_wrong_token_is_one_line_and_exit_1(
    running: tuple[Backend, ControlServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV, "a-different-token-000000000")
    assert _run(tmp_path, "halt") == 1
    err = capsys.readouterr().err
    assert err.strip() == "astra halt: the control API refused the token (HTTP 401)"
    assert running[0].calls == []


def test_not_running_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delenv("ASTRA_CONFIG", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    monkeypatch.setenv("ASTRA_CONTROL__PORT", str(free_port))
    assert _run(tmp_path, "status") == 3
    assert "no control token" in capsys.readouterr().err
    load_or_create_token(tmp_path, {}, ENV)
    assert _run(tmp_path, "status") == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("astra status: no Astra control API at http://127.0.0.1:")
