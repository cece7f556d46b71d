"""The US National Weather Service API (api.weather.gov) -> `WeatherForecast` frames.

Documented endpoints, no key; the API asks each client for a User-Agent that names it and a
contact (`[models] nws_user_agent`, sent on every request by the HTTP client):

1. `/stations/{id}`: the ICAO station's point (GeoJSON `geometry.coordinates` = [lon, lat]);
2. `/points/{lat},{lon}`: its forecast office and grid cell (`properties.gridId`,
   `gridX`, `gridY`); both are cached per station;
3. `/gridpoints/{office}/{x},{y}`: the raw forecast grid; `properties.maxTemperature` /
   `minTemperature` hold `{uom, values: [{validTime: "<start>/<ISO duration>", value}]}` and
   `properties.updateTime` the forecast's time. The value whose interval overlaps the
   contract's day the most is the day's forecast extreme;
4. on the day, `/stations/{id}/observations?start=..&end=..`: GeoJSON features whose
   `properties.temperature` `{unitCode, value}` (value may be null) give the running max/min.

Every request goes through the fail-closed `HttpClient`; every value through bounded
parsing. A failure is a `SourceVeto` naming why (`request_failed`, `bad_shape`,
`bad_value`, `no_value`), never an exception and never a guessed frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from astra.adapters.http_client import HttpClient, JsonReply
from astra.adapters.models.parse import (
    SourceError,
    SourceVeto,
    depth_checked,
    field,
    instant_ms,
    interval_ms,
    items,
    number,
    shape,
    temperature_f,
    text,
)
from astra.domain.models.frames import DAY_MS, WeatherForecast
from astra.domain.reasons import ModelSourceVeto

SOURCE = "nws"
LAYERS = {"max_temp": "maxTemperature", "min_temp": "minTemperature"}


@dataclass(frozen=True, slots=True)
class GridCell:
    office: str
    x: int
    y: int


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class NwsClient:
    """Forecast frames for (station, variable, day) from api.weather.gov."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http
        self._cells: dict[str, GridCell] = {}

    async def forecast(
        self, station: str, variable: str, day_start_ms: int, now_ms: int
    ) -> WeatherForecast | SourceVeto:
        layer = LAYERS.get(variable)
        if layer is None:
            return SourceVeto(SOURCE, ModelSourceVeto.BAD_VALUE, f"no NWS layer for {variable}")
        try:
            cell = await self._cell(station)
            value_f, issued_ms = await self._grid_value(cell, layer, day_start_ms)
            observed = None
            if now_ms >= day_start_ms:
                observed = await self._observed(station, variable, day_start_ms, now_ms)
        except SourceError as exc:
            return SourceVeto(SOURCE, exc.reason, exc.detail)
        obs_f, obs_ms = observed if observed is not None else (None, None)
        return WeatherForecast(
            station, variable, day_start_ms, value_f, issued_ms, obs_f, obs_ms, SOURCE
        )

    async def _get(self, path: str, params: dict[str, str] | None = None) -> object:
        reply = await self._http.get_json(path, params)
        if not isinstance(reply, JsonReply):
            raise SourceError(ModelSourceVeto.REQUEST_FAILED, f"{path}: {reply}")
        return depth_checked(reply.body, path)

    async def _cell(self, station: str) -> GridCell:
        known = self._cells.get(station)
        if known is not None:
            return known
        body = await self._get(f"/stations/{station}")
        coords = items(body, "geometry", "coordinates", limit=3)
        if len(coords) < 2:
            raise shape("station geometry.coordinates has no [lon, lat]")
        lon, lat = number(coords[0], "longitude"), number(coords[1], "latitude")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise SourceError(ModelSourceVeto.BAD_VALUE, f"station at {lat},{lon}")
        point = await self._get(f"/points/{lat:.4f},{lon:.4f}")
        cell = GridCell(
            text(point, "properties", "gridId"),
            _grid_index(field(point, "properties", "gridX"), "gridX"),
            _grid_index(field(point, "properties", "gridY"), "gridY"),
        )
        self._cells[station] = cell
        return cell

    async def _grid_value(self, cell: GridCell, layer: str, day_start_ms: int) -> tuple[float, int]:
        body = await self._get(f"/gridpoints/{cell.office}/{cell.x},{cell.y}")
        issued = instant_ms(field(body, "properties", "updateTime"), "updateTime")
        unit = field(body, "properties", layer, "uom")
        day_end = day_start_ms + DAY_MS
        best: tuple[int, float] | None = None
        for entry in items(body, "properties", layer, "values"):
            start, end = interval_ms(field(entry, "validTime"), f"{layer}.validTime")
            overlap = min(end, day_end) - max(start, day_start_ms)
            raw = field(entry, "value")
            if overlap <= 0 or raw is None:
                continue
            value = temperature_f(raw, unit, layer)
            if best is None or overlap > best[0]:
                best = (overlap, value)
        if best is None:
            raise SourceError(ModelSourceVeto.NO_VALUE, f"no {layer} for the day {day_start_ms}")
        return best[1], issued

    async def _observed(
        self, station: str, variable: str, day_start_ms: int, now_ms: int
    ) -> tuple[float, int] | None:
        end = min(now_ms, day_start_ms + DAY_MS)
        params = {"start": _iso(day_start_ms), "end": _iso(end)}
        body = await self._get(f"/stations/{station}/observations", params)
        readings: list[tuple[int, float]] = []
        for feature in items(body, "features"):
            ts = instant_ms(field(feature, "properties", "timestamp"), "observation timestamp")
            temp = field(feature, "properties", "temperature")
            raw = field(temp, "value")
            if raw is None or not day_start_ms <= ts <= end:
                continue  # a missing reading is skipped, never read as 0
            readings.append((ts, temperature_f(raw, field(temp, "unitCode"), "temperature")))
        if not readings:
            return None
        values = [v for _, v in readings]
        extreme = max(values) if variable == "max_temp" else min(values)
        return extreme, max(ts for ts, _ in readings)


def _grid_index(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
        raise shape(f"{what} is not a grid index")
    return value
