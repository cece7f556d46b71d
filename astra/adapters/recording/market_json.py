"""`MarketInfo` <-> JSON for recording headers (the simulator writes the same shape).

Exact values only: the tick and fee rates are decimal strings, the minimum size is an int of
micro-shares. Reading is strict: a missing or mistyped field, or a value outside the boundary's
limits (`astra.adapters.bounded`: the size cap, fee rates in [0, 1], exponent 0..10), is a
`MarketJsonError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from astra.adapters.bounded import MAX_SIZE_MICROS, OutOfBounds, bounded_decimal, short
from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.prices import PriceError, Tick

T = TypeVar("T")


class MarketJsonError(ValueError):
    """A market object in a recording header that does not describe a market exactly."""


def market_info_to_json(market: MarketInfo) -> dict[str, Any]:
    return {
        "condition_id": market.condition_id,
        "question": market.question,
        "yes_token": market.yes_token,
        "no_token": market.no_token,
        "tick": str(market.tick),
        "min_size": market.min_size,
        "fees": {
            "rate": str(market.fees.rate),
            "exponent": market.fees.exponent,
            "taker_only": market.fees.taker_only,
            "rebate_rate": str(market.fees.rebate_rate),
        },
        "neg_risk": market.neg_risk,
        "end_date_ms": market.end_date_ms,
        "accepting_orders": market.accepting_orders,
        "category": market.category,
        "description": market.description,
        "slug": market.slug,
        "outcomes": list(market.outcomes),
        "resolution_source": market.resolution_source,
        "group_item_title": market.group_item_title,
        "tags": list(market.tags),
        "event_id": market.event_id,
        "game_start_ms": market.game_start_ms,
    } | _grouping(market)


def _grouping(market: MarketInfo) -> dict[str, Any]:
    """Event-grouping ids only when known, so recordings without them stay byte-identical."""
    ids = {"gamma_event_id": market.gamma_event_id, "neg_risk_market_id": market.neg_risk_market_id}
    return {key: value for key, value in ids.items() if value}


def market_info_from_json(obj: Mapping[str, Any]) -> MarketInfo:
    try:
        tick = Tick.parse(_typed(obj, "tick", str))
    except PriceError as exc:
        raise MarketJsonError(str(exc)) from exc
    outcomes = _str_list(obj, "outcomes")
    if len(outcomes) != 2:
        raise MarketJsonError(f"outcomes must be two names, got {short(outcomes)}")
    end = obj.get("end_date_ms")
    if end is not None and (isinstance(end, bool) or not isinstance(end, int)):
        raise MarketJsonError(f"end_date_ms must be an int or null, got {short(end)}")
    return MarketInfo(
        condition_id=_typed(obj, "condition_id", str),
        question=_typed(obj, "question", str),
        yes_token=_typed(obj, "yes_token", str),
        no_token=_typed(obj, "no_token", str),
        tick=tick,
        min_size=_int(obj, "min_size", MAX_SIZE_MICROS),
        fees=_fees(obj.get("fees")),
        neg_risk=_typed(obj, "neg_risk", bool),
        end_date_ms=end,
        accepting_orders=_typed(obj, "accepting_orders", bool),
        category=_typed(obj, "category", str),
        description=_typed(obj, "description", str),
        slug=_typed(obj, "slug", str),
        outcomes=(outcomes[0], outcomes[1]),
        resolution_source=_typed(obj, "resolution_source", str),
        group_item_title=_typed(obj, "group_item_title", str),
        tags=tuple(_str_list(obj, "tags")),
        # Optional: recordings made before event groups carry neither.
        event_id=_typed(obj, "event_id", str) if "event_id" in obj else "",
        game_start_ms=_optional_ms(obj, "game_start_ms"),
        gamma_event_id=_typed(obj, "gamma_event_id", str) if "gamma_event_id" in obj else "",
        neg_risk_market_id=(
            _typed(obj, "neg_risk_market_id", str) if "neg_risk_market_id" in obj else ""
        ),
    )


def _optional_ms(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise MarketJsonError(f"{key} must be an int or null, got {value!r}")
    return value


def _fees(raw: object) -> FeeSchedule:
    if not isinstance(raw, dict):
        raise MarketJsonError(f"fees must be an object, got {short(raw)}")
    return FeeSchedule(
        rate=_decimal(raw, "rate"),
        exponent=_int(raw, "exponent", 10),
        taker_only=_typed(raw, "taker_only", bool),
        rebate_rate=_decimal(raw, "rebate_rate"),
    )


def _typed(obj: Mapping[str, Any], key: str, kind: type[T]) -> T:
    value = obj.get(key)
    if not isinstance(value, kind):
        raise MarketJsonError(f"{key} must be {kind.__name__}, got {short(value)}")
    return value


def _int(obj: Mapping[str, Any], key: str, high: int) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise MarketJsonError(f"{key} must be an int in [0, {high}], got {short(value)}")
    return value


def _decimal(obj: Mapping[str, Any], key: str) -> Decimal:
    text = _typed(obj, key, str)
    try:
        value = bounded_decimal(text, key)
    except OutOfBounds as exc:
        raise MarketJsonError(exc.detail) from exc
    if not 0 <= value <= 1:
        raise MarketJsonError(f"{key} must be a fraction in [0, 1]: {short(text)}")
    return value


def _str_list(obj: Mapping[str, Any], key: str) -> list[str]:
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MarketJsonError(f"{key} must be a list of strings, got {short(value)}")
    return value
