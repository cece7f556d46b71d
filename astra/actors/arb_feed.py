"""What a MarketActor hands its EventActor: the top of both books, only when it changed.

`ArbFeed` is the MarketActor's `on_books` hook (the only edit the arbitrage path makes to
the market side). It runs on the market's own thread, after each feed event, and tells the
market's EventActor a `TopOfBook` with the best `depth` levels of each side of both tokens —
or, when either book is unsynced or the market resolved, a `TopOfBook` with `live=False`, so
the EventActor drops the market instead of evaluating stale books (fail closed). Identical
consecutive tops are not sent again: each market writes only its own key, from its own thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from astra.actors.runtime.tally import Router
from astra.domain.arbitrage import TokenSide
from astra.domain.book import MarketBooks, TokenBook
from astra.domain.clock import Clock
from astra.domain.market import MarketInfo


@dataclass(frozen=True, slots=True)
class TopOfBook:
    """A market's books as its EventActor needs them (event time `ts_ms`)."""

    condition_id: str
    yes: TokenSide
    no: TokenSide
    ts_ms: int
    live: bool = True  # False: books unsynced or market resolved; drop it
    paired: bool = True  # both books last changed at the same venue instant


def _side(book: TokenBook, depth: int) -> TokenSide:
    return TokenSide(book.asset_id, book.top_bids(depth), book.top_asks(depth))


class ArbFeed:
    def __init__(
        self, router: Router, event_of: Mapping[str, str], clock: Clock, depth: int = 10
    ) -> None:
        self._router = router
        self._event_of = dict(event_of)  # condition id -> EventActor name
        self._clock = clock
        self._depth = depth
        self._last: dict[str, tuple[TokenSide, TokenSide, bool, bool]] = {}

    def __call__(self, info: MarketInfo, books: MarketBooks) -> None:
        target = self._event_of.get(info.condition_id)
        if target is None:
            return
        yes, no = books.yes, books.no
        live = yes.synced and no.synced and not books.resolved
        paired = yes.last_update_ms == no.last_update_ms
        top = (_side(yes, self._depth), _side(no, self._depth), live, paired)
        if self._last.get(info.condition_id) == top:
            return
        self._last[info.condition_id] = top
        message = TopOfBook(info.condition_id, top[0], top[1], self._clock.now_ms(), live, paired)
        # Refused while the EventActor is down (a dead letter): its restart closes what was
        # open, and the next change of this market's books reaches the new generation.
        if not self._router.tell(target, message):
            self._last.pop(info.condition_id, None)

    def drop(self, info: MarketInfo) -> None:
        """The market left the universe (retired): its EventActor drops its books, so no event
        sum is ever evaluated on the last books of a market nobody watches (fail closed)."""
        target = self._event_of.get(info.condition_id)
        if target is None:
            return
        self._last.pop(info.condition_id, None)
        yes, no = TokenSide(info.yes_token, (), ()), TokenSide(info.no_token, (), ())
        self._router.tell(
            target, TopOfBook(info.condition_id, yes, no, self._clock.now_ms(), live=False)
        )
