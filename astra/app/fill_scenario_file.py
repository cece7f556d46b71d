"""The `astra fills scenario` file format, parsed and checked (docs/fills.md).

A scenario is one market, fixed latencies, opening cash, venue messages with their local
receive times and order actions with their local times. Every problem is a `ScenarioError`
with one line naming the field; nothing half-parsed reaches the fill path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import orjson

from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.prices import PriceError, Side, Tick, to_micros, to_pips

T = TypeVar("T")
_CONDITION_ID = re.compile(r"0x[0-9a-fA-F]{64}")
_TOP_KEYS = frozenset({"market", "latency_ms", "cash", "messages", "orders", "stale_s", "end_ms"})
_NOTE = "_"  # "_comment" (the hand-computed arithmetic), "_expect": ignored by the runner
# A scenario whose every time is before 2020-01-01 (the boundary's earliest venue time) is
# written in relative milliseconds, which read better in hand arithmetic: every time in it is
# shifted by this base (2026-01-01T00:00:00Z) before the real decoder sees it, and shifted
# back in the output. A capture of real messages keeps its own times.
RELATIVE_LIMIT_MS = 1_577_836_800_000
RELATIVE_BASE_MS = 1_767_225_600_000


class ScenarioError(ValueError):
    """A scenario file that cannot run: one line saying where and why."""


@dataclass(frozen=True, slots=True)
class Message:
    recv_ms: int
    msg: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Place:
    at_ms: int
    key: str
    token: str  # asset id
    side: Side
    price: int
    size: int
    ttl_ms: int | None


@dataclass(frozen=True, slots=True)
class Cancel:
    at_ms: int
    key: str


@dataclass(frozen=True, slots=True)
class Scenario:
    market: MarketInfo
    place_ms: int
    cancel_ms: int
    cash: int  # micro-collateral
    messages: tuple[Message, ...]
    actions: tuple[Place | Cancel, ...]
    stale_ms: int | None
    end_ms: int | None
    base_ms: int = 0  # what was added to every time (RELATIVE_BASE_MS or 0)


def load_scenario(path: Path) -> Scenario:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except orjson.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not JSON ({exc})") from exc
    try:
        return parse_scenario(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from exc


def parse_scenario(data: object) -> Scenario:
    top = _object(data, "scenario")
    unknown = sorted(k for k in set(top) - _TOP_KEYS if not k.startswith(_NOTE))
    if unknown:
        raise ScenarioError(f"unknown key {unknown[0]!r}")
    market = _market(_object(top.get("market"), "market"))
    latency = _object(top.get("latency_ms"), "latency_ms")
    place_ms = _non_negative(latency.get("place"), "latency_ms.place")
    cancel_ms = _non_negative(latency.get("cancel"), "latency_ms.cancel")
    cash = _amount(top.get("cash"), "cash", to_micros)
    messages = tuple(_message(m, i) for i, m in enumerate(_list(top.get("messages"), "messages")))
    actions = tuple(_action(a, i, market) for i, a in enumerate(_list(top.get("orders"), "orders")))
    _check_keys(actions)
    stale = top.get("stale_s")
    stale_ms = None if stale is None else _positive_ms(stale, "stale_s")
    end = top.get("end_ms")
    end_ms = None if end is None else _non_negative(end, "end_ms")
    scenario = Scenario(market, place_ms, cancel_ms, cash, messages, actions, stale_ms, end_ms)
    return _absolute(scenario) if _relative(scenario) else scenario


def _times(scenario: Scenario) -> list[int]:
    times = [m.recv_ms for m in scenario.messages] + [a.at_ms for a in scenario.actions]
    for message in scenario.messages:
        stamp = message.msg.get("timestamp")
        if isinstance(stamp, str) and stamp.isdigit() and len(stamp) <= 16:
            times.append(int(stamp))
    return times


def _relative(scenario: Scenario) -> bool:
    return all(t < RELATIVE_LIMIT_MS for t in _times(scenario))


def _absolute(scenario: Scenario) -> Scenario:
    """Every time of a relative-time scenario moved by RELATIVE_BASE_MS."""
    base = RELATIVE_BASE_MS

    def message(m: Message) -> Message:
        msg = dict(m.msg)
        stamp = msg.get("timestamp")
        if isinstance(stamp, str) and stamp.isdigit():
            msg["timestamp"] = str(int(stamp) + base)
        return Message(m.recv_ms + base, msg)

    def action(a: Place | Cancel) -> Place | Cancel:
        return replace(a, at_ms=a.at_ms + base)

    return replace(
        scenario,
        messages=tuple(message(m) for m in scenario.messages),
        actions=tuple(action(a) for a in scenario.actions),
        end_ms=None if scenario.end_ms is None else scenario.end_ms + base,
        base_ms=base,
    )


def _market(obj: Mapping[str, Any]) -> MarketInfo:
    condition = _text(obj.get("condition_id"), "market.condition_id")
    if not _CONDITION_ID.fullmatch(condition):
        raise ScenarioError("market.condition_id must be 0x and 64 hex digits")
    yes, no = _text(obj.get("yes"), "market.yes"), _text(obj.get("no"), "market.no")
    if yes == no:
        raise ScenarioError("market.yes and market.no must differ")
    tick = _amount(obj.get("tick"), "market.tick", Tick.parse)
    min_size = _amount(obj.get("min_size"), "market.min_size", to_micros)
    if min_size <= 0:
        raise ScenarioError("market.min_size must be positive")
    fees = _fees(obj.get("fee_schedule"))
    return MarketInfo(condition, "fill scenario", yes, no, tick, min_size, fees)


def _fees(raw: object) -> FeeSchedule:
    """null: no fee; else the venue's feeSchedule object (rate, exponent, takerOnly,
    rebateRate)."""
    if raw is None:
        return FeeSchedule.free()
    obj = _object(raw, "market.fee_schedule")
    rate = _decimal(obj.get("rate"), "fee_schedule.rate")
    rebate = _decimal(obj.get("rebateRate", "0"), "fee_schedule.rebateRate")
    exponent = obj.get("exponent", 1)
    if isinstance(exponent, bool) or not isinstance(exponent, int) or not 0 <= exponent <= 10:
        raise ScenarioError(f"fee_schedule.exponent must be an integer 0..10, got {exponent!r}")
    taker_only = obj.get("takerOnly", True)
    if not isinstance(taker_only, bool):
        raise ScenarioError("fee_schedule.takerOnly must be true or false")
    return FeeSchedule(rate=rate, exponent=exponent, taker_only=taker_only, rebate_rate=rebate)


def _message(raw: object, index: int) -> Message:
    where = f"messages[{index}]"
    obj = _object(raw, where)
    recv_ms = _non_negative(obj.get("recv_ms"), f"{where}.recv_ms")
    return Message(recv_ms, _object(obj.get("msg"), f"{where}.msg"))


def _action(raw: object, index: int, market: MarketInfo) -> Place | Cancel:
    where = f"orders[{index}]"
    obj = _object(raw, where)
    at_ms = _non_negative(obj.get("at_ms"), f"{where}.at_ms")
    if ("place" in obj) == ("cancel" in obj):
        raise ScenarioError(f"{where} needs exactly one of 'place' and 'cancel'")
    if "cancel" in obj:
        return Cancel(at_ms, _text(obj["cancel"], f"{where}.cancel"))
    place = _object(obj["place"], f"{where}.place")
    token = place.get("token")
    if token not in ("yes", "no"):
        raise ScenarioError(f"{where}.place.token must be 'yes' or 'no', got {token!r}")
    side = place.get("side")
    if side not in ("BUY", "SELL"):
        raise ScenarioError(f"{where}.place.side must be 'BUY' or 'SELL', got {side!r}")
    ttl = place.get("ttl_s")
    return Place(
        at_ms,
        _text(place.get("id"), f"{where}.place.id"),
        market.yes_token if token == "yes" else market.no_token,  # noqa: S105 - a side, not a secret
        Side(side),
        _amount(place.get("price"), f"{where}.place.price", to_pips),
        _amount(place.get("size"), f"{where}.place.size", to_micros),
        None if ttl is None else _positive_ms(ttl, f"{where}.place.ttl_s"),
    )


def _check_keys(actions: tuple[Place | Cancel, ...]) -> None:
    placed: set[str] = set()
    for action in sorted(actions, key=lambda a: a.at_ms):
        if isinstance(action, Place):
            if action.key in placed:
                raise ScenarioError(f"order id {action.key!r} is placed twice")
            placed.add(action.key)
        elif action.key not in placed:
            raise ScenarioError(f"cancel of {action.key!r} before (or without) its place")


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where} must be an object")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(f"{where} must be a list")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{where} must be a non-empty string")
    return value


def _non_negative(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScenarioError(f"{where} must be a non-negative integer (ms), got {value!r}")
    return value


def _positive_ms(value: object, where: str) -> int:
    seconds = _decimal(value, where)
    if seconds <= 0:
        raise ScenarioError(f"{where} must be positive")
    return int(seconds * 1000)


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ScenarioError(f"{where} must be a decimal string, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ScenarioError(f"{where} is not a number: {value!r}") from exc
    if not number.is_finite():
        raise ScenarioError(f"{where} must be finite, got {value!r}")
    return number


def _amount(value: object, where: str, parse: Callable[[str], T]) -> T:
    if not isinstance(value, str):
        raise ScenarioError(f"{where} must be a decimal string, got {value!r}")
    try:
        return parse(value)
    except (PriceError, ValueError) as exc:
        raise ScenarioError(f"{where}: {exc}") from exc
