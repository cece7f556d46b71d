"""One resting order's place in its level's queue, in the order's own token (docs/fills.md).

The state advances on three inputs, all already translated into the order's token:

* `on_level(size, ts)`: the level's visible size became `size` at venue time `ts`.
* `on_trade(size, ts)`: a print at our price consumed `size` (the fill itself is `trade_fill`).
* `flush()`: the venue time moved past `ts`; what no trade explained was canceled.

Trade-aware depletion: within one venue timestamp a decrease of the level is first matched
against prints at our price of the same timestamp, whichever arrived first. Only what no print
explains is handed to the queue model as a cancel, and only once the venue clock has moved on,
so a `price_change` and its `last_trade_price` give the same queue in either arrival order.
A print that arrives only after an event with a later venue timestamp has settled its own
timestamp is netted against the later, still pending decreases (docs/fills.md, known gaps).
Before the order reaches the venue the whole visible level is ahead of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from astra.domain.queue_models import QueueModel


@dataclass(frozen=True, slots=True)
class QueueState:
    """`ahead`: size the venue fills before us; `visible`: the level's last known size;
    `traded`/`canceled`: volume at `ts` printed but not yet seen leaving the level, and
    decreases not (yet) explained by a print; `crossed`: opposite size at or through our price
    we already filled against (a crossed book pays us once, not on every update)."""

    ahead: int
    visible: int
    ts: int | None = None
    traded: int = 0
    canceled: int = 0
    crossed: int = 0

    @classmethod
    def at_submit(cls, visible: int) -> QueueState:
        return cls(ahead=visible, visible=visible)

    def settled(self, ts: int, model: QueueModel) -> QueueState:
        """This state for events at venue time `ts`: an older pending timestamp is settled
        first. An event older than the pending one (it arrived after a later-stamped event)
        joins the pending timestamp instead: it is netted against what is still unsettled."""
        if self.ts is None:
            return QueueState(self.ahead, self.visible, ts, 0, 0, self.crossed)
        if ts <= self.ts:
            return self
        return self.flush(model).settled(ts, model)

    def flush(self, model: QueueModel) -> QueueState:
        """Settle the pending timestamp: unexplained decreases are cancels, for the model."""
        ahead = model.after_cancel(self.ahead, self.visible, self.canceled)
        return QueueState(ahead, self.visible, None, 0, 0, self.crossed)

    def on_level(self, size: int, ts: int, model: QueueModel, *, live: bool) -> QueueState:
        state = self.settled(ts, model)
        if not live:
            return QueueState(size, size, state.ts, 0, 0, state.crossed)
        decrease = state.visible - size
        if decrease <= 0:  # newcomers join behind us
            if size == state.visible:
                return state
            return QueueState(
                state.ahead, size, state.ts, state.traded, state.canceled, state.crossed
            )
        explained = min(decrease, state.traded)
        return QueueState(
            state.ahead,
            size,
            state.ts,
            state.traded - explained,
            state.canceled + decrease - explained,
            state.crossed,
        )

    def on_trade(self, size: int, ahead_after: int, ts: int, model: QueueModel) -> QueueState:
        """A print of `size` at our price left `ahead_after` ahead of us."""
        state = self.settled(ts, model)
        explained = min(size, state.canceled)
        return QueueState(
            ahead_after,
            state.visible,
            state.ts,
            state.traded + size - explained,
            state.canceled - explained,
            state.crossed,
        )

    def with_ahead(self, ahead: int) -> QueueState:
        if ahead == self.ahead:
            return self
        return QueueState(ahead, self.visible, self.ts, self.traded, self.canceled, self.crossed)

    def on_cross(self, available: int, filled: int) -> QueueState:
        """`available` opposite size sits at or through our price; we just took `filled`."""
        crossed = min(self.crossed + filled, available)
        if crossed == self.crossed:
            return self
        return QueueState(self.ahead, self.visible, self.ts, self.traded, self.canceled, crossed)
