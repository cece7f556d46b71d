"""Live model frames: poll NWS and build the rates prior, feed the engine, hand each frame on.

For every key the engine's markets read (`ModelRoutes`): a weather key asks `NwsClient` for
the station's forecast (and, on the day, the running extreme); a rates key gets the user's
prior from `[models]` (`rates_prior`, `rates_prior_body`, `rates_prior_meeting`) read against
the current target range — `[models] rates_target_lower_bp/upper_bp` when set, else FRED's
(`$ASTRA_FRED_API_KEY`). A source that fails gives no frame (its markets keep the last one
until it is stale, then skip `forecast_stale`; without any, `no_forecast` / `no_prior`),
and its `SourceVeto` is logged and counted by name
(`astra_model_source_vetoes_total{source,reason}`; the HTTP client also counts its requests).

The user's prior is stamped with the poll time: it is as current as the running settings.
`on_frame` receives every frame fed (a recorder writes it to the `model` channel).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import anyio

from astra.actors.model_board import ModelRoutes
from astra.adapters.http_client import HttpClient, HttpSettings
from astra.adapters.models.fred import FredClient, TargetRange, fred_key
from astra.adapters.models.nws import NwsClient
from astra.adapters.models.parse import SourceVeto
from astra.domain.clock import Clock
from astra.domain.contracts.contract import RatesEventContract, WeatherExceedanceContract
from astra.domain.metrics_port import MODEL_SOURCE_VETOES_TOTAL, MetricsSink
from astra.domain.models.frames import ModelFrame, RatesPrior
from astra.settings_models import ModelsSettings

_log = logging.getLogger(__name__)
MAX_VETOES_KEPT = 256  # the latest source vetoes, for status and tests (each is also logged)
FrameSink = Callable[[ModelFrame], None]


def settings_prior(
    models: ModelsSettings, body: str, target: TargetRange | None, now_ms: int
) -> RatesPrior | None:
    """The user's prior for `body`, or None (no prior, another bank, no meeting, no range)."""
    if not models.rates_prior or models.rates_prior_body.lower() != body.lower():
        return None
    try:
        meeting = datetime.strptime(models.rates_prior_meeting, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    lower, upper = models.rates_target_lower_bp, models.rates_target_upper_bp
    source = "settings"
    if lower < 0 or upper < 0:
        if target is None:
            return None  # no range: a cut below the floor could not be ruled out
        lower, upper, source = target.lower_bp, target.upper_bp, "settings+fred"
    outcomes = tuple((int(bp), float(p)) for bp, p in models.rates_prior)
    meeting_ms = int(meeting.timestamp() * 1000)
    return RatesPrior(body.lower(), meeting_ms, lower, upper, outcomes, now_ms, source)


class ModelPoller:
    def __init__(
        self,
        routes: ModelRoutes,
        feed: Callable[[ModelFrame], bool],
        models: ModelsSettings,
        http: HttpSettings,
        clock: Clock,
        *,
        environ: Mapping[str, str],
        on_frame: FrameSink | None = None,
        metrics: MetricsSink | None = None,
    ) -> None:
        self._routes = routes
        self._feed = feed
        self._models = models
        self._clock = clock
        self._on_frame = on_frame
        self._metrics = metrics
        nws_http = HttpSettings(
            timeout_s=http.timeout_s, retries=http.retries, user_agent=models.nws_user_agent
        )
        self._nws_http = HttpClient(models.nws_base_url, nws_http, service="nws")
        self._fred_http = HttpClient(models.fred_base_url, http, service="fred")
        self._nws = NwsClient(self._nws_http)
        self._fred = FredClient(self._fred_http, fred_key(environ))
        self.vetoes: list[SourceVeto] = []
        self._target: TargetRange | None = None
        self._asked_fred = False

    async def poll_once(self) -> list[ModelFrame]:
        """One round over every key; the frames fed (in key order)."""
        now = self._clock.now_ms()
        routes = self._routes
        self._target = None
        self._asked_fred = False
        fed: list[ModelFrame] = []
        for key in routes.frame_keys():
            frame = await self._frame(routes.contract(key), now)
            if isinstance(frame, SourceVeto):
                self._veto(key, frame)
            elif frame is not None:
                self._feed(frame)
                if self._on_frame is not None:
                    self._on_frame(frame)
                fed.append(frame)
        return fed

    async def _frame(self, contract: object, now: int) -> ModelFrame | SourceVeto | None:
        if isinstance(contract, WeatherExceedanceContract):
            return await self._nws.forecast(
                contract.station, contract.variable, contract.window_start_ms, now
            )
        if not isinstance(contract, RatesEventContract):
            return None
        if not self._asked_fred and self._needs_range():
            self._asked_fred = True  # one range per round, for every rates key
            found = await self._fred.target_range()
            if isinstance(found, SourceVeto):
                self._veto(f"rates:{contract.body}", found)
            else:
                self._target = found
        return settings_prior(self._models, contract.body, self._target, now)

    async def run(self) -> None:
        try:
            while True:
                await self.poll_once()
                await anyio.sleep(self._models.model_poll_interval_s)
        finally:
            with anyio.CancelScope(shield=True):
                await self._nws_http.aclose()
                await self._fred_http.aclose()

    def _needs_range(self) -> bool:
        m = self._models
        return bool(m.rates_prior) and (m.rates_target_lower_bp < 0 or m.rates_target_upper_bp < 0)

    def _veto(self, key: str, veto: SourceVeto) -> None:
        self.vetoes.append(veto)
        del self.vetoes[:-MAX_VETOES_KEPT]
        if self._metrics is not None:
            labels = {"source": veto.source, "reason": str(veto.reason)}
            self._metrics.inc(MODEL_SOURCE_VETOES_TOTAL, labels)
        _log.warning("model source %s for %s: %s (%s)", veto.source, key, veto.reason, veto.detail)
