"""Dates and times in question and description text, converted to UTC ms.

Eastern Time is converted with zoneinfo (America/New_York), so DST is right on every date;
"EST"/"EDT" are the fixed offsets they name. A local time that does not exist or occurs
twice (the DST switch hours) is refused rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from astra.domain.reasons import ParseVeto

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_DATE = re.compile(
    r"(?:(?P<prep>on|by|before|until|through|at|in)\s+(?:the\s+end\s+of\s+)?)?"
    + r"\b"
    + _MONTH
    + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<year>\d{4}))?\b",
    re.IGNORECASE,
)
_MONTH_ONLY = re.compile(
    r"\b(?P<prep>in|during|by\s+the\s+end\s+of)\s+" + _MONTH + r"(?:\s+(?P<year>\d{4}))?\b",
    re.IGNORECASE,
)
_SLASH_DATE = re.compile(r"\b(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})\b")
_TIME = re.compile(
    r"(?<![\d:/.])(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?::(?P<second>\d{2}))?"
    r"(?!\d)\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*(?:in\s+the\s+)?(?P<zone>ET|EST|EDT|UTC|GMT)\b"
)
EASTERN = ZoneInfo("America/New_York")
_ZONES: dict[str, tzinfo] = {
    "ET": EASTERN,
    "EST": timezone(timedelta(hours=-5)),
    "EDT": timezone(timedelta(hours=-4)),
    "UTC": UTC,
    "GMT": UTC,
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_INFER_TOLERANCE = timedelta(days=45)


@dataclass(frozen=True, slots=True)
class DateSpec:
    """A date named in a question; `day` None means the whole month."""

    month: int
    day: int | None
    year: int | None
    preposition: str


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    hour: int
    minute: int
    second: int
    zone: tzinfo


def question_date(question: str) -> DateSpec | ParseVeto:
    days = {_spec(m, day=True) for m in _DAY_DATE.finditer(question)}
    months = {_spec(m, day=False) for m in _MONTH_ONLY.finditer(question)}
    months = {m for m in months if not any(d.month == m.month for d in days)}
    found = days | months
    if not found:
        return ParseVeto.NO_DATE
    if len({(d.month, d.day, d.year) for d in found}) > 1:
        return ParseVeto.MULTIPLE_DATES
    return max(found, key=lambda d: len(d.preposition))


def _spec(match: re.Match[str], *, day: bool) -> DateSpec:
    return DateSpec(
        month=_MONTHS[match["month"].lower()],
        day=int(match["day"]) if day else None,
        year=int(match["year"]) if match["year"] else None,
        preposition=" ".join((match["prep"] or "").lower().split()),
    )


def description_year(description: str, month: int, day: int | None) -> int | None:
    """The year the description gives for this month/day ("June 17, 2022", "2022/12/30")."""
    years = {
        int(m["year"])
        for m in _DAY_DATE.finditer(description)
        if m["year"]
        and _MONTHS[m["month"].lower()] == month
        and (day is None or int(m["day"]) == day)
    }
    years |= {
        int(m["year"])
        for m in _SLASH_DATE.finditer(description)
        if int(m["month"]) == month and (day is None or int(m["day"]) == day)
    }
    return years.pop() if len(years) == 1 else None


def infer_year(month: int, day: int, end_date_ms: int | None) -> int | ParseVeto:
    """The year closest to the market's end date, if the date is near it at all."""
    if end_date_ms is None:
        return ParseVeto.MISSING_YEAR
    end = _EPOCH + end_date_ms * _MS
    best: tuple[timedelta, int] | None = None
    for year in (end.year - 1, end.year, end.year + 1):
        try:
            candidate = datetime(year, month, day, 12, tzinfo=UTC)
        except ValueError:
            continue
        gap = abs(candidate - end)
        if best is None or gap < best[0]:
            best = (gap, year)
    if best is None or best[0] > _INFER_TOLERANCE:
        return ParseVeto.YEAR_MISMATCH
    return best[1]


def first_time(description: str) -> TimeOfDay | ParseVeto:
    """The first time of day with a named zone ("12:00 in the ET timezone", "12 PM ET")."""
    for match in _TIME.finditer(description):
        parsed = _time_of(match)
        if parsed is not None:
            return parsed
    return ParseVeto.NO_RESOLUTION_TIME


def _time_of(match: re.Match[str]) -> TimeOfDay | None:
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    second = int(match["second"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return TimeOfDay(hour, minute, second, _ZONES[match["zone"]])


def zone_named(description: str) -> tzinfo | None:
    zones = {_ZONES[m["zone"]] for m in _TIME.finditer(description)}
    return zones.pop() if len(zones) == 1 else None


def to_utc_ms(year: int, month: int, day: int, time: TimeOfDay) -> int | ParseVeto:
    try:
        local = datetime(year, month, day, time.hour, time.minute, time.second, tzinfo=time.zone)
    except ValueError:
        return ParseVeto.INVALID_DATE
    # A wall time in the DST gap or overlap has two readings (or none): refuse it.
    if local.utcoffset() != local.replace(fold=1).utcoffset():
        return ParseVeto.INVALID_DATE
    return (local - _EPOCH) // _MS


def month_bounds(year: int, month: int, zone: tzinfo) -> tuple[int, int]:
    """[first instant of the month, first instant of the next month) in `zone`, as UTC ms."""
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return (start - _EPOCH) // _MS, (end - _EPOCH) // _MS


_DATED_TIME = re.compile(
    r"\b"
    + _MONTH
    + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4}),?\s+(?:at\s+)?"
    + _TIME.pattern,
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DatedTime:
    month: int
    day: int
    utc_ms: int


def dated_times(description: str) -> tuple[DatedTime, ...] | ParseVeto:
    """Every "<Month> <day>, <year>, <time> <zone>" in the description, as UTC instants."""
    found: list[DatedTime] = []
    for match in _DATED_TIME.finditer(description):
        time = _time_of(match)
        if time is None:
            return ParseVeto.NO_RESOLUTION_TIME
        month, day = _MONTHS[match["month"].lower()], int(match["day"])
        millis = to_utc_ms(int(match["year"]), month, day, time)
        if isinstance(millis, ParseVeto):
            return millis
        found.append(DatedTime(month, day, millis))
    return tuple(found)
