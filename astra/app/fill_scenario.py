"""`astra fills scenario`: a scenario through the real fill path, no strategy.

The scenario's messages are decoded by the venue decoder and fed to a `MarketState` (its
books, paper orders and fill model, exactly as the engine runs them) whose strategy never
quotes; the scenario's own orders are placed and canceled on that state's order manager at
their local times. At equal local times messages go first, then order actions, in file
order. What happened to each order comes from its journaled transitions; each fill carries
the venue timestamp of the message that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from astra.actors.market_state import MarketConfig, MarketState
from astra.adapters.polymarket.ws_decode import decode_market_message
from astra.app.fill_scenario_file import Cancel, Place, Scenario, ScenarioError
from astra.app.scenario_account import scenario_account
from astra.domain.journal_record import RecordKind
from astra.domain.market import MarketInfo
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import format_price, format_size
from astra.domain.queue_models import QueueModel
from astra.domain.reasons import OrderReason
from astra.domain.strategies import DecisionAction, MarketView, StrategyDecision
from astra.domain.trading import Fill, OrderIntent
from astra.domain.verdict import Verdict

_NO_STALE_MS = 10**15  # a scenario without `stale_s` has nothing that refreshes its orders


class _NoQuotes:
    """The scenario's orders are its own: the strategy slot never quotes or withdraws."""

    name = "scenario"

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        return StrategyDecision(self.name, DecisionAction.SKIP, detail="fill scenario")


@dataclass
class _Recorder:
    """Journal sink and risk gateway of the scenario's MarketState."""

    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # order id -> last event
    fills: list[tuple[Fill, int]] = field(default_factory=list)  # (fill, venue ms)
    venue_ms: int = 0

    def emit(self, kind: RecordKind, ts_ms: int, payload: dict[str, Any]) -> None:
        if kind is RecordKind.ORDER_EVENT:
            self.events[str(payload["order_id"])] = payload

    def approve(self, intent: OrderIntent, now_ms: int) -> Verdict:
        return Verdict.ok("risk", "fill scenario")

    def report_fill(self, fill: Fill) -> None:
        self.fills.append((fill, self.venue_ms))


def run_scenario(scenario: Scenario, model: QueueModel) -> dict[str, Any]:
    recorder = _Recorder()
    state = _state(scenario, model, recorder)
    ids: dict[str, str] = {}  # scenario id -> order id
    for at_ms, item in _timeline(scenario):
        if isinstance(item, Place):
            ids[item.key] = _place(state, scenario.market, item, at_ms)
        elif isinstance(item, Cancel):
            state.sweep(state.orders.venue_clock(at_ms))
            _cancel(state, recorder, ids[item.key], at_ms)
        else:
            _feed(state, recorder, item, at_ms)
    end = scenario.end_ms if scenario.end_ms is not None else _last_ms(scenario)
    state.sweep(end)
    fills = [fill for fill, _ in recorder.fills]
    return {
        "orders": {key: _order_out(recorder, oid, scenario.base_ms) for key, oid in ids.items()},
        "account": scenario_account(scenario.cash, fills, state.books, end),
    }


def _state(scenario: Scenario, model: QueueModel, recorder: _Recorder) -> MarketState:
    orders = OrderConfig(
        stale_ms=scenario.stale_ms or _NO_STALE_MS,
        latency_mean_ms=0,
        latency_min_ms=scenario.place_ms,
        cancel_latency_mean_ms=0,
        cancel_latency_min_ms=scenario.cancel_ms,
        queue_model=model,
    )
    # The scenario places its orders by hand, through no strategy and no definition gate: it
    # checks the fill path alone, so no contract is asked for.
    config = MarketConfig(orders=orders, run_id="fill-scenario", require_contract=False)
    return MarketState(scenario.market, _NoQuotes(), recorder, recorder, config)


def _timeline(scenario: Scenario) -> list[tuple[int, object]]:
    items: list[tuple[int, int, int, object]] = [
        (m.recv_ms, 0, i, m) for i, m in enumerate(scenario.messages)
    ]
    items += [(a.at_ms, 1, i, a) for i, a in enumerate(scenario.actions)]
    return [(at, item) for at, _, _, item in sorted(items, key=lambda t: t[:3])]


def _last_ms(scenario: Scenario) -> int:
    times = [m.recv_ms for m in scenario.messages] + [a.at_ms for a in scenario.actions]
    return max(times, default=0)


def _feed(state: MarketState, recorder: _Recorder, item: object, recv_ms: int) -> None:
    msg = getattr(item, "msg")  # noqa: B009 - a Message (the timeline holds three types)
    decoded = decode_market_message(msg, recv_ms)
    if decoded.rejects:
        reason, detail = decoded.rejects[0]
        raise ScenarioError(f"message at recv_ms {recv_ms} rejected: {reason.value} ({detail})")
    for event in decoded.events:
        recorder.venue_ms = event.ts_ms
        state.on_event(event, recv_ms)


def _place(state: MarketState, market: MarketInfo, place: Place, at_ms: int) -> str:
    state.sweep(state.orders.venue_clock(at_ms))
    intent = OrderIntent(
        market=market.condition_id,
        asset_id=place.token,
        side=place.side,
        price=place.price,
        size=place.size,
        strategy="scenario",
        reason="scenario",
    )
    book = state.books.book(place.token)
    mirror = state.books.book(market.complement_of(place.token))
    event = state.orders.submit(intent, book, at_ms, ttl_ms=place.ttl_ms, mirror=mirror)
    state.journal_orders([event])
    return event.order_id


def _cancel(state: MarketState, recorder: _Recorder, order_id: str, at_ms: int) -> None:
    event = state.orders.request_cancel(order_id, OrderReason.STRATEGY_CANCEL, at_ms)
    if event is not None:
        state.journal_orders([event])


def _order_out(recorder: _Recorder, order_id: str, base_ms: int) -> dict[str, Any]:
    last = recorder.events[order_id]
    fills: Sequence[tuple[Fill, int]] = [f for f in recorder.fills if f[0].order_id == order_id]
    return {
        "state": last["state"],
        "reason": last["reason"],
        "filled": format_size(int(last["filled"])),
        "fills": [
            {
                "venue_ms": venue_ms - base_ms,
                "price": format_price(fill.price),
                "size": format_size(fill.size),
                "fee": format_size(fill.fee),
                "liquidity": fill.liquidity.value,
            }
            for fill, venue_ms in fills
        ],
    }
