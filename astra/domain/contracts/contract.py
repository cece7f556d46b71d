"""DefinitionContract: an immutable statement of exactly what a market resolves on.

One frozen, slotted dataclass per category, all subclasses of `DefinitionContract`. Every
field is a scalar (str, int, Decimal, bool, enum), so a contract is immutable all the way
down and hashable (the original kept mutable dicts inside a "frozen" contract, B-18).
Times are int ms UTC. `market_id` is always the venue's **condition id** (0x + 64 hex):
the original mixed Gamma ids and condition ids, so no contract ever matched (B-5, B-19).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import ClassVar


class Category(enum.StrEnum):
    CRYPTO_THRESHOLD = "crypto_threshold"
    RATES_EVENT = "rates_event"
    EVENT_OPS = "event_ops"
    WEATHER_EXCEEDANCE = "weather_exceedance"


class Kind(enum.StrEnum):
    """close: the level at one measurement instant; touch: any time inside a window."""

    CLOSE = "close"
    TOUCH = "touch"


class Direction(enum.StrEnum):
    ABOVE = "above"
    BELOW = "below"


class RateAction(enum.StrEnum):
    HIKE = "hike"
    CUT = "cut"
    HOLD = "hold"


@dataclass(frozen=True, slots=True, kw_only=True)
class DefinitionContract:
    """Fields every category has: which market, and when it is decided (UTC ms)."""

    category: ClassVar[Category]
    market_id: str
    cutoff_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CryptoThresholdContract(DefinitionContract):
    """Will <underlying> be above/below <strike> at cutoff (close) or within a window (touch).

    `inclusive` says whether a print exactly at the strike resolves YES. For touch,
    `window_start_ms` <= t <= `cutoff_ms` is the window; a close contract has no window.
    `oracle_feed` is "<source>:<SYMBOL>:<series>", e.g. "binance:BTCUSDT:1m_close".
    """

    category: ClassVar[Category] = Category.CRYPTO_THRESHOLD
    underlying: str
    quote: str
    strike: Decimal
    kind: Kind
    direction: Direction
    inclusive: bool
    window_start_ms: int | None = None
    oracle_feed: str
    rounding: str
    finality: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RatesEventContract(DefinitionContract):
    """A central-bank decision: e.g. the Fed hikes by exactly 25 bps at the meeting."""

    category: ClassVar[Category] = Category.RATES_EVENT
    body: str
    action: RateAction
    change_bps: int
    comparison: str
    resolution_source: str
    finality: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EventOpsContract(DefinitionContract):
    """Does a named event happen by the cutoff (optionally not before `window_start_ms`).

    `fifty_fifty` records a clause that lets the market resolve 50/50 (each token pays 0.5:
    a YES+NO pair is still worth exactly 1). A neg-risk leg names its event group
    (`neg_risk_event_id`) and the outcome it stands for (`outcome`); both or neither.
    """

    category: ClassVar[Category] = Category.EVENT_OPS
    event: str
    window_start_ms: int | None = None
    early_resolution: bool
    resolution_source: str
    finality: str
    fifty_fifty: bool = False
    neg_risk_event_id: str | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WeatherExceedanceContract(DefinitionContract):
    """Does a station's reading of a variable exceed an integer threshold in a window."""

    category: ClassVar[Category] = Category.WEATHER_EXCEEDANCE
    station: str
    variable: str
    unit: str
    threshold: int
    direction: Direction
    inclusive: bool
    window_start_ms: int
    resolution_source: str
    rounding: str
    finality: str


CONTRACT_TYPES: dict[Category, type[DefinitionContract]] = {
    Category.CRYPTO_THRESHOLD: CryptoThresholdContract,
    Category.RATES_EVENT: RatesEventContract,
    Category.EVENT_OPS: EventOpsContract,
    Category.WEATHER_EXCEEDANCE: WeatherExceedanceContract,
}


def to_mapping(contract: DefinitionContract) -> dict[str, object]:
    """The contract as a plain mapping (category included, unset optional fields omitted).

    Values are passed through untouched, so a contract built with a wrong type (a float
    strike, a bool threshold) still shows it to lint instead of being silently repaired.
    """
    out: dict[str, object] = {"category": str(getattr(contract, "category", ""))}
    for item in fields(contract):
        value = getattr(contract, item.name)
        if value is not None:
            out[item.name] = value
    return out
