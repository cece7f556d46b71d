"""Scenario documents for the fill properties: one market, symmetric books, YES-frame steps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

COND = "0x" + "cd" * 32
YES, NO = "2001", "2002"


def price_text(pips: int) -> str:
    return str(Decimal(pips) / 10_000)


def _levels(levels: list[tuple[int, int]]) -> list[dict[str, str]]:
    return [{"price": price_text(p), "size": str(s)} for p, s in levels]


def _book(asset: str, ts: int) -> dict[str, Any]:
    return {
        "event_type": "book", "market": COND, "asset_id": asset, "timestamp": str(ts),
        "hash": f"b{asset}", "bids": _levels([(4800, 100), (4700, 50)]),
        "asks": _levels([(5200, 100), (5300, 50)]),
    }  # fmt: skip


@dataclass(frozen=True)
class Step:
    """At venue `ts`: a print of `traded` at YES 0.48 (taker SELL) and the level change that goes
    with it, the level then also losing `canceled` and gaining `joined`. `trade_first` says which
    message arrives first; `delay` is the receive lag (a step's messages arrive together, after
    the previous step's)."""

    ts: int
    traded: int
    canceled: int
    joined: int
    trade_first: bool
    delay: int


@dataclass(frozen=True)
class Frame:
    """How the YES-frame steps are written: `token` carries the prints and levels; `mirror`
    (YES <-> NO with p <-> 1 - p on the other side) rewrites both messages and the order."""

    token: str = YES
    mirror: bool = False


def _in(frame: Frame, side: str, pips: int) -> tuple[str, int]:
    asset = NO if frame.mirror else YES
    if frame.token != YES:
        asset = YES if asset == NO else NO
    flip = asset == NO
    other = "BUY" if side == "SELL" else "SELL"
    return (other, 10_000 - pips) if flip else (side, pips)


def _asset(frame: Frame) -> str:
    asset = NO if frame.mirror else YES
    return (YES if asset == NO else NO) if frame.token != YES else asset


def document(
    steps: list[Step],
    order_size: int,
    ttl_s: int,
    cancel_at: int | None,
    frame: Frame = Frame(),
) -> dict[str, Any]:
    asset = _asset(frame)
    messages: list[dict[str, Any]] = [
        {"recv_ms": 1000, "msg": _book(YES, 1000)}, {"recv_ms": 1000, "msg": _book(NO, 1000)},
    ]  # fmt: skip
    level = 100
    last_recv = 1000
    for step in steps:
        level = level - step.traded - step.canceled + step.joined
        side, pips = _in(frame, "SELL", 4800)
        trade = {
            "event_type": "last_trade_price", "market": COND, "asset_id": asset,
            "timestamp": str(step.ts), "side": side, "price": price_text(pips),
            "size": str(step.traded), "fee_rate_bps": "0",
        }  # fmt: skip
        lside, lpips = _in(frame, "BUY", 4800)
        change = {
            "event_type": "price_change", "market": COND, "timestamp": str(step.ts),
            "price_changes": [{"asset_id": asset, "side": lside, "price": price_text(lpips),
                               "size": str(level), "hash": f"h{step.ts}"}],
        }  # fmt: skip
        pair = [trade, change] if step.trade_first else [change, trade]
        if step.traded == 0:
            pair = [change]
        recv = max(step.ts + step.delay, last_recv + 2)
        last_recv = recv
        messages += [{"recv_ms": recv + i, "msg": m} for i, m in enumerate(pair)]
    # The order is YES BUY 0.48 in the YES frame; mirrored it is NO SELL 0.52.
    own_token = "no" if frame.mirror else "yes"
    own_side, own_pips = ("SELL", 5200) if frame.mirror else ("BUY", 4800)
    orders: list[dict[str, Any]] = [{"at_ms": 1100, "place": {
        "id": "a", "token": own_token, "side": own_side, "price": price_text(own_pips),
        "size": str(order_size), "ttl_s": ttl_s}}]  # fmt: skip
    if cancel_at is not None:
        orders.append({"at_ms": cancel_at, "cancel": "a"})
    return {
        "market": {"condition_id": COND, "yes": YES, "no": NO, "tick": "0.01", "min_size": "1",
                   "fee_schedule": None},
        "latency_ms": {"place": 100, "cancel": 50}, "cash": "1000",
        "messages": messages, "orders": orders,
    }  # fmt: skip
