"""`[models]`: the weather and rates models' parameters and their data sources.

Kept beside `settings.py` (which only adds the section) so the models' knobs live in one
place. Numeric knobs have rules in `settings_rules.py`. The rates prior is the user's:
`rates_prior` is a list of [change_bp, probability] pairs for the `rates_prior_body`'s
meeting on `rates_prior_meeting` (YYYY-MM-DD); empty means no prior, and the rates category
is vetoed `no_prior` (FRED publishes the target range, not meeting-outcome odds). The FRED
key is read from `$ASTRA_FRED_API_KEY` by the adapter, never stored in settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelsSettings:
    # weather_exceedance: σ of the day's extreme = base + per_day × lead days (°F).
    weather_sigma_base_f: float = 4.0
    weather_sigma_per_day_f: float = 0.75
    weather_forecast_stale_s: float = 21_600.0
    weather_observation_stale_s: float = 7_200.0
    nws_base_url: str = "https://api.weather.gov"
    # api.weather.gov asks every client for a User-Agent that identifies it and a contact.
    nws_user_agent: str = "astra/0.1 (paper trader; set [models] nws_user_agent)"
    # rates_event: the user's prior and the band around it.
    rates_prior_body: str = ""
    rates_prior_meeting: str = ""
    rates_prior: tuple[tuple[int, float], ...] = ()
    rates_target_lower_bp: int = -1  # -1: unknown (then FRED's DFEDTARL, or no prior)
    rates_target_upper_bp: int = -1
    rates_half_width: float = 0.05
    rates_prior_stale_s: float = 86_400.0
    fred_base_url: str = "https://api.stlouisfed.org"
    model_poll_interval_s: float = 600.0
