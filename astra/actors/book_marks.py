"""A market's marks for the RiskActor, by the domain's marking rule (`astra.domain.marking`).

`token_marks` marks every token of the market for what it holds (a token it does not hold
is marked as a long: what one share would fetch). `MarkReporter` decides when marks go out:
after a fill at once, when a held token's mark falls (a loss must reach the risk halts without
waiting for the throttle, and may be the last event for a long while), otherwise at most once
per throttle interval. A mark that rises
may wait: until it is sent, the RiskActor understates equity, never overstates it.
"""

from __future__ import annotations

from collections.abc import Iterable

from astra.actors.market_inputs import Marks, MarksThrottle, TokenPositions
from astra.domain.book import MarketBooks
from astra.domain.marking import MarkingRule, mark_position, top_of


def token_marks(
    books: MarketBooks,
    tokens: Iterable[str],
    positions: TokenPositions,
    now_ms: int,
    rule: MarkingRule,
) -> Marks:
    return tuple(
        (t, mark_position(top_of(books.book(t)), positions.held(t), now_ms, rule).pips)
        for t in tokens
    )


class MarkReporter:
    def __init__(self, interval_ms: int) -> None:
        self._throttle = MarksThrottle(interval_ms)
        self._sent: dict[str, int] = {}

    def due(self, marks: Marks, positions: TokenPositions, now_ms: int, *, force: bool) -> bool:
        """Whether to send `marks` now; remembers them when it says yes."""
        worse = any(self._falls(asset, mark, positions.held(asset)) for asset, mark in marks)
        if not self._throttle.due(now_ms, force=force or worse):
            return False
        self._sent = dict(marks)
        return True

    def _falls(self, asset: str, mark: int, held: int) -> bool:
        last = self._sent.get(asset)
        if held == 0 or last is None:
            return held != 0 and last is None
        return mark < last if held > 0 else mark > last
