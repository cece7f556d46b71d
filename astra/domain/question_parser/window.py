"""The window of a touch question: when the price may first reach the strike.

"in March" is the calendar month in the description's time zone. "by December 31" needs
the description to name both ends with a time and zone ("between January 1, 2026, 12:00 AM
ET and December 31, 2026, 11:59 PM ET"); without a named start the window is unknown and
the question vetoes (a touch that happened before the window does not count).
"""

from __future__ import annotations

from astra.domain.question_parser import dates
from astra.domain.reasons import ParseVeto


def touch_window(spec: dates.DateSpec, year: int, description: str) -> tuple[int, int] | ParseVeto:
    """(window start, cutoff) in UTC ms, or why the window is unknown."""
    if spec.day is None:
        zone = dates.zone_named(description)
        if zone is None:
            return ParseVeto.NO_RESOLUTION_TIME
        return dates.month_bounds(year, spec.month, zone)
    named = dates.dated_times(description)
    if isinstance(named, ParseVeto):
        return named
    ends = {t.utc_ms for t in named if (t.month, t.day) == (spec.month, spec.day)}
    if len(ends) != 1:
        return ParseVeto.NO_RESOLUTION_TIME
    cutoff = ends.pop()
    starts = {t.utc_ms for t in named if t.utc_ms < cutoff}
    if len(starts) != 1:
        return ParseVeto.NO_WINDOW_START
    return starts.pop(), cutoff
