"""Instants in contracts: int ms UTC, or ISO-8601 text with an explicit offset.

Every spelling of the same instant ("...T16:00:00Z", "...T12:00:00-04:00", 1773244800000)
normalises to the same int, so the definition hash does not depend on spelling (B-18).
A date without a time, or a time without an offset, is refused: it does not name an
instant (the original accepted both).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from astra.domain.reasons import LintCode

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# Plausible contract times: after the first crypto price feeds, before 2100.
MIN_INSTANT_MS = 1_230_768_000_000  # 2009-01-01T00:00:00Z
MAX_INSTANT_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_instant(value: object) -> int | LintCode:
    """An instant as int ms UTC, or the lint code saying why it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return LintCode.INVALID_TYPE
    millis = value if isinstance(value, int) else _parse_text(value)
    if isinstance(millis, LintCode):
        return millis
    if not MIN_INSTANT_MS <= millis < MAX_INSTANT_MS:
        return LintCode.TIME_OUT_OF_RANGE
    return millis


def _parse_text(text: str) -> int | LintCode:
    if _DATE_ONLY.fullmatch(text.strip()):
        return LintCode.DATE_ONLY_TIME
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return LintCode.INVALID_TIME
    if moment.tzinfo is None or moment.utcoffset() is None:
        return LintCode.NAIVE_TIME
    if moment.microsecond % 1000:
        return LintCode.INVALID_TIME  # finer than a millisecond: not representable exactly
    return (moment - _EPOCH) // _MS


def format_instant(millis: int) -> str:
    """ISO-8601 UTC with milliseconds, e.g. 2026-03-11T16:00:00.000Z."""
    moment = _EPOCH + millis * _MS
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
