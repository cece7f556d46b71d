"""Cross-field lint rules, run on the fields that passed their own checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from astra.domain.contracts.contract import Category, Kind, RateAction
from astra.domain.reasons import LintCode

Finding = tuple[LintCode, str, str]  # (code, field, message)
Rule = Callable[[Mapping[str, object]], list[Finding]]

_TEMPERATURE = frozenset({"max_temp", "min_temp"})


def _window(values: Mapping[str, object], *, required: bool) -> list[Finding]:
    start, cutoff = values.get("window_start_ms"), values.get("cutoff_ms")
    if start is None:
        if required:
            return [(LintCode.MISSING_FIELD, "window_start_ms", "a window needs its start")]
        return []
    if isinstance(start, int) and isinstance(cutoff, int) and start >= cutoff:
        return [(LintCode.INVALID_WINDOW, "window_start_ms", "window starts at or after cutoff")]
    return []


def _crypto(values: Mapping[str, object]) -> list[Finding]:
    found: list[Finding] = []
    kind = values.get("kind")
    if kind is Kind.TOUCH:
        found += _window(values, required=True)
    elif kind is Kind.CLOSE and "window_start_ms" in values:
        found.append(
            (LintCode.WINDOW_NOT_ALLOWED, "window_start_ms", "a close contract has no window")
        )
    feed, underlying, quote = (
        values.get("oracle_feed"),
        values.get("underlying"),
        values.get("quote"),
    )
    if isinstance(feed, str) and isinstance(underlying, str) and isinstance(quote, str):
        symbol = feed.split(":")[1]
        if symbol != f"{underlying}{quote}":
            found.append(
                (
                    LintCode.FEED_MISMATCH,
                    "oracle_feed",
                    f"feed {symbol} is not {underlying}/{quote}",
                )
            )
    return found


def _rates(values: Mapping[str, object]) -> list[Finding]:
    action, change = values.get("action"), values.get("change_bps")
    if not isinstance(change, int) or action is None:
        return []
    if (action is RateAction.HOLD) != (change == 0):
        return [(LintCode.INCONSISTENT, "change_bps", f"{action} with a change of {change} bps")]
    return []


def _event_ops(values: Mapping[str, object]) -> list[Finding]:
    found = _window(values, required=False)
    if ("neg_risk_event_id" in values) != ("outcome" in values):
        found.append(
            (LintCode.INCONSISTENT, "outcome", "a neg-risk leg names its event and its outcome")
        )
    return found


def _weather(values: Mapping[str, object]) -> list[Finding]:
    found = _window(values, required=True)
    variable, unit = values.get("variable"), values.get("unit")
    if isinstance(variable, str) and isinstance(unit, str):
        temperature_unit = unit in {"F", "C"}
        if (variable in _TEMPERATURE) != temperature_unit:
            found.append((LintCode.INCONSISTENT, "unit", f"{unit} does not measure {variable}"))
    return found


RULES: dict[Category, Rule] = {
    Category.CRYPTO_THRESHOLD: _crypto,
    Category.RATES_EVENT: _rates,
    Category.EVENT_OPS: _event_ops,
    Category.WEATHER_EXCEEDANCE: _weather,
}
