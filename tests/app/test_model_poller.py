"""The live model poller against real loopback NWS and FRED servers: it feeds (and hands on
for recording) one frame per key, and a missing prior or key gives no rates frame."""

from __future__ import annotations

from dataclasses import replace

import anyio

from astra.actors.model_board import ModelRoutes
from astra.adapters.http_client import HttpSettings
from astra.adapters.models.parse import SourceVeto
from astra.app.model_poller import ModelPoller
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import MODEL_SOURCE_VETOES_TOTAL, CountingMetrics
from astra.domain.models.frames import ModelFrame, RatesPrior, WeatherForecast
from astra.domain.reasons import ModelSourceVeto
from astra.settings_models import ModelsSettings
from tests.adapters.loopback_models import ModelSources, fred_routes, nws_routes, serve
from tests.domain.models.cases import DAY_START, rates, weather

NOW = DAY_START + 16 * 3_600_000
ROUTES = ModelRoutes(
    {"0xw": replace(weather(), market_id="0xw"), "0xr": replace(rates(), market_id="0xr")}
)
PRIOR = ModelsSettings(
    rates_prior_body="fed", rates_prior_meeting="2026-06-17", rates_prior=((-25, 0.3), (0, 0.7))
)


def poll(
    sources: ModelSources, models: ModelsSettings, environ: dict[str, str]
) -> tuple[list[ModelFrame], list[ModelFrame], list[SourceVeto]]:
    fed: list[ModelFrame] = []
    recorded: list[ModelFrame] = []
    models = replace(models, nws_base_url=sources.base_url, fred_base_url=sources.base_url)

    def feed(frame: ModelFrame) -> bool:
        fed.append(frame)
        return True

    poller = ModelPoller(
        ROUTES, feed, models, HttpSettings(retries=0, timeout_s=2.0), ManualClock(NOW),
        environ=environ, on_frame=recorded.append,
    )  # fmt: skip
    anyio.run(poller.poll_once)
    return fed, recorded, poller.vetoes


def test_one_frame_per_key_fed_and_recorded() -> None:
    with serve(nws_routes() | fred_routes()) as sources:
        fed, recorded, vetoes = poll(sources, PRIOR, {"ASTRA_FRED_API_KEY": "k"})
    assert fed == recorded
    assert vetoes == []
    prior, forecast = fed  # key order: rates:fed, then weather:KLGA:...
    assert isinstance(prior, RatesPrior)
    assert (prior.lower_bp, prior.upper_bp, prior.source) == (425, 450, "settings+fred")
    assert prior.outcomes == ((-25, 0.3), (0, 0.7))
    assert prior.as_of_ms == NOW
    assert isinstance(forecast, WeatherForecast)
    assert forecast.key == ROUTES.frame_keys()[1]
    assert forecast.observed_f is not None
    agents = {r.user_agent for r in sources.requests if not r.path.startswith("/fred")}
    assert agents == {PRIOR.nws_user_agent}


def test_without_a_fred_key_and_range_there_is_no_prior_frame() -> None:
    with serve(nws_routes() | fred_routes()) as sources:
        fed, _, vetoes = poll(sources, PRIOR, {})
    assert [type(f) for f in fed] == [WeatherForecast]
    assert [v.reason for v in vetoes] == [ModelSourceVeto.NO_KEY]
    assert not [r for r in sources.requests if r.path.startswith("/fred")]


def test_a_configured_range_needs_no_fred_and_no_prior_means_no_frame() -> None:
    ranged = replace(PRIOR, rates_target_lower_bp=400, rates_target_upper_bp=425)
    with serve(nws_routes()) as sources:
        fed, _, vetoes = poll(sources, ranged, {})
        assert isinstance(fed[0], RatesPrior)
        assert fed[0].source == "settings"
        assert vetoes == []
        bare, _, _ = poll(sources, ModelsSettings(), {"ASTRA_FRED_API_KEY": "k"})
    assert [type(f) for f in bare] == [WeatherForecast]
    assert not [r for r in sources.requests if r.path.startswith("/fred")]


def test_a_failing_nws_gives_no_weather_frame_but_a_named_veto() -> None:
    with serve(nws_routes() | fred_routes()) as sources:
        sources.statuses["/gridpoints/OKX/37,38"] = 500
        fed, _, vetoes = poll(sources, PRIOR, {"ASTRA_FRED_API_KEY": "k"})
    assert [type(f) for f in fed] == [RatesPrior]
    assert [(v.source, v.reason) for v in vetoes] == [("nws", ModelSourceVeto.REQUEST_FAILED)]


def test_source_vetoes_are_counted_by_source_and_reason() -> None:
    """Each refused answer is one count under its source and name (the dashboard's panel)."""
    metrics = CountingMetrics()
    models = replace(PRIOR, fred_base_url="http://127.0.0.1:9")
    with serve(nws_routes()) as sources:
        sources.raw["/gridpoints/OKX/37,38"] = b'{"properties": {"updateTime": 5}}'
        models = replace(models, nws_base_url=sources.base_url)
        poller = ModelPoller(
            ROUTES, lambda _f: True, models, HttpSettings(retries=0, timeout_s=2.0),
            ManualClock(NOW), environ={}, metrics=metrics,
        )  # fmt: skip
        anyio.run(poller.poll_once)
        anyio.run(poller.poll_once)
    counted = {
        dict(labels)["source"] + ":" + dict(labels)["reason"]: value
        for (name, labels), value in metrics.counters.items()
        if name == MODEL_SOURCE_VETOES_TOTAL
    }
    assert counted == {"fred:no_key": 2.0, "nws:bad_shape": 2.0}
