"""The shared async HTTP helper for venue REST calls: rate limit, retries, timeouts, vetoes.

Every request ends in exactly one of two values: a decoded JSON body (`JsonReply`) or a
`RequestVeto` naming why there is no answer (status, timeout, connection, invalid body). Nothing
raises past this module for a network or protocol failure, so callers cannot forget to handle
one and cannot mistake an error for an empty answer.

Retries cover only what can heal by waiting (timeouts, connection errors, 429, 5xx), with
exponential backoff and jitter drawn from a seeded generator; clock and sleep are injectable so
tests run the real code without real waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import anyio
import httpx
import orjson

from astra.adapters.bounded import MAX_DEPTH, too_deep
from astra.domain.metrics_port import HTTP_REQUESTS_TOTAL, MetricsSink
from astra.domain.reasons import VenueVeto

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
QueryValue = str | int | bool | Sequence[str]

_RETRYABLE = frozenset({VenueVeto.TIMEOUT, VenueVeto.CONNECTION, VenueVeto.RATE_LIMITED})
_SERVER_ERROR = 500
_TOO_MANY = 429


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Transport policy for one venue service. All durations in seconds."""

    timeout_s: float = 10.0
    retries: int = 3  # extra attempts after the first, for retryable failures only
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0
    rate_per_s: float = 20.0  # well below the venue's published limits (§2.1)
    burst: int = 10
    seed: int = 0
    user_agent: str = "astra/0.1 (paper trader)"

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.rate_per_s <= 0 or self.burst < 1 or self.retries < 0:
            raise ValueError("timeout and rate must be > 0, burst >= 1, retries >= 0")


@dataclass(frozen=True, slots=True)
class RequestVeto:
    """No answer, and why. `status` is the HTTP status when there was one."""

    reason: VenueVeto
    detail: str
    status: int | None = None
    body: object = None  # the decoded error body, when the server sent JSON

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


@dataclass(frozen=True, slots=True)
class JsonReply:
    """A 2xx answer with a JSON body (any JSON value; callers validate its shape)."""

    status: int
    body: object


class TokenBucket:
    """Client-side rate limiter: `rate_per_s` sustained, `burst` at once."""

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        self._rate = rate_per_s
        self._burst = float(burst)
        self._tokens = float(burst)
        self._monotonic = monotonic
        self._sleep = sleep
        self._last = monotonic()

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now

    async def acquire(self) -> float:
        """Take one token, waiting as long as needed. Returns the seconds waited."""
        waited = 0.0
        while True:
            self._refill()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return waited
            wait = (1.0 - self._tokens) / self._rate
            waited += wait
            await self._sleep(wait)


class Backoff:
    """Exponential backoff with 'equal jitter': half fixed, half drawn from a seeded generator."""

    def __init__(self, base_s: float, max_s: float, seed: int) -> None:
        self._base = base_s
        self._max = max_s
        # Not for security: jitter only has to decorrelate clients and be reproducible.
        self._rng = random.Random(seed)  # noqa: S311

    def delay(self, attempt: int) -> float:
        ceiling = min(self._max, self._base * (2.0**attempt))
        return ceiling / 2.0 + self._rng.uniform(0.0, ceiling / 2.0)


class HttpClient:
    """One venue service (base URL) over one httpx.AsyncClient; `async with` closes it."""

    def __init__(
        self,
        base_url: str,
        settings: HttpSettings,
        *,
        service: str = "http",
        bucket: TokenBucket | None = None,
        metrics: MetricsSink | None = None,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._settings = settings
        self._service = service
        self._bucket = bucket or TokenBucket(settings.rate_per_s, settings.burst, sleep=sleep)
        self._backoff = Backoff(settings.backoff_base_s, settings.backoff_max_s, settings.seed)
        self._metrics = metrics
        self._sleep = sleep
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        self._open()
        return self

    def _open(self) -> httpx.AsyncClient:
        self._client = httpx.AsyncClient(
            base_url=self._base_url,
            timeout=httpx.Timeout(self._settings.timeout_s),
            headers={"User-Agent": self._settings.user_agent, "Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,  # a stray proxy variable must not reroute venue traffic
        )
        return self._client

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get_json(
        self, path: str, params: Mapping[str, QueryValue] | None = None
    ) -> JsonReply | RequestVeto:
        return await self._request("GET", path, params=params, body=None)

    async def post_json(self, path: str, body: object) -> JsonReply | RequestVeto:
        return await self._request("POST", path, params=None, body=body)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None,
        body: object,
    ) -> JsonReply | RequestVeto:
        attempt = 0
        while True:
            await self._bucket.acquire()
            outcome = await self._attempt(method, path, params, body)
            self._count(outcome)
            if isinstance(outcome, JsonReply) or not _retryable(outcome):
                return outcome
            if attempt >= self._settings.retries:
                return _exhausted(outcome, attempt + 1)
            await self._sleep(self._backoff.delay(attempt))
            attempt += 1

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None,
        body: object,
    ) -> JsonReply | RequestVeto:
        # Opened lazily so a client can be used without `async with` (then call aclose()).
        client = self._client or self._open()
        content = None if body is None else orjson.dumps(body)
        headers = None if content is None else {"Content-Type": "application/json"}
        try:
            response = await client.request(
                method, path, params=_query(params), content=content, headers=headers
            )
        except httpx.TimeoutException as exc:
            return RequestVeto(VenueVeto.TIMEOUT, f"{method} {path}: {type(exc).__name__}")
        except httpx.TransportError as exc:
            return RequestVeto(VenueVeto.CONNECTION, f"{method} {path}: {type(exc).__name__}")
        return _decode(method, path, response)

    def _count(self, outcome: JsonReply | RequestVeto) -> None:
        if self._metrics is None:
            return
        label = "ok" if isinstance(outcome, JsonReply) else str(outcome.reason)
        self._metrics.inc(HTTP_REQUESTS_TOTAL, {"service": self._service, "outcome": label})


def _query(params: Mapping[str, QueryValue] | None) -> httpx.QueryParams | None:
    if params is None:
        return None
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in params.items():
        if isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        elif isinstance(value, str | int):
            pairs.append((key, str(value)))
        else:
            pairs.extend((key, item) for item in value)
    return httpx.QueryParams(pairs)


def _decode(method: str, path: str, response: httpx.Response) -> JsonReply | RequestVeto:
    where = f"{method} {path}"
    try:
        body: object = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
        valid = False
    else:
        valid = True
    status = response.status_code
    if status == _TOO_MANY:
        return RequestVeto(VenueVeto.RATE_LIMITED, f"{where}: HTTP 429", status, body)
    if not 200 <= status < 300:
        return RequestVeto(VenueVeto.HTTP_STATUS, f"{where}: HTTP {status}", status, body)
    if not valid:
        return RequestVeto(VenueVeto.INVALID_BODY, f"{where}: body is not JSON", status)
    if too_deep(body):
        return RequestVeto(VenueVeto.INVALID_BODY, f"{where}: body nests deeper than {MAX_DEPTH}")
    return JsonReply(status, body)


def _retryable(veto: RequestVeto) -> bool:
    if veto.reason in _RETRYABLE:
        return True
    return veto.reason is VenueVeto.HTTP_STATUS and (veto.status or 0) >= _SERVER_ERROR


def _exhausted(veto: RequestVeto, attempts: int) -> RequestVeto:
    return RequestVeto(
        veto.reason, f"{veto.detail} (after {attempts} attempts)", veto.status, veto.body
    )
