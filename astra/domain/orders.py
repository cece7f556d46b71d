"""Paper order records and the explicit order state machine.

Every transition is checked against `TRANSITIONS`; an illegal one raises
`IllegalTransition` (an invariant violation, never silently ignored). Every transition
produces an `OrderEvent` carrying a reason from `reasons.OrderReason`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from astra.domain.prices import Side
from astra.domain.reasons import OrderReason
from astra.domain.trading import Fill, Liquidity


class OrderState(enum.StrEnum):
    PENDING_NEW = "pending_new"
    RESTING = "resting"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REJECTED = "rejected"

    # Both read per order on every book change, trade and transition: a set lookup (the
    # member hashes as its str) instead of a dict lookup or class-attribute enum reads.
    @property
    def terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def live(self) -> bool:
        """Resting on the (paper) book and eligible for fills."""
        return self in _LIVE


_S = OrderState
TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    # Before the latency window ends the order is not on the book: it cannot fill.
    _S.PENDING_NEW: frozenset({_S.RESTING, _S.REJECTED, _S.CANCELED, _S.EXPIRED}),
    _S.RESTING: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED}),
    _S.PARTIALLY_FILLED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED}),
    _S.FILLED: frozenset(),
    _S.CANCELED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.REJECTED: frozenset(),
}


_TERMINAL = frozenset(state for state, onward in TRANSITIONS.items() if not onward)
_LIVE = frozenset({_S.RESTING, _S.PARTIALLY_FILLED})


class IllegalTransition(RuntimeError):
    """An order was asked to move along an edge the state machine does not have."""


def check_transition(old: OrderState, new: OrderState) -> None:
    if new not in TRANSITIONS[old]:
        raise IllegalTransition(f"order cannot go from {old} to {new}")


@dataclass(frozen=True, slots=True)
class PaperOrder:
    """One maker-only paper order. Prices in pips, sizes in micro-shares, times in ms.

    `queue_ahead` is the visible size at our price on our side that the venue would fill
    before us (the fill model keeps the full `order_queue.QueueState` beside it); `live_at_ms`
    is when it reaches the venue (submit + placement latency). `anchor_price` is the price
    of the first order in a replace chain, so the chase bound holds across repeated replaces.
    """

    order_id: str
    market: str
    asset_id: str
    side: Side
    price: int
    size: int
    filled: int
    state: OrderState
    created_ms: int
    live_at_ms: int
    expires_ms: int
    queue_ahead: int
    refreshed_ms: int
    anchor_price: int
    strategy: str = ""
    replaces: str = ""
    # A cancel in flight: the venue takes it at `cancel_at_ms`; until then the order can fill.
    cancel_at_ms: int | None = None
    cancel_reason: OrderReason | None = None

    @property
    def remaining(self) -> int:
        return self.size - self.filled

    def moved(self, state: OrderState, *, filled: int | None = None) -> PaperOrder:
        """The order in `state` (and with `filled` shares), if the state machine allows it."""
        check_transition(self.state, state)
        return replace(self, state=state, filled=self.filled if filled is None else filled)

    def filled_by(self, size: int) -> tuple[PaperOrder, OrderReason]:
        """The order with `size` more shares filled (FILLED once complete) and the reason."""
        filled = self.filled + size
        if filled == self.size:
            return self.moved(OrderState.FILLED, filled=filled), OrderReason.FILLED
        return self.moved(OrderState.PARTIALLY_FILLED, filled=filled), OrderReason.PARTIAL_FILL

    def fill(
        self, seq: int, price: int, size: int, fee: int, liquidity: Liquidity, ts_ms: int
    ) -> Fill:
        """The Fill of `size` shares at `price`; its id is `<order id>-f<seq>`."""
        return Fill(
            fill_id=f"{self.order_id}-f{seq}",
            order_id=self.order_id,
            market=self.market,
            asset_id=self.asset_id,
            side=self.side,
            price=price,
            size=size,
            fee=fee,
            liquidity=liquidity,
            ts_ms=ts_ms,
        )


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One order transition, as journaled."""

    order_id: str
    market: str
    asset_id: str
    side: Side
    state: OrderState
    reason: OrderReason
    ts_ms: int
    price: int
    size: int
    filled: int
    replaces: str = ""

    @classmethod
    def of(cls, order: PaperOrder, reason: OrderReason, ts_ms: int) -> OrderEvent:
        return cls(
            order_id=order.order_id,
            market=order.market,
            asset_id=order.asset_id,
            side=order.side,
            state=order.state,
            reason=reason,
            ts_ms=ts_ms,
            price=order.price,
            size=order.size,
            filled=order.filled,
            replaces=order.replaces,
        )
