"""Weather markets -> `WeatherExceedanceContract`: station, quantity, threshold, day, source.

"Will the highest temperature at LaGuardia (KLGA) be 80°F or higher on July 15?": the ICAO
station (four capitals in parentheses or after "station"), the quantity (highest/lowest
temperature, precipitation, snowfall), an integer threshold with its unit and direction, and
the measurement day (the 24 hours that end at the end date). A bucket ("80-81°F") is a
multi-outcome leg, not an exceedance: a veto.
"""

from __future__ import annotations

import re

from astra.domain.contract_builders.common import (
    BuildResult,
    Veto,
    check_wording,
    end_date,
    finish,
    resolution_source,
    resolves_to,
)
from astra.domain.contracts.contract import Direction, WeatherExceedanceContract
from astra.domain.market import MarketInfo
from astra.domain.reasons import BuildVeto

NAME = "weather_exceedance"
DAY_MS = 86_400_000
_WEATHER = re.compile(
    r"\b(?:temperature|precipitation|rainfall|rain|snowfall|snow)\b|°\s*[FC]\b", re.I
)
_STATION = re.compile(r"\(([A-Z]{4})\)|\bstation\s+([A-Z]{4})\b")
_QUANTITIES = (
    ("max_temp", re.compile(r"\b(?:highest|high|maximum|max)\s+temp(?:erature)?\b", re.I)),
    ("min_temp", re.compile(r"\b(?:lowest|low|minimum|min)\s+temp(?:erature)?\b", re.I)),
    ("precipitation", re.compile(r"\b(?:precipitation|rainfall|rain)\b", re.I)),
    ("snowfall", re.compile(r"\b(?:snowfall|snow)\b", re.I)),
)
_RANGE = re.compile(r"\d+(?:\.\d+)?\s*°?\s*(?:-|–|to)\s*\d+(?:\.\d+)?\s*°?\s*[FC]?\b", re.I)
_DEGREES = re.compile(r"(?P<n>-?\d+(?:\.\d+)?)\s*°\s*(?P<unit>[FC])\b")
_AMOUNT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>inches|inch|in|mm)\b", re.I)
_INCLUSIVE = (
    (Direction.ABOVE, re.compile(r"\bor\s+(?:higher|above|more)\b|\bat\s+least\b", re.I)),
    (Direction.BELOW, re.compile(r"\bor\s+(?:lower|below|less)\b|\bat\s+most\b", re.I)),
)
_STRICT = (
    (Direction.ABOVE, re.compile(r"\b(?:above|exceeds?|over|greater\s+than|more\s+than)\b", re.I)),
    (Direction.BELOW, re.compile(r"\b(?:below|under|less\s+than)\b", re.I)),
)


def looks_like(info: MarketInfo) -> bool:
    return info.category == "weather" or _WEATHER.search(info.question) is not None


def build(info: MarketInfo) -> BuildResult:
    check_wording(info)
    if tuple(o.lower() for o in info.outcomes) != ("yes", "no") or not resolves_to(
        info.description, "Yes"
    ):
        raise Veto(BuildVeto.NO_RESOLUTION_RULE, 'a weather market resolves "Yes" or "No"')
    station = _station(f"{info.question}\n{info.description}")
    quantities = [name for name, p in _QUANTITIES if p.search(info.question)]
    if len(quantities) != 1:
        raise Veto(BuildVeto.NO_QUANTITY, f"quantities named: {quantities}")
    variable = quantities[0]
    if _RANGE.search(info.question):
        raise Veto(BuildVeto.RANGE_BUCKET, "a range bucket is one leg of a multi-outcome event")
    threshold, unit = _threshold(info.question, variable)
    direction, inclusive = _direction(info.question)
    cutoff = end_date(info)
    contract = WeatherExceedanceContract(
        market_id=info.condition_id,
        cutoff_ms=cutoff,
        station=station,
        variable=variable,
        unit=unit,
        threshold=threshold,
        direction=direction,
        inclusive=inclusive,
        window_start_ms=cutoff - DAY_MS,
        resolution_source=resolution_source(info),
        rounding="source_precision",
        finality="final_report",
    )
    return finish(NAME, contract)


def _station(text: str) -> str:
    found: set[str] = {m.group(1) or m.group(2) for m in _STATION.finditer(text)}
    if len(found) != 1:
        raise Veto(BuildVeto.NO_STATION, f"ICAO stations named: {sorted(found)}")
    return found.pop()


def _threshold(question: str, variable: str) -> tuple[int, str]:
    pattern = _DEGREES if variable.endswith("_temp") else _AMOUNT
    found = list(pattern.finditer(question))
    if len(found) != 1:
        raise Veto(BuildVeto.NO_THRESHOLD, f"{len(found)} thresholds in the question")
    number, unit = found[0].group("n"), found[0].group("unit")
    if "." in number:
        raise Veto(BuildVeto.NO_THRESHOLD, f"threshold {number} is not whole")
    if not variable.endswith("_temp"):
        unit = "mm" if unit.lower() == "mm" else "in"
    return int(number), unit


def _direction(question: str) -> tuple[Direction, bool]:
    inclusive = [d for d, p in _INCLUSIVE if p.search(question)]
    strict = [d for d, p in _STRICT if p.search(question)]
    if len(inclusive) == 1 and not set(strict) - set(inclusive):
        return inclusive[0], True
    if not inclusive and len(strict) == 1:
        return strict[0], False
    raise Veto(BuildVeto.NO_THRESHOLD, "no single direction (or higher / or lower)")
