"""The `model` channel of a recording: weather forecasts and rates priors as JSON text.

One frame is one JSON object with `"kind": "weather_forecast"` or `"rates_prior"` and the
frame's fields (`WeatherForecast.as_dict()` / `RatesPrior.as_dict()`). The simulator writes
the frames it generates (and a live recorder would write the frames the model poller hands
its `on_frame`); a replay decodes them back through bounded parsing, so it sees the same
frames at the same receive times. A frame that does not decode is a counted `FeedReject`,
never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import orjson

from astra.adapters.bounded import (
    BoundReason,
    OutOfBounds,
    bounded_decimal,
    bounded_int,
    bounded_timestamp_ms,
    check_depth,
)
from astra.domain.models.frames import ModelFrame, RatesPrior, WeatherForecast
from astra.domain.reasons import FeedReject

MAX_FRAME_CHARS = 8_192
MAX_OUTCOMES = 32
_WEATHER_KEYS = frozenset(WeatherForecast.__dataclass_fields__) | {"kind"}
_RATES_KEYS = frozenset(RatesPrior.__dataclass_fields__) | {"kind"}


@dataclass(frozen=True, slots=True)
class ModelDecode:
    events: list[ModelFrame]
    rejects: list[tuple[FeedReject, str]]


class _Reject(ValueError):
    def __init__(self, reason: FeedReject, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def encode_model_frame(frame: ModelFrame) -> str:
    kind = "weather_forecast" if isinstance(frame, WeatherForecast) else "rates_prior"
    return orjson.dumps({"kind": kind, **frame.as_dict()}).decode()


def decode_model_frame(raw: str) -> ModelDecode:
    try:
        return ModelDecode([_frame(raw)], [])
    except _Reject as exc:
        return ModelDecode([], [(exc.reason, exc.detail)])
    except OutOfBounds as exc:
        return ModelDecode([], [(FeedReject(exc.reason.value), exc.detail)])


def _frame(raw: str) -> ModelFrame:
    if len(raw) > MAX_FRAME_CHARS:
        raise _Reject(FeedReject.OUT_OF_RANGE, f"model frame of {len(raw)} chars")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _Reject(FeedReject.MALFORMED_JSON, "model frame is not JSON") from exc
    check_depth(obj, "model frame")
    if not isinstance(obj, dict):
        raise _Reject(FeedReject.NOT_AN_OBJECT, "model frame is not an object")
    kind = obj.get("kind")
    if kind == "weather_forecast":
        _only(obj, _WEATHER_KEYS)
        return _weather(obj)
    if kind == "rates_prior":
        _only(obj, _RATES_KEYS)
        return _rates(obj)
    raise _Reject(FeedReject.UNKNOWN_EVENT_TYPE, f"model frame kind {kind!r}")


def _only(obj: dict[str, object], allowed: frozenset[str]) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise _Reject(FeedReject.UNKNOWN_FIELD, f"model frame fields {extra}")


def _get(obj: dict[str, object], key: str) -> object:
    if key not in obj:
        raise _Reject(FeedReject.MISSING_FIELD, f"model frame has no {key}")
    return obj[key]


def _text(obj: dict[str, object], key: str) -> str:
    value = _get(obj, key)
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise _Reject(FeedReject.BAD_VALUE, f"{key} is not a short string")
    return value


def _degrees(value: object, what: str) -> float:
    degrees = float(bounded_decimal(value, what))
    if not math.isfinite(degrees) or abs(degrees) > 200.0:
        raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"{what} {degrees}")
    return degrees


def _weather(obj: dict[str, object]) -> WeatherForecast:
    observed, observed_ms = obj.get("observed_f"), obj.get("observed_ms")
    if (observed is None) != (observed_ms is None):
        raise _Reject(FeedReject.BAD_VALUE, "observed_f and observed_ms go together")
    return WeatherForecast(
        station=_text(obj, "station"),
        variable=_text(obj, "variable"),
        day_start_ms=bounded_timestamp_ms(_get(obj, "day_start_ms"), "day_start_ms"),
        value_f=_degrees(_get(obj, "value_f"), "value_f"),
        issued_ms=bounded_timestamp_ms(_get(obj, "issued_ms"), "issued_ms"),
        observed_f=None if observed is None else _degrees(observed, "observed_f"),
        observed_ms=None if observed_ms is None else bounded_timestamp_ms(observed_ms),
        source=_text(obj, "source"),
    )


def _rates(obj: dict[str, object]) -> RatesPrior:
    outcomes = _get(obj, "outcomes")
    if not isinstance(outcomes, list) or not 0 < len(outcomes) <= MAX_OUTCOMES:
        raise _Reject(FeedReject.BAD_VALUE, "outcomes is not a short list")
    pairs: list[tuple[int, float]] = []
    for pair in outcomes:
        if not isinstance(pair, list) or len(pair) != 2:
            raise _Reject(FeedReject.BAD_VALUE, "an outcome is not [bp, probability]")
        probability = float(bounded_decimal(pair[1], "probability"))
        if not 0.0 <= probability <= 1.0:
            raise OutOfBounds(BoundReason.OUT_OF_RANGE, f"probability {probability}")
        pairs.append((bounded_int(pair[0], "change_bp", -1_000, 1_000), probability))
    return RatesPrior(
        body=_text(obj, "body"),
        meeting_ms=bounded_timestamp_ms(_get(obj, "meeting_ms"), "meeting_ms"),
        lower_bp=bounded_int(_get(obj, "lower_bp"), "lower_bp", 0, 10_000),
        upper_bp=bounded_int(_get(obj, "upper_bp"), "upper_bp", 0, 10_000),
        outcomes=tuple(pairs),
        as_of_ms=bounded_timestamp_ms(_get(obj, "as_of_ms"), "as_of_ms"),
        source=_text(obj, "source"),
    )
