"""The periodic REST book check: does each book's top still match the venue?

The WebSocket feed carries a `hash` per book that nothing verifies, so a missed or reordered
delta would leave a book wrong until the next snapshot. Every `[feed] books_check_s` this
check fetches every token's book through `POST /books` and compares its best bid and ask
prices with what the engine's markets hold (their `MarketDigest.tops`, synced tokens only).
A mismatch is counted (`astra_book_mismatches_total`) and the token is resynced through the
feed (unsync, which cancels its market's orders, then a fresh snapshot): conservative, since
a top that differs only because the two reads were taken a moment apart costs a resync, never
a quote on a wrong book. A failed fetch is counted as a check failure and changes nothing.
Sizes are not compared: they move on every trade, so they would mismatch by timing alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import anyio

from astra.domain.events import BookSnapshot
from astra.domain.metrics_port import BOOK_CHECKS_TOTAL, BOOK_MISMATCHES_TOTAL, MetricsSink

_log = logging.getLogger("astra.app.book_check")

Top = tuple[int | None, int | None]  # best bid price, best ask price (pips)
FetchBooks = Callable[[list[str]], Awaitable[Sequence[BookSnapshot] | None]]


@dataclass(frozen=True, slots=True)
class BookCheckResult:
    compared: int
    mismatched: tuple[str, ...]
    fetched: bool


def venue_top(snapshot: BookSnapshot) -> Top:
    bid = max((p for p, s in snapshot.bids if s > 0), default=None)
    ask = min((p for p, s in snapshot.asks if s > 0), default=None)
    return bid, ask


class BookCheck:
    def __init__(
        self,
        tops: Callable[[], dict[str, Top]],
        fetch: FetchBooks,
        resync: Callable[[Iterable[str]], Awaitable[None]],
        metrics: MetricsSink,
        interval_s: float,
    ) -> None:
        self._tops = tops
        self._fetch = fetch
        self._resync = resync
        self._metrics = metrics
        self.interval_s = interval_s

    async def run(self) -> None:
        while True:
            await anyio.sleep(self.interval_s)
            await self.check_once()

    async def check_once(self) -> BookCheckResult:
        ours = await anyio.to_thread.run_sync(self._tops)
        if not ours:
            return BookCheckResult(0, (), fetched=False)
        snapshots = await self._fetch(sorted(ours))
        if snapshots is None:
            self._metrics.inc(BOOK_CHECKS_TOTAL, {"outcome": "fetch_failed"})
            return BookCheckResult(0, (), fetched=False)
        venue = {s.asset_id: venue_top(s) for s in snapshots}
        compared = [a for a in sorted(ours) if a in venue]
        mismatched = tuple(a for a in compared if ours[a] != venue[a])
        self._metrics.inc(BOOK_CHECKS_TOTAL, {"outcome": "mismatch" if mismatched else "ok"})
        if mismatched:
            self._metrics.inc(BOOK_MISMATCHES_TOTAL, amount=float(len(mismatched)))
            _log.warning(
                "book check: %d of %d tops differ from the venue, resyncing: %s",
                len(mismatched),
                len(compared),
                ", ".join(mismatched[:3]),
            )
            await self._resync(mismatched)
        return BookCheckResult(len(compared), mismatched, fetched=True)


def engine_tops(
    markets: Iterable[str], digest: Callable[[str], object | None]
) -> Callable[[], dict[str, Top]]:
    """The engine's synced tops by token (a market that does not answer is left out)."""

    def read() -> dict[str, Top]:
        tops: dict[str, Top] = {}
        for market in markets:
            answer = digest(market)
            for token, bid, ask in getattr(answer, "tops", ()):
                tops[token] = (bid, ask)
        return tops

    return read
