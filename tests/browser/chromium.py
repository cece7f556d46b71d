"""Render a local HTML file in Debian's headless Chromium over the DevTools protocol: console
errors, uncaught exceptions, failed loads, a DOM query and a full-page screenshot.

Chromium is started with every background-networking feature off (this machine has no
network; the page under test must need none) and a fresh profile; it is always killed at the
end. `chromium_path()` is None when the browser is not installed, so tests skip with a reason.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-port=0",
)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageFacts:
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    query: Any = None
    screenshot: bytes = b""


class _Session:
    def __init__(self, ws: ClientConnection, session_id: str) -> None:
        self._ws = ws
        self._session = session_id
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, timeout_s: float = 30.0, **params: Any) -> dict[str, Any]:
        ident = next(self._ids)
        message = {"id": ident, "method": method, "params": params, "sessionId": self._session}
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout_s
        while True:
            reply = json.loads(self._ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if reply.get("id") == ident:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout_s: float = 30.0) -> None:
        if any(e["method"] == method for e in self.events):
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            event = json.loads(self._ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if "method" in event:
                self.events.append(event)
                if event["method"] == method:
                    return
        raise TimeoutError(method)


def render(html: Path, query_js: str, *, timeout_s: float = 60.0) -> PageFacts:
    """Open `html` (file://), let it load, run `query_js` (its JSON-able value is returned in
    `query`) and take a full-page PNG screenshot."""
    binary = chromium_path()
    if binary is None:
        raise FileNotFoundError("chromium is not installed")
    with tempfile.TemporaryDirectory(prefix="astra-chromium-") as profile:
        proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            endpoint = _endpoint(Path(profile), proc, timeout_s)
            with connect(endpoint, max_size=64 * 2**20, open_timeout=timeout_s) as ws:
                return _visit(ws, html, query_js, timeout_s)
        finally:
            proc.kill()
            proc.wait(timeout=30)


def _endpoint(profile: Path, proc: subprocess.Popen[bytes], timeout_s: float) -> str:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} before it listened")
        if marker.is_file():
            lines = marker.read_text().split()
            if len(lines) >= 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)
    raise TimeoutError("chromium did not open its DevTools port")


def _visit(ws: ClientConnection, html: Path, query_js: str, timeout_s: float) -> PageFacts:
    ws.send(
        json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}})
    )
    target = _reply(ws, 1, timeout_s)["targetId"]
    params = {"targetId": target, "flatten": True}
    ws.send(json.dumps({"id": 2, "method": "Target.attachToTarget", "params": params}))
    page = _Session(ws, _reply(ws, 2, timeout_s)["sessionId"])
    for domain in ("Page", "Runtime", "Log", "Network"):
        page.call(f"{domain}.enable")
    page.call("Page.navigate", url=html.resolve().as_uri())
    page.wait_for("Page.loadEventFired", timeout_s)
    facts = PageFacts()
    value = page.call("Runtime.evaluate", expression=query_js, returnByValue=True)
    facts.query = value.get("result", {}).get("value")
    metrics = page.call("Page.getLayoutMetrics")
    size = metrics["cssContentSize"]
    shot = page.call(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    )
    facts.screenshot = base64.b64decode(shot["data"])
    _collect(page.events, facts)
    return facts


def _reply(ws: ClientConnection, ident: int, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        message = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if message.get("id") == ident:
            result: dict[str, Any] = message["result"]
            return result


def _collect(events: list[dict[str, Any]], facts: PageFacts) -> None:
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            facts.console_errors.append(json.dumps(params.get("args", []))[:500])
        elif method == "Runtime.exceptionThrown":
            facts.exceptions.append(json.dumps(params.get("exceptionDetails", {}))[:500])
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            facts.console_errors.append(str(params["entry"].get("text", ""))[:500])
        elif method == "Network.loadingFailed":
            facts.failed_requests.append(str(params.get("errorText", "")))
