"""NWS and FRED adapters against a real loopback HTTP server serving documented shapes."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio
import pytest

from astra.adapters.http_client import HttpClient, HttpSettings
from astra.adapters.models.fred import FredClient, TargetRange, fred_key
from astra.adapters.models.nws import NwsClient
from astra.adapters.models.parse import SourceVeto
from astra.domain.models.frames import WeatherForecast
from astra.domain.reasons import ModelSourceVeto

from .loopback_models import ModelSources, fred_routes, nws_routes, serve

T = TypeVar("T")
UA = "astra-test/18 (ops@example.invalid)"
FAST = HttpSettings(timeout_s=2.0, retries=0, user_agent=UA)


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


DAY = ms("2026-06-03T00:00:00")


def run(sources: ModelSources, call: Callable[[HttpClient], Awaitable[T]]) -> T:
    async def go() -> T:
        async with HttpClient(sources.base_url, FAST, service="model") as http:
            return await call(http)

    return anyio.run(go)


def nws(sources: ModelSources, variable: str = "max_temp", now: int = DAY + 16 * 3_600_000) -> Any:
    return run(sources, lambda http: NwsClient(http).forecast("KLGA", variable, DAY, now))


def test_nws_forecast_and_running_max_on_the_day() -> None:
    with serve(nws_routes()) as sources:
        frame = nws(sources)
    assert isinstance(frame, WeatherForecast), frame
    # 30.0 degC for the 13 h block inside the day; the previous day's block does not overlap.
    assert frame.value_f == pytest.approx(86.0)
    assert frame.issued_ms == ms("2026-06-02T14:05:12")
    # Readings 26.1 and 27.2 degC (a null one skipped, never read as 0): max 80.96 F.
    assert frame.observed_f == pytest.approx(27.2 * 9 / 5 + 32)
    assert frame.observed_ms == ms("2026-06-03T15:51:00")
    assert frame.key == f"weather:KLGA:max_temp:{DAY}"
    assert {r.user_agent for r in sources.requests} == {UA}
    obs = [r for r in sources.requests if r.path.endswith("/observations")]
    assert obs[0].query == {"start": ["2026-06-03T00:00:00Z"], "end": ["2026-06-03T16:00:00Z"]}


def test_nws_daily_low_and_no_observations_before_the_day() -> None:
    with serve(nws_routes()) as sources:
        frame = nws(sources, "min_temp", now=DAY - 3_600_000)
    assert isinstance(frame, WeatherForecast)
    assert frame.value_f == pytest.approx(65.0)  # the block with 13 h inside the day wins
    assert (frame.observed_f, frame.observed_ms) == (None, None)
    assert not [r for r in sources.requests if r.path.endswith("/observations")]


def _broken(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    routes = nws_routes()
    grid = copy.deepcopy(routes["/gridpoints/OKX/37,38"])
    mutate(grid["properties"])
    routes["/gridpoints/OKX/37,38"] = grid
    return routes


def _null_day(props: dict[str, Any]) -> None:
    props["maxTemperature"]["values"][1]["value"] = None


@pytest.mark.parametrize(
    ("routes", "reason"),
    [
        (_broken(lambda p: p.pop("maxTemperature")), ModelSourceVeto.BAD_SHAPE),
        (_broken(lambda p: p["maxTemperature"].update(uom="wmoUnit:K")), ModelSourceVeto.BAD_VALUE),
        (
            _broken(lambda p: p["maxTemperature"]["values"][1].update(value="1e999")),
            ModelSourceVeto.BAD_VALUE,
        ),
        (_broken(lambda p: p.update(updateTime="yesterday")), ModelSourceVeto.BAD_SHAPE),
        (
            _broken(
                lambda p: p["maxTemperature"]["values"][1].update(
                    validTime="2026-06-03T11:00:00+00:00/PT0H"
                )
            ),
            ModelSourceVeto.BAD_SHAPE,
        ),
        (_broken(_null_day), ModelSourceVeto.NO_VALUE),
    ],
)
def test_nws_bad_responses_are_named_vetoes(
    routes: dict[str, Any], reason: ModelSourceVeto
) -> None:
    with serve(routes) as sources:
        frame = nws(sources)
    assert isinstance(frame, SourceVeto)
    assert frame.reason is reason, frame


def test_nws_http_failures_are_request_failed() -> None:
    with serve(nws_routes()) as sources:
        sources.statuses["/gridpoints/OKX/37,38"] = 503
        failed = nws(sources)
    with serve(nws_routes()) as sources:
        sources.raw["/stations/KLGA/observations"] = b"{not json"
        garbled = nws(sources)
    for frame in (failed, garbled):
        assert isinstance(frame, SourceVeto)
        assert frame.reason is ModelSourceVeto.REQUEST_FAILED


def fred(sources: ModelSources, key: str = "k3y") -> TargetRange | SourceVeto:
    return run(sources, lambda http: FredClient(http, key).target_range())


def test_fred_target_range_skips_missing_values_and_sends_the_key() -> None:
    with serve(fred_routes()) as sources:
        found = fred(sources)
    assert found == TargetRange(425, 450, "2026-06-01")
    first = sources.requests[0].query
    assert first["api_key"] == ["k3y"]
    assert first["file_type"] == ["json"]
    assert first["sort_order"] == ["desc"]


def test_fred_without_a_key_asks_nothing() -> None:
    assert fred_key({}) == ""
    assert fred_key({"ASTRA_FRED_API_KEY": " abc "}) == "abc"
    with serve(fred_routes()) as sources:
        found = fred(sources, key="")
    assert isinstance(found, SourceVeto)
    assert found.reason is ModelSourceVeto.NO_KEY
    assert sources.requests == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", ModelSourceVeto.BAD_VALUE),
        ("4.255", ModelSourceVeto.BAD_VALUE),
        (None, ModelSourceVeto.BAD_VALUE),
    ],
)
def test_fred_bad_values_are_vetoed(value: object, reason: ModelSourceVeto) -> None:
    routes = fred_routes()
    routes["/fred/series/observations?DFEDTARU"]["observations"][1]["value"] = value
    with serve(routes) as sources:
        found = fred(sources)
    assert isinstance(found, SourceVeto), found
    assert found.reason is reason, found


def test_fred_http_error_is_request_failed_and_keeps_the_key_out_of_the_detail() -> None:
    with serve(fred_routes()) as sources:
        sources.statuses["/fred/series/observations?DFEDTARL"] = 400
        found = fred(sources, key="s3cret")
    assert isinstance(found, SourceVeto)
    assert found.reason is ModelSourceVeto.REQUEST_FAILED
    assert "s3cret" not in found.detail
