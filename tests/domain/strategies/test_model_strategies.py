"""The weather and rates strategies: the crypto path (EV gate on the band's lower bound,
capped Kelly, maker quote) behind their own model stage, with named data vetoes."""

from __future__ import annotations

from dataclasses import replace

from astra.domain.contracts.contract import RateAction
from astra.domain.reasons import GateVeto
from astra.domain.strategies import DecisionAction, MarketView
from astra.domain.strategies.rates_strategy import RatesStrategy
from astra.domain.strategies.registry import build_strategy, strategy_name_for
from astra.domain.strategies.weather_strategy import WeatherStrategy
from astra.settings import Settings

from ..models.cases import DAY_START, MARKET, MEETING, forecast, prior, rates, weather
from .scenario import INFO, view

HOUR = 3_600_000
BEFORE_DAY = DAY_START - 12 * HOUR
ON_DAY = DAY_START + 15 * HOUR
W_INFO = replace(INFO, condition_id=MARKET, category="weather", end_date_ms=DAY_START + 24 * HOUR)
R_INFO = replace(INFO, condition_id=MARKET, category="rates", end_date_ms=MEETING + 24 * HOUR)


def _at(base: MarketView, now_ms: int) -> MarketView:
    """The scenario books, updated at `now_ms` (so only the model data can be stale)."""
    yes = replace(base.yes, last_update_ms=now_ms)
    return replace(base, yes=yes, no=replace(base.no, last_update_ms=now_ms))


def wview(frame: object = None, now_ms: int = BEFORE_DAY) -> MarketView:
    return _at(view(info=W_INFO, spot=None, model_frame=frame), now_ms)


def rview(frame: object = None, now_ms: int = MEETING - 2 * HOUR) -> MarketView:
    return _at(view(info=R_INFO, spot=None, model_frame=frame), now_ms)


def test_weather_quotes_yes_when_the_band_lower_bound_beats_the_price() -> None:
    fresh = forecast(86.0, issued_ms=BEFORE_DAY - HOUR)
    decision = WeatherStrategy(weather()).evaluate(wview(fresh), BEFORE_DAY)
    assert decision.action is DecisionAction.QUOTE, decision
    [target] = decision.targets
    assert (target.asset_id, target.price, target.reason) == (
        "yes",
        7100,
        "weather_exceedance_maker",
    )
    analysis = decision.payload()["analysis"]
    assert analysis["estimate"]["p_low"] > 0.71
    assert analysis["forecast"]["value_f"] == 86.0
    assert target.edge_pips > 0


def test_weather_forecast_below_threshold_buys_no() -> None:
    cold = forecast(72.0, issued_ms=BEFORE_DAY)
    decision = WeatherStrategy(weather()).evaluate(
        wview(
            cold,
        ),
        BEFORE_DAY,
    )
    assert [t.asset_id for t in decision.targets] == ["no"]


def test_weather_named_data_vetoes() -> None:
    strategy = WeatherStrategy(weather())
    none = strategy.evaluate(wview(None), BEFORE_DAY)
    assert (none.action, none.veto) == (DecisionAction.SKIP, GateVeto.NO_FORECAST)
    stale = strategy.evaluate(wview(forecast(86.0, issued_ms=BEFORE_DAY - 7 * HOUR)), BEFORE_DAY)
    assert stale.veto is GateVeto.FORECAST_STALE
    no_obs = strategy.evaluate(wview(forecast(86.0, issued_ms=ON_DAY), ON_DAY), ON_DAY)
    assert no_obs.veto is GateVeto.NO_FORECAST
    old_obs = forecast(86.0, issued_ms=ON_DAY, observed_f=70.0, observed_ms=ON_DAY - 3 * HOUR)
    assert strategy.evaluate(wview(old_obs, ON_DAY), ON_DAY).veto is GateVeto.FORECAST_STALE
    other_station = replace(forecast(86.0, issued_ms=BEFORE_DAY), station="KJFK")
    assert strategy.evaluate(wview(other_station), BEFORE_DAY).veto is GateVeto.NO_FORECAST
    assert (
        WeatherStrategy(rates()).evaluate(wview(), BEFORE_DAY).veto is GateVeto.UNSUPPORTED_CONTRACT
    )


def test_weather_on_the_day_a_decided_market_quotes_only_the_winning_side() -> None:
    done = forecast(75.0, issued_ms=ON_DAY, observed_f=82.0, observed_ms=ON_DAY)
    decision = WeatherStrategy(weather()).evaluate(wview(done, ON_DAY), ON_DAY)
    assert [t.asset_id for t in decision.targets] == ["yes"]
    assert decision.payload()["analysis"]["estimate"]["certain"] is True


def test_rates_quotes_against_the_prior_and_vetoes_without_one() -> None:
    as_of = MEETING - 2 * HOUR
    strong = prior(((-25, 0.9), (0, 0.1)), as_of_ms=as_of)
    decision = RatesStrategy(rates()).evaluate(rview(strong), as_of)
    assert decision.action is DecisionAction.QUOTE, decision
    [target] = decision.targets
    assert (target.asset_id, target.reason) == ("yes", "rates_event_maker")
    assert decision.payload()["analysis"]["estimate"]["p_low"] == 0.85
    hold = RatesStrategy(rates(RateAction.HOLD)).evaluate(rview(strong), as_of)
    assert [t.asset_id for t in hold.targets] == ["no"]
    bare = RatesStrategy(rates()).evaluate(rview(None), as_of)
    assert (bare.action, bare.veto) == (DecisionAction.SKIP, GateVeto.NO_PRIOR)
    late_ms = as_of + 25 * HOUR
    late = RatesStrategy(rates()).evaluate(rview(strong, late_ms), late_ms)
    assert late.veto is GateVeto.FORECAST_STALE


def test_rates_no_edge_is_the_ev_veto() -> None:
    as_of = MEETING - 2 * HOUR
    fair = prior(((-25, 0.71), (0, 0.29)), as_of_ms=as_of)
    decision = RatesStrategy(rates()).evaluate(rview(fair), as_of)
    assert decision.veto is GateVeto.EV_BELOW_THRESHOLD


def test_registry_routes_the_categories_to_their_strategies() -> None:
    settings = Settings()
    assert strategy_name_for(settings, W_INFO, weather()) == "weather_exceedance"
    assert strategy_name_for(settings, R_INFO, rates()) == "rates_event"
    built = build_strategy("weather_exceedance", settings, W_INFO, weather())
    assert isinstance(built, WeatherStrategy)
    assert built.name == "weather_exceedance"
    assert build_strategy("rates_event", settings, R_INFO, rates()).name == "rates_event"
