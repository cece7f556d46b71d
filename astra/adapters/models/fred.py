"""FRED (St. Louis Fed) -> the current federal funds target range, for the rates prior.

Documented API: `GET /fred/series/observations?series_id=<id>&api_key=<key>&file_type=json
&sort_order=desc&limit=<n>` answers `{"observations": [{"date": "YYYY-MM-DD", "value":
"<number>" | "."}, ...]}` ("." is FRED's missing value). The range is the newest observation
of `DFEDTARL` (lower limit, percent) and `DFEDTARU` (upper limit). The key comes from
`$ASTRA_FRED_API_KEY` only; without one the source answers `no_key` and makes no request.

FRED publishes rates, not meeting-outcome odds, so it supplies the range the prior is read
against (a cut below a zero floor is impossible), never the prior itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from astra.adapters.http_client import HttpClient, JsonReply
from astra.adapters.models.parse import (
    SourceError,
    SourceVeto,
    depth_checked,
    field,
    items,
    number,
    text,
)
from astra.domain.reasons import ModelSourceVeto

SOURCE = "fred"
KEY_ENV = "ASTRA_FRED_API_KEY"
LOWER, UPPER = "DFEDTARL", "DFEDTARU"
MAX_RATE_PCT = Decimal(100)


@dataclass(frozen=True, slots=True)
class TargetRange:
    lower_bp: int
    upper_bp: int
    date: str  # the newest observation's date


def fred_key(environ: Mapping[str, str]) -> str:
    return environ.get(KEY_ENV, "").strip()


class FredClient:
    def __init__(self, http: HttpClient, api_key: str) -> None:
        self._http = http
        self._key = api_key

    async def target_range(self) -> TargetRange | SourceVeto:
        if not self._key:
            return SourceVeto(SOURCE, ModelSourceVeto.NO_KEY, f"${KEY_ENV} is not set")
        try:
            lower_date, lower = await self._latest(LOWER)
            upper_date, upper = await self._latest(UPPER)
        except SourceError as exc:
            return SourceVeto(SOURCE, exc.reason, exc.detail)
        if upper < lower or lower_date != upper_date:
            detail = f"{LOWER} {lower} ({lower_date}), {UPPER} {upper} ({upper_date})"
            return SourceVeto(SOURCE, ModelSourceVeto.BAD_VALUE, detail)
        return TargetRange(lower, upper, lower_date)

    async def _latest(self, series: str) -> tuple[str, int]:
        params = {
            "series_id": series,
            "api_key": self._key,
            "file_type": "json",
            "sort_order": "desc",
            "limit": "10",
        }
        reply = await self._http.get_json("/fred/series/observations", params)
        if not isinstance(reply, JsonReply):
            # The reply's detail names the path, never the query (the key stays out of logs).
            raise SourceError(ModelSourceVeto.REQUEST_FAILED, f"{series}: {reply.reason}")
        body = depth_checked(reply.body, series)
        for observation in items(body, "observations", limit=1_000):
            raw = field(observation, "value")
            if raw == ".":
                continue  # FRED's missing value: the previous day is the newest known
            pct = number(raw, f"{series} value")
            if not 0 <= pct <= MAX_RATE_PCT:
                raise SourceError(ModelSourceVeto.BAD_VALUE, f"{series} {pct}%")
            bp = pct * 100
            if bp != bp.to_integral_value():
                raise SourceError(ModelSourceVeto.BAD_VALUE, f"{series} {pct}% is not whole bp")
            return text(observation, "date"), int(bp)
        raise SourceError(ModelSourceVeto.NO_VALUE, f"{series} has no observation")
