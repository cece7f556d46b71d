"""The local control API: status, halt, resume, cancel-all, health and readiness over HTTP.

A stdlib `ThreadingHTTPServer` in a daemon thread, bound to 127.0.0.1 unless configured. Every
endpoint except `/healthz` and `/readyz` needs `Authorization: Bearer <token>`, compared in
constant time; without it the answer is 401 and nothing reaches the backend. The composition
root implements `ControlBackend`; this module only speaks HTTP and JSON.

Responses are JSON objects. A backend result with `"ok": false` (e.g. a resume refused during
cooldown) is answered 409 so clients can tell "refused" from "done". A backend that raises is a
500 with the exception's type, and the failure is logged with its traceback.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

import orjson

from astra.adapters.bounded import MAX_DEPTH, too_deep
from astra.adapters.closing import ServerThread

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
TOKEN_FILENAME = "control.token"  # noqa: S105 - a file name, not a secret
MAX_BODY_BYTES = 4096
MAX_REASON_CHARS = 200
DEFAULT_HALT_REASON = "operator"

JsonDict = dict[str, Any]


class ControlBackend(Protocol):
    """What the running engine offers the operator. Each call returns a JSON-able dict."""

    def status(self) -> JsonDict: ...

    def halt(self, reason: str) -> JsonDict: ...

    def resume(self, rebase_peak: bool = False) -> JsonDict: ...

    def cancel_all(self) -> JsonDict: ...

    def health(self) -> JsonDict: ...

    def readiness(self) -> tuple[bool, JsonDict]: ...


class TokenError(RuntimeError):
    """The control token cannot be read or created safely."""


def read_token(data_dir: Path | str, env: Mapping[str, str], env_name: str) -> str | None:
    """The token from `env[env_name]`, else from `<data_dir>/control.token`, else None."""
    from_env = env.get(env_name, "").strip()
    if from_env:
        return from_env
    path = Path(data_dir) / TOKEN_FILENAME
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenError(f"cannot read the control token file {path}: {exc}") from exc
    if not text:
        raise TokenError(f"the control token file {path} is empty")
    return text


def load_or_create_token(data_dir: Path | str, env: Mapping[str, str], env_name: str) -> str:
    """The existing token, or a new random one written to `<data_dir>/control.token` (0600)."""
    existing = read_token(data_dir, env, env_name)
    if existing is not None:
        return existing
    path = Path(data_dir) / TOKEN_FILENAME
    token = secrets.token_urlsafe(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never overwrite a token another process just wrote; 0600 from creation on.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_token(data_dir, env, env_name)
    except OSError as exc:
        raise TokenError(f"cannot create the control token file {path}: {exc}") from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], backend: ControlBackend, token: str) -> None:
        super().__init__(address, _Handler)
        self.backend = backend
        self.token = token.encode()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver's default prints a traceback to stderr; a client that hangs up mid-request
        # is routine (the CLI timed out, a probe disconnected), anything else is logged in full.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            log.debug("control API: client went away: %s", type(error).__name__)
            return
        log.exception("control API: request handling failed")


class _BadRequest(ValueError):
    pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # A client that stops mid-request must not pin a thread forever.
    timeout = 5.0

    def do_GET(self) -> None:
        route = {"/status": self._status, "/healthz": self._healthz, "/readyz": self._readyz}
        self._dispatch(route, other={"/halt", "/resume", "/cancel-all"})

    def do_POST(self) -> None:
        route = {"/halt": self._halt, "/resume": self._resume, "/cancel-all": self._cancel_all}
        self._dispatch(route, other={"/status", "/healthz", "/readyz"})

    def _dispatch(
        self, route: Mapping[str, Callable[[], tuple[int, JsonDict]]], other: set[str]
    ) -> None:
        path = self.path.split("?", 1)[0]
        action = route.get(path)
        if action is None:
            status = HTTPStatus.METHOD_NOT_ALLOWED if path in other else HTTPStatus.NOT_FOUND
            self._reply(status, {"error": status.phrase.lower()})
            return
        if path not in {"/healthz", "/readyz"} and not self._authorised():
            self._reply(HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong bearer token"})
            return
        try:
            code, body = action()
        except _BadRequest as exc:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        except Exception as exc:
            log.exception("control API: %s %s failed in the backend", self.command, path)
            body = {"error": f"backend failure: {type(exc).__name__}"}
            self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, body)
            return
        self._reply(code, body)

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode(), self.server.token)

    def _status(self) -> tuple[int, JsonDict]:
        return HTTPStatus.OK, self.server.backend.status()

    def _healthz(self) -> tuple[int, JsonDict]:
        body = self.server.backend.health()
        alive = body.get("alive", True) is not False
        return (HTTPStatus.OK if alive else HTTPStatus.SERVICE_UNAVAILABLE), body

    def _readyz(self) -> tuple[int, JsonDict]:
        ready, detail = self.server.backend.readiness()
        body = {"ready": ready, **detail}
        return (HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE), body

    def _halt(self) -> tuple[int, JsonDict]:
        reason = _reason(self._json_body())
        log.warning("control API: halt requested", extra={"reason": reason})
        return _outcome(self.server.backend.halt(reason))

    def _resume(self) -> tuple[int, JsonDict]:
        rebase = self._json_body().get("rebase_peak", False)
        if not isinstance(rebase, bool):
            raise _BadRequest("rebase_peak must be true or false")
        log.warning("control API: resume requested", extra={"rebase_peak": rebase})
        return _outcome(self.server.backend.resume(rebase_peak=rebase))

    def _cancel_all(self) -> tuple[int, JsonDict]:
        self._json_body()
        log.warning("control API: cancel-all requested")
        return _outcome(self.server.backend.cancel_all())

    def _json_body(self) -> JsonDict:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as exc:
            raise _BadRequest("bad Content-Length") from exc
        if length < 0 or length > MAX_BODY_BYTES:
            raise _BadRequest(f"body must be 0..{MAX_BODY_BYTES} bytes")
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        try:
            # orjson, not json: the stdlib raises RecursionError on 4 KB of "[" and ValueError
            # on a 5,000-digit number; orjson refuses both as JSON errors.
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise _BadRequest("body is not JSON") from exc
        if too_deep(body):
            raise _BadRequest(f"body nests deeper than {MAX_DEPTH}")
        if not isinstance(body, dict):
            raise _BadRequest("body must be a JSON object")
        return body

    def _reply(self, status: int, body: JsonDict) -> None:
        data = json.dumps(body, sort_keys=True, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if status == HTTPStatus.UNAUTHORIZED:
            self.send_header("WWW-Authenticate", 'Bearer realm="astra"')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        # The request line never contains the token (it travels in a header), so it is safe.
        log.debug("control API: " + format, *args)


def _reason(body: JsonDict) -> str:
    reason = body.get("reason", DEFAULT_HALT_REASON)
    if not isinstance(reason, str) or not reason.strip():
        raise _BadRequest("reason must be a non-empty string")
    if len(reason) > MAX_REASON_CHARS:
        raise _BadRequest(f"reason must be at most {MAX_REASON_CHARS} characters")
    return reason.strip()


def _outcome(result: JsonDict) -> tuple[int, JsonDict]:
    return (HTTPStatus.OK if result.get("ok", True) is not False else HTTPStatus.CONFLICT), result


class ControlServer(ServerThread):
    """A running control API; `close()` stops it and frees the port."""

    __slots__ = ()


def start_control_server(
    backend: ControlBackend, token: str, host: str = DEFAULT_HOST, port: int = 0
) -> ControlServer:
    """Serve the control API on host:port (0 = a free port); raises OSError if it cannot bind."""
    if len(token) < 16:
        raise TokenError("the control token must be at least 16 characters")
    server = _Server((host, port), backend, token)
    # A short poll interval keeps close() prompt; the cost is a wake-up every 50 ms.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="astra-control-api", daemon=True
    )
    thread.start()
    bound_port = int(server.server_address[1])
    log.info("control API listening", extra={"host": host, "port": bound_port})
    return ControlServer(host=host, port=bound_port, _server=server, _thread=thread)
