"""Gamma market JSON -> `MarketInfo`, or a counted rejection with a reason.

Gamma mixes numbers and strings and JSON-encodes `clobTokenIds`, `outcomes` and
`outcomePrices` inside strings (reference §1.3). Every field is treated as optional and
untrusted: a market that cannot be mapped exactly becomes a `Rejection` naming the field,
never an exception and never a half-filled `MarketInfo`. Numbers pass the limits of
`astra.adapters.bounded` (digits, exponent, the size cap, the timestamp window) first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

import orjson

from astra.adapters.bounded import (
    MAX_INT_BITS,
    MAX_TIMESTAMP_MS,
    MIN_TIMESTAMP_MS,
    OutOfBounds,
    bounded_decimal,
    bounded_micros,
    short,
    too_deep,
)
from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.prices import PriceError, Tick
from astra.domain.reasons import MarketReject

JsonObject = Mapping[str, object]
T = TypeVar("T")

_CONDITION_ID = re.compile(r"0x[0-9a-fA-F]{64}")
_TOKEN_ID = re.compile(r"[0-9]{1,100}")
_MAX_DATE_CHARS = 40  # "2026-03-11T12:00:00.000000+00:00" is 32
# Category names as the fee table uses them (reference §5); first match wins.
_CATEGORIES = (
    "crypto",
    "sports",
    "politics",
    "finance",
    "economics",
    "geopolitics",
    "tech",
    "culture",
    "weather",
    "mentions",
)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A venue market that was not mapped: its Gamma id (or '?'), the reason and a detail."""

    market_id: str
    reason: MarketReject
    detail: str = ""


class _Reject(Exception):
    """Internal control flow: raised by field parsers, turned into a Rejection."""

    def __init__(self, reason: MarketReject, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def map_market(raw: object, event: JsonObject | None = None) -> MarketInfo | Rejection:
    """Map one Gamma market object; `event` is its parent event when listed via /events."""
    if not isinstance(raw, Mapping):
        return Rejection("?", MarketReject.NOT_AN_OBJECT, type(raw).__name__)
    market_id = market_id_of(raw)
    if too_deep(raw) or (event is not None and too_deep(event)):
        return Rejection(market_id, MarketReject.TOO_DEEP, "market or event nests too deep")
    try:
        return _map(raw, event)
    except _Reject as rej:
        return Rejection(market_id, rej.reason, rej.detail)


def market_id_of(raw: object) -> str:
    """The Gamma id for rejection records: a short string or int, else '?'."""
    value = raw.get("id") if isinstance(raw, Mapping) else None
    if isinstance(value, str):
        return value[:80]
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value.bit_length() <= MAX_INT_BITS
    ):
        return str(value)
    return "?"


def _map(raw: JsonObject, event: JsonObject | None) -> MarketInfo:
    condition_id = _condition_id(raw)
    yes_token, no_token = _tokens(raw)
    outcomes = _outcomes(raw)
    _check_outcome_prices(raw)
    if raw.get("enableOrderBook") is not True:
        raise _Reject(MarketReject.NO_ORDER_BOOK, "enableOrderBook is not true")
    tags = _tags(raw, event)
    return MarketInfo(
        condition_id=condition_id,
        question=_text(raw, "question", required=True),
        yes_token=yes_token,
        no_token=no_token,
        tick=_tick(raw),
        min_size=_min_size(raw),
        fees=_fees(raw),
        neg_risk=_flag(raw, "negRisk", default=False),
        end_date_ms=_end_date_ms(raw),
        accepting_orders=_flag(raw, "acceptingOrders", default=False),
        category=_category(raw, tags),
        description=_text(raw, "description"),
        slug=_text(raw, "slug"),
        outcomes=outcomes,
        resolution_source=_text(raw, "resolutionSource"),
        group_item_title=_text(raw, "groupItemTitle"),
        tags=tags,
        event_id=_event_id(raw, event),
        game_start_ms=_game_start_ms(raw),
        liquidity=_amount(raw, "liquidityNum"),
        volume_24h=_amount(raw, "volume24hr"),
        gamma_event_id=_parent_event_id(raw, event),
        neg_risk_market_id=_neg_risk_market_id(raw),
    )


def _amount(raw: JsonObject, key: str) -> int:
    """A ranking figure in micro-collateral, floored; missing, negative or unreadable is 0
    (it only ranks a market, so an unknown figure ranks it last instead of rejecting it)."""
    number = raw.get(key)
    if number is None or isinstance(number, bool):
        return 0
    try:
        value = bounded_decimal(number, key)  # digit and exponent limits: never an overflow
    except OutOfBounds:
        return 0
    if not value.is_finite() or value <= 0 or value > 10**15:
        return 0
    return int(value * 1_000_000)


def _condition_id(raw: JsonObject) -> str:
    value = raw.get("conditionId")
    if value is None:
        raise _Reject(MarketReject.MISSING_FIELD, "conditionId")
    if not isinstance(value, str) or not _CONDITION_ID.fullmatch(value):
        raise _Reject(MarketReject.BAD_CONDITION_ID, f"conditionId {short(value)}")
    return value.lower()


def _decoded_list(raw: JsonObject, field: str) -> list[object] | None:
    """Decode a JSON-encoded string field; None when absent or empty."""
    value = raw.get(field)
    if value is None or value in ("", "[]"):
        return None
    if isinstance(value, list):  # tolerate an already-decoded list
        return value
    if not isinstance(value, str):
        raise _Reject(MarketReject.BAD_ENCODED_FIELD, f"{field} is {type(value).__name__}")
    try:
        decoded = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise _Reject(MarketReject.BAD_ENCODED_FIELD, f"{field} is not JSON") from exc
    if not isinstance(decoded, list) or too_deep(decoded):
        raise _Reject(MarketReject.BAD_ENCODED_FIELD, f"{field} is not a flat JSON array")
    return decoded or None


def _tokens(raw: JsonObject) -> tuple[str, str]:
    tokens = _decoded_list(raw, "clobTokenIds")
    if tokens is None or any(token in ("", None) for token in tokens):
        raise _Reject(MarketReject.NO_TOKEN_IDS, "clobTokenIds missing or empty")
    yes, no = _string_pair(tokens, "clobTokenIds", "token ids")
    if not (_TOKEN_ID.fullmatch(yes) and _TOKEN_ID.fullmatch(no)) or yes == no:
        raise _Reject(MarketReject.BAD_ENCODED_FIELD, "clobTokenIds are not distinct integers")
    return yes, no


def _outcomes(raw: JsonObject) -> tuple[str, str]:
    outcomes = _decoded_list(raw, "outcomes")
    if outcomes is None:
        raise _Reject(MarketReject.MISSING_FIELD, "outcomes")
    return _string_pair(outcomes, "outcomes", "outcomes")


def _string_pair(items: list[object], field: str, noun: str) -> tuple[str, str]:
    """Exactly two items (else NOT_BINARY, counting `noun`), both strings."""
    if len(items) != 2:
        raise _Reject(MarketReject.NOT_BINARY, f"{len(items)} {noun}")
    first, second = items
    if not (isinstance(first, str) and isinstance(second, str)):
        raise _Reject(MarketReject.BAD_ENCODED_FIELD, f"{field} are not strings")
    return first, second


def _check_outcome_prices(raw: JsonObject) -> None:
    """Gamma's cached prices are not used for trading, but garbage here means a bad object."""
    prices = _decoded_list(raw, "outcomePrices")
    if prices is None:
        return
    if len(prices) != 2:
        raise _Reject(MarketReject.NOT_BINARY, f"{len(prices)} outcome prices")
    for price in prices:
        try:
            # Legacy AMM markets carry 30-digit decimals: valid numbers, just not on a tick.
            value = bounded_decimal(price, "outcomePrices")
        except OutOfBounds as exc:
            raise _Reject(MarketReject.BAD_ENCODED_FIELD, exc.detail) from exc
        if not 0 <= value <= 1:
            raise _Reject(MarketReject.BAD_ENCODED_FIELD, f"outcomePrices {short(price)}")


def _parsed_number(
    raw: JsonObject, key: str, reject: MarketReject, parse: Callable[[Decimal], T]
) -> T:
    """A required bounded number through `parse`; out of bounds or a PriceError is `reject`."""
    value = raw.get(key)
    if value is None:
        raise _Reject(MarketReject.MISSING_FIELD, key)
    try:
        return parse(bounded_decimal(value, key))
    except OutOfBounds as exc:
        raise _Reject(reject, exc.detail) from exc
    except PriceError as exc:
        raise _Reject(reject, str(exc)) from exc


def _tick(raw: JsonObject) -> Tick:
    return _parsed_number(raw, "orderPriceMinTickSize", MarketReject.BAD_TICK, Tick.parse)


def _min_size(raw: JsonObject) -> int:
    micros = _parsed_number(
        raw, "orderMinSize", MarketReject.BAD_MIN_SIZE, lambda n: bounded_micros(n, "orderMinSize")
    )
    if micros <= 0:
        raise _Reject(MarketReject.BAD_MIN_SIZE, f"orderMinSize {short(raw.get('orderMinSize'))}")
    return micros


def _fees(raw: JsonObject) -> FeeSchedule:
    """`feesEnabled` false (or no schedule) -> free; a present schedule is honoured.

    The reduced 2026 capture carries a real `feeSchedule` without `feesEnabled`; ignoring it
    would understate costs, so only an explicit `feesEnabled: false` overrides a schedule.
    """
    enabled = raw.get("feesEnabled")
    schedule = raw.get("feeSchedule")
    if enabled is False or schedule is None:
        return FeeSchedule.free()
    if not isinstance(schedule, Mapping):
        raise _Reject(MarketReject.BAD_FEE_SCHEDULE, "feeSchedule is not an object")
    rate = _fraction(schedule.get("rate"), "rate")
    rebate = _fraction(schedule.get("rebateRate", 0), "rebateRate")
    exponent = schedule.get("exponent", 1)
    if isinstance(exponent, float) and exponent.is_integer() and abs(exponent) <= 10:
        exponent = int(exponent)
    if isinstance(exponent, bool) or not isinstance(exponent, int) or not 0 <= exponent <= 10:
        raise _Reject(MarketReject.BAD_FEE_SCHEDULE, f"exponent {short(exponent)}")
    taker_only = schedule.get("takerOnly", True)
    if not isinstance(taker_only, bool):
        raise _Reject(MarketReject.BAD_FEE_SCHEDULE, f"takerOnly {short(taker_only)}")
    return FeeSchedule(rate=rate, exponent=exponent, taker_only=taker_only, rebate_rate=rebate)


def _fraction(value: object, name: str) -> Decimal:
    try:
        # bounded_decimal reads a float through repr: 0.07 means 0.07.
        parsed = bounded_decimal(value, name)
    except OutOfBounds as exc:
        raise _Reject(MarketReject.BAD_FEE_SCHEDULE, exc.detail) from exc
    if not 0 <= parsed <= 1:
        raise _Reject(MarketReject.BAD_FEE_SCHEDULE, f"{name} {short(value)}")
    return parsed


def _flag(raw: JsonObject, field: str, *, default: bool) -> bool:
    value = raw.get(field, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _Reject(MarketReject.BAD_FIELD, f"{field} {short(value)}")
    return value


def _text(raw: JsonObject, field: str, *, required: bool = False) -> str:
    value = raw.get(field)
    if value is None:
        if required:
            raise _Reject(MarketReject.MISSING_FIELD, field)
        return ""
    if not isinstance(value, str):
        raise _Reject(MarketReject.BAD_FIELD, f"{field} is {type(value).__name__}")
    return value


def _end_date_ms(raw: JsonObject) -> int | None:
    value = raw.get("endDate")
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > _MAX_DATE_CHARS:
        raise _Reject(MarketReject.BAD_END_DATE, f"endDate {short(value)}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _Reject(MarketReject.BAD_END_DATE, f"endDate {short(value)}") from exc
    if moment.tzinfo is None:
        raise _Reject(MarketReject.BAD_END_DATE, f"endDate {short(value)} has no time zone")
    try:
        end_ms = int(moment.timestamp() * 1000)
    except (OverflowError, ValueError) as exc:  # year 1 minus a time zone, year 9999 plus one
        raise _Reject(MarketReject.BAD_END_DATE, f"endDate {short(value)}") from exc
    if not MIN_TIMESTAMP_MS <= end_ms < MAX_TIMESTAMP_MS:
        raise _Reject(MarketReject.BAD_END_DATE, f"endDate {short(value)} outside 2020..2100")
    return end_ms


def _tag_labels(tags: object) -> list[str]:
    if not isinstance(tags, Sequence) or isinstance(tags, str):
        return []
    labels = (tag.get("label") for tag in tags if isinstance(tag, Mapping))
    return [label for label in labels if isinstance(label, str) and label]


def _tags(raw: JsonObject, event: JsonObject | None) -> tuple[str, ...]:
    labels = _tag_labels(raw.get("tags"))
    parents = [event] if event is not None else []
    events = raw.get("events")
    if isinstance(events, Sequence) and not isinstance(events, str):
        parents.extend(e for e in events if isinstance(e, Mapping))
    for parent in parents:
        labels.extend(_tag_labels(parent.get("tags")))
    return tuple(dict.fromkeys(labels))  # unique, first-seen order


def _category(raw: JsonObject, tags: tuple[str, ...]) -> str:
    """The market's own category, else its fee type ('crypto_fees'), else a tag, else 'other'."""
    candidates: list[str] = []
    for field in ("category", "feeType"):
        value = raw.get(field)
        if isinstance(value, str) and value:
            candidates.append(value.lower().removesuffix("_fees_v2").removesuffix("_fees"))
    candidates.extend(tag.lower() for tag in tags)
    for candidate in candidates:
        for category in _CATEGORIES:
            if candidate == category or candidate.startswith(f"{category}-"):
                return category
    return "other"


# -- event groups and game starts (issue 16) -------------------------------------------------
_MAX_DATE_CHARS = 40  # "2026-03-11T12:00:00.000000+00:00" is 32


def _event_id(raw: JsonObject, event: JsonObject | None) -> str:
    """The neg-risk group id when the market is neg-risk, else its first parent event's id."""
    neg_risk_id = raw.get("negRiskMarketID")
    if raw.get("negRisk") is True and isinstance(neg_risk_id, str) and neg_risk_id:
        return neg_risk_id.lower()[:80]
    parent = _parent_event_id(raw, event)
    return f"event:{parent}" if parent else ""


def _parent_event_id(raw: JsonObject, event: JsonObject | None) -> str:
    """The id of the listing event, else of the market's first `events` entry ("" none)."""
    parents: list[object] = [event] if event is not None else []
    events = raw.get("events")
    if isinstance(events, Sequence) and not isinstance(events, str):
        parents.extend(events)
    for parent in parents:
        if isinstance(parent, Mapping):
            ident = parent.get("id")
            if isinstance(ident, str | int) and not isinstance(ident, bool) and str(ident):
                return str(ident)[:80]
    return ""


def _neg_risk_market_id(raw: JsonObject) -> str:
    """Gamma's `negRiskMarketID` (lower-cased, bounded) whatever `negRisk` says; "" none."""
    value = raw.get("negRiskMarketID")
    return value.lower()[:80] if isinstance(value, str) else ""


def _game_start_ms(raw: JsonObject) -> int | None:
    """Gamma's `gameStartTime` ("2026-04-05 15:10:00+00"); absent or "" is no game."""
    value = raw.get("gameStartTime")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > _MAX_DATE_CHARS:
        raise _Reject(MarketReject.BAD_END_DATE, "gameStartTime is not a short string")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise _Reject(MarketReject.BAD_END_DATE, f"gameStartTime {value!r} has no time zone")
        return int(moment.timestamp() * 1000)
    except (ValueError, OverflowError) as exc:
        raise _Reject(MarketReject.BAD_END_DATE, f"gameStartTime {value!r}") from exc
