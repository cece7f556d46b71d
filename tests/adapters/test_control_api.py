"""The control API on a real loopback server: auth, routes, readiness, token file."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from astra.adapters.control_api import (
    TOKEN_FILENAME,
    ControlServer,
    TokenError,
    load_or_create_token,
    read_token,
    start_control_server,
)
from astra.adapters.control_client import ControlClient, ControlError, ControlUnavailable

TOKEN = "test-token-abcdefghijklmnop"
ENV = "ASTRA_CONTROL_TOKEN"


class Backend:
    """A small in-memory engine double: the thing behind the API, not the API under test."""

    def __init__(self) -> None:
        self.state = "active"
        self.calls: list[tuple[str, Any]] = []
        self.ready = True
        self.fail = False
        self.lock = threading.Lock()

    def status(self) -> dict[str, Any]:
        if self.fail:
            raise RuntimeError("engine exploded with secret detail")
        return {"state": self.state, "burn_in_remaining": 0}

    def halt(self, reason: str) -> dict[str, Any]:
        with self.lock:
            self.calls.append(("halt", reason))
            self.state = "halted"
        return {"ok": True, "state": self.state}

    def resume(self, rebase_peak: bool = False) -> dict[str, Any]:
        with self.lock:
            self.calls.append(("resume", "rebase_peak" if rebase_peak else None))
            if self.state != "halted":
                return {"ok": False, "error": "not halted"}
            self.state = "active"
        return {"ok": True, "state": self.state}

    def cancel_all(self) -> dict[str, Any]:
        self.calls.append(("cancel_all", None))
        return {"ok": True, "canceled": 3}

    def health(self) -> dict[str, Any]:
        return {"alive": True, "heartbeat_age_s": 0.2}

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        detail = {"feeds_fresh": self.ready, "journal_writable": True, "risk_alive": True}
        return self.ready, detail


@pytest.fixture
def backend() -> Backend:
    return Backend()


@pytest.fixture
def server(backend: Backend) -> Iterator[ControlServer]:
    with start_control_server(backend, TOKEN) as running:
        yield running


def _url(server: ControlServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_binds_loopback_by_default(server: ControlServer) -> None:
    assert server.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/status"), ("POST", "/halt"), ("POST", "/resume"), ("POST", "/cancel-all")],
)
@pytest.mark.parametrize("header", [None, "Bearer wrong-token-0000000000", f"Basic {TOKEN}", TOKEN])
def test_every_control_endpoint_refuses_without_the_token(
    server: ControlServer, backend: Backend, method: str, path: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = httpx.request(method, _url(server, path), headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert backend.calls == []
    assert backend.state == "active"


def test_halt_resume_cancel_all_with_the_token(server: ControlServer, backend: Backend) -> None:
    client = ControlClient("127.0.0.1", server.port, TOKEN)
    assert client.status()["state"] == "active"
    assert client.halt("maintenance window")["state"] == "halted"
    assert client.status()["state"] == "halted"
    assert client.cancel_all() == {"ok": True, "canceled": 3}
    assert client.resume()["state"] == "active"
    with pytest.raises(ControlError, match="resume refused: not halted"):
        client.resume()
    assert backend.calls[:2] == [("halt", "maintenance window"), ("cancel_all", None)]
    client.halt("drawdown acknowledged")
    assert client.resume(rebase_peak=True)["state"] == "active"
    assert backend.calls[-1] == ("resume", "rebase_peak")


def test_health_and_readiness_need_no_token(server: ControlServer, backend: Backend) -> None:
    client = ControlClient("127.0.0.1", server.port, "no-token-at-all-000000")
    assert client.health()["alive"] is True
    assert client.ready() == (
        True,
        {"ready": True, "feeds_fresh": True, "journal_writable": True, "risk_alive": True},
    )
    backend.ready = False
    response = httpx.get(_url(server, "/readyz"), timeout=5)
    assert response.status_code == 503
    assert response.json()["feeds_fresh"] is False


def test_bad_requests_are_named(server: ControlServer, backend: Backend) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    cases = [
        ("POST", "/halt", b"not json", 400),
        ("POST", "/halt", b"[1]", 400),
        ("POST", "/halt", b"[" * 4000, 400),  # the stdlib parser raised RecursionError
        ("POST", "/halt", b'{"reason": ' + b"9" * 4500 + b"}", 400),  # and ValueError
        ("POST", "/halt", b'{"a":' * 40 + b"1" + b"}" * 40, 400),
        ("POST", "/halt", b'{"reason": ""}', 400),
        ("POST", "/halt", b'{"reason": "' + b"x" * 201 + b'"}', 400),
        ("POST", "/resume", b'{"rebase_peak": "yes"}', 400),
        ("GET", "/nope", b"", 404),
        ("GET", "/halt", b"", 405),
        ("POST", "/status", b"", 405),
    ]
    for method, path, body, code in cases:
        response = httpx.request(method, _url(server, path), content=body, headers=auth, timeout=5)
        assert response.status_code == code, (method, path, body)
        assert "error" in response.json()
    assert backend.calls == []
    halted = httpx.post(_url(server, "/halt"), headers=auth, timeout=5)
    assert halted.status_code == 200
    assert backend.calls == [("halt", "operator")]


def test_backend_failure_is_a_500_without_detail(server: ControlServer, backend: Backend) -> None:
    backend.fail = True
    client = ControlClient("127.0.0.1", server.port, TOKEN)
    with pytest.raises(ControlError, match="HTTP 500 backend failure: RuntimeError"):
        client.status()


def test_client_reports_a_trader_that_is_not_running(backend: Backend) -> None:
    with start_control_server(backend, TOKEN) as running:
        port = running.port
    with pytest.raises(ControlUnavailable, match="is the trader running"):
        ControlClient("127.0.0.1", port, TOKEN, timeout_s=2).status()


def test_short_tokens_are_refused(backend: Backend) -> None:
    with pytest.raises(TokenError):
        start_control_server(backend, "short")


def test_token_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    token = load_or_create_token(tmp_path / "data", {}, ENV)
    path = tmp_path / "data" / TOKEN_FILENAME
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(token) >= 32
    assert load_or_create_token(tmp_path / "data", {}, ENV) == token
    assert read_token(tmp_path / "data", {}, ENV) == token


def test_environment_token_wins_and_nothing_is_written(tmp_path: Path) -> None:
    assert load_or_create_token(tmp_path, {ENV: " from-env-token-123456 "}, ENV) == (
        "from-env-token-123456"
    )
    assert not (tmp_path / TOKEN_FILENAME).exists()
    assert read_token(tmp_path, {}, ENV) is None


def test_an_empty_token_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / TOKEN_FILENAME).write_text("\n")
    with pytest.raises(TokenError, match="empty"):
        read_token(tmp_path, {}, ENV)


def test_a_client_hanging_up_mid_request_is_not_a_traceback(
    server: ControlServer, backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
        sock.sendall(b"POST /halt HTTP/1.1\r\nContent-Length: 100\r\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    client = ControlClient("127.0.0.1", server.port, TOKEN)
    assert client.status()["state"] == "active"
    assert "Traceback" not in capsys.readouterr().err
    assert backend.calls == []
