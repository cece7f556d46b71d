"""Queue models: where a size decrease that no trade explains came from (docs/fills.md).

Our paper order is not on the venue, so the visible level never includes it: `front` is the
size the venue would fill before us (the queue ahead) and `back` the rest of the level. When
the level shrinks by `decrease` and no trade print accounts for it, someone canceled, and the
model decides how much of it was ahead of us.

* `risk_averse` (the default): cancels come from behind. The queue only shrinks when the level
  can no longer hold it: queue = min(queue, level after).
* `probabilistic`: the share of the decrease taken from the front is
  f(back) / (f(front) + f(back)) with f(x) = x ** power, so a large queue behind us makes it
  likely the cancel was behind, and a large queue ahead that it was ahead. The result is
  capped by the level after the decrease, so it is never above the risk-averse queue.

Both work in integer micro-shares; the probabilistic share is floored (the queue stays longer).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class QueueModelName(enum.StrEnum):
    RISK_AVERSE = "risk_averse"
    PROBABILISTIC = "probabilistic"


@dataclass(frozen=True, slots=True)
class QueueModel:
    """`name` picks the rule; `power` is the exponent of the probabilistic f(x) = x ** power."""

    name: QueueModelName = QueueModelName.RISK_AVERSE
    power: int = 2

    def __post_init__(self) -> None:
        if self.power < 1:
            raise ValueError("the probabilistic queue power must be at least 1")

    def after_cancel(self, front: int, level_after: int, decrease: int) -> int:
        """The queue ahead after the level lost `decrease` to cancels and holds `level_after`."""
        capped = min(front, max(level_after, 0))
        if self.name is QueueModelName.RISK_AVERSE or decrease <= 0 or front <= 0:
            return capped
        back = max(level_after + decrease - front, 0)
        weight_front: int = pow(front, self.power)
        weight_back: int = pow(back, self.power)
        from_front = min(decrease * weight_back // (weight_front + weight_back), front)
        return min(front - from_front, capped)


def queue_model(name: str, power: int = 2) -> QueueModel:
    """The model called `name` (ValueError naming the choices for anything else)."""
    try:
        chosen = QueueModelName(name)
    except ValueError as exc:
        choices = ", ".join(m.value for m in QueueModelName)
        raise ValueError(f"unknown queue model {name!r} (choose {choices})") from exc
    return QueueModel(chosen, power)
