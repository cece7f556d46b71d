"""A client for the local control API (`astra.adapters.control_api`), used by the CLI.

Every failure is a `ControlError` with a one-line message an operator can act on; a trader
that is not running (nothing listening, or the connection reset) is `ControlUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

JsonDict = dict[str, Any]


class ControlError(RuntimeError):
    """The control API refused or failed a request."""


class ControlUnavailable(ControlError):
    """Nothing answers at the control address: the trader is not running (or not there)."""


@dataclass(frozen=True, slots=True)
class ControlClient:
    host: str
    port: int
    token: str
    timeout_s: float = 5.0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def status(self) -> JsonDict:
        return self._call("GET", "/status")

    def halt(self, reason: str) -> JsonDict:
        return self._call("POST", "/halt", {"reason": reason})

    def resume(self, rebase_peak: bool = False) -> JsonDict:
        return self._call("POST", "/resume", {"rebase_peak": True} if rebase_peak else {})

    def cancel_all(self) -> JsonDict:
        return self._call("POST", "/cancel-all", {})

    def health(self) -> JsonDict:
        return self._call("GET", "/healthz", auth=False)

    def ready(self) -> tuple[bool, JsonDict]:
        response = self._send("GET", "/readyz", None, auth=False)
        body = _json(response)
        if response.status_code not in (200, 503):
            raise ControlError(f"/readyz answered HTTP {response.status_code}")
        return response.status_code == 200, body

    def _call(
        self, method: str, path: str, body: JsonDict | None = None, *, auth: bool = True
    ) -> JsonDict:
        response = self._send(method, path, body, auth=auth)
        result = _json(response)
        if response.status_code == 401:
            raise ControlError("the control API refused the token (HTTP 401)")
        if response.status_code == 409:
            detail = result.get("error") or result.get("detail") or "refused"
            raise ControlError(f"{path.lstrip('/')} refused: {detail}")
        if response.status_code != 200:
            detail = result.get("error", "")
            raise ControlError(f"{path} answered HTTP {response.status_code} {detail}".strip())
        return result

    def _send(self, method: str, path: str, body: JsonDict | None, *, auth: bool) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        try:
            with httpx.Client(timeout=self.timeout_s, trust_env=False) as client:
                return client.request(method, self.base_url + path, json=body, headers=headers)
        except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            raise ControlUnavailable(
                f"no Astra control API at {self.base_url} (is the trader running?)"
            ) from exc
        except httpx.TimeoutException as exc:
            raise ControlError(f"the control API at {self.base_url} timed out") from exc
        except httpx.HTTPError as exc:
            raise ControlError(f"control API request failed: {type(exc).__name__}") from exc


def _json(response: httpx.Response) -> JsonDict:
    try:
        body = response.json()
    except ValueError as exc:
        raise ControlError(
            f"the control API answered non-JSON (HTTP {response.status_code})"
        ) from exc
    if not isinstance(body, dict):
        raise ControlError("the control API answered JSON that is not an object")
    return body
