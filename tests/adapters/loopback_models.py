"""A real HTTP server on 127.0.0.1 speaking the NWS and FRED paths the model adapters use.

Routes map a path (and, for FRED, the `series_id` query) to a fixture body from
tests/fixtures/models (see SOURCES.md there: hand-built from the documented shapes). Faults
per path: an HTTP status or a raw (invalid) body. Every request's path, query and
User-Agent is recorded for assertions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def nws_routes() -> dict[str, Any]:
    return {
        "/stations/KLGA": fixture("nws/station_KLGA.json"),
        "/points/40.7792,-73.8800": fixture("nws/points_KLGA.json"),
        "/gridpoints/OKX/37,38": fixture("nws/gridpoint_OKX_37_38.json"),
        "/stations/KLGA/observations": fixture("nws/observations_KLGA_2026-06-03.json"),
    }


def fred_routes() -> dict[str, Any]:
    return {
        f"/fred/series/observations?{s}": fixture(f"fred/{s}.json")
        for s in ("DFEDTARL", "DFEDTARU")
    }


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    user_agent: str


@dataclass
class ModelSources:
    routes: dict[str, Any]
    statuses: dict[str, int] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    base_url: str = ""

    def key(self, path: str, query: dict[str, list[str]]) -> str:
        series = query.get("series_id")
        return f"{path}?{series[0]}" if series else path


def _handler(sources: ModelSources) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            sources.requests.append(Request(parts.path, query, self.headers.get("User-Agent", "")))
            key = sources.key(parts.path, query)
            if key in sources.statuses:
                self._send(sources.statuses[key], b'{"title": "fault"}')
            elif key in sources.raw:
                self._send(200, sources.raw[key])
            elif key in sources.routes:
                self._send(200, json.dumps(sources.routes[key]).encode())
            else:
                self._send(404, b'{"title": "Not Found"}')

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/geo+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(routes: dict[str, Any]) -> Iterator[ModelSources]:
    sources = ModelSources(routes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(sources))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sources.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield sources
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
