"""What a market may sell, and what a merge leaves offered.

- `sell_verdict`: a SELL is of inventory held and not already offered by another resting
  SELL of the same token (the venue has no naked shorts); otherwise the placement is vetoed
  `sell_exceeds_held` before the EV and risk gates.
- `cancel_oversold`: after a fill completes YES+NO pairs, `TokenPositions` merges them into
  collateral (the RiskActor's ledger merges the same pairs from the same fill, so the two
  views agree); a resting SELL larger than what is left is canceled `inventory_merged`, so
  no SELL can ever fill beyond holdings.
"""

from __future__ import annotations

from astra.actors.market_inputs import TokenPositions
from astra.domain.order_manager import OrderManager
from astra.domain.orders import OrderEvent
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto, OrderReason
from astra.domain.strategies.protocol import QuoteTarget
from astra.domain.verdict import Verdict

GATE = "inventory"


def sell_verdict(orders: OrderManager, positions: TokenPositions, target: QuoteTarget) -> Verdict:
    offered = sum(
        o.remaining
        for o in orders.open_orders()
        if o.asset_id == target.asset_id and o.side is Side.SELL
    )
    free = positions.held(target.asset_id) - offered
    if target.size > free:
        detail = f"selling {target.size} of {free} held and not offered"
        return Verdict.veto(GATE, GateVeto.SELL_EXCEEDS_HELD, detail)
    return Verdict.ok(GATE, f"{free} held")


def cancel_oversold(
    orders: OrderManager, positions: TokenPositions, now_ms: int
) -> list[OrderEvent]:
    events: list[OrderEvent] = []
    for order in orders.open_orders():
        if order.side is Side.SELL and order.remaining > positions.held(order.asset_id):
            event = orders.cancel(order.order_id, OrderReason.INVENTORY_MERGED, now_ms)
            if event is not None:
                events.append(event)
    return events
