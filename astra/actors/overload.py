"""What the engine does when a market's mailbox overflows: halt `overload`, desync the market.

A refused feed event is a lost book update, so that market's books are dropped (a `Desync`:
its orders are canceled `feed_desync`, its strategy sees unsynced books) and the resync hook
asks the feed for fresh snapshots. Trading halts once per overload episode (the RiskActor
fans the cancel-all out to every market); an explicit resume starts a new episode.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from astra.actors.backpressure import BackpressureConfig, market_bound
from astra.actors.messages import Desync, Halt
from astra.actors.runtime.inbox import InboxBound
from astra.actors.runtime.tally import Router
from astra.domain.clock import Clock
from astra.domain.metrics_port import (
    FEED_CONFLATED_TOTAL,
    MAILBOX_OVERFLOWS_TOTAL,
    MetricsSink,
)
from astra.domain.reasons import HaltReason

_log = logging.getLogger("astra.actors.overload")
ResyncHook = Callable[[tuple[str, ...]], None]


class Overload:
    def __init__(
        self,
        router: Router,
        clock: Clock,
        metrics: MetricsSink,
        tokens: Mapping[str, tuple[str, ...]],  # condition id -> its tokens
        market_name: Callable[[str], str],
        risk_name: str = "risk",
    ) -> None:
        self._router = router
        self._clock = clock
        self._metrics = metrics
        self._tokens = tokens
        self._name = market_name
        self._risk = risk_name
        self._lock = threading.Lock()
        self._halted = False
        self._desynced: set[str] = set()
        self.resync: ResyncHook | None = None  # the feed's, set by the composition root
        self.halts = 0

    def conflated(self, message: object) -> None:
        self._metrics.inc(FEED_CONFLATED_TOTAL)
        self._router.processed(message)  # its content lives on in the merged message

    def overflowed(self, market: str, message: object) -> None:
        self._metrics.inc(MAILBOX_OVERFLOWS_TOTAL)
        with self._lock:
            first_here = market not in self._desynced
            self._desynced.add(market)
            first = not self._halted
            self._halted = True
            if first:
                self.halts += 1
        if first_here:
            tokens = self._tokens.get(market, ())
            self._router.tell(self._name(market), Desync(tokens))
            if self.resync is not None:
                self.resync(tokens)
        if first:
            detail = f"market {market} mailbox full: {type(message).__name__} refused"
            _log.error("overload: kind=market name=%s reason=overload %s", market, detail)
            now = self._clock.now_ms()
            self._router.tell(self._risk, Halt(HaltReason.OVERLOAD, detail, now))

    def reset(self) -> None:
        """An explicit resume: a new overload halts again."""
        with self._lock:
            self._halted = False
            self._desynced.clear()


def bound_factory(
    config: BackpressureConfig | None, overload: Overload
) -> Callable[[str], InboxBound] | None:
    """Each market's mailbox bound, reporting to `overload` (None: unbounded)."""
    if config is None:
        return None

    def bound(market: str) -> InboxBound:
        return market_bound(
            config, overload.conflated, lambda message: overload.overflowed(market, message)
        )

    return bound
