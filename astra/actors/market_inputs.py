"""What a MarketState knows beyond its books: positions, marks, spot, equity and its gate.

- `TokenPositions`: the market's own view of what it holds in its two tokens, from the fills
  it has seen (and, after a restart, from its journaled fills); a resolution closes it. It
  is not the ledger (the RiskActor owns that); it is what the strategy needs for inventory,
  kept where the fills are made so it never waits on another actor.
- `MarksThrottle`: paces the token marks (int pips, by `astra.domain.marking`; see
  `astra.actors.book_marks`) the market sends the RiskActor, so the loss halts see unrealised
  P&L. At most one report per `interval_ms` of event time, plus one after every fill and
  every falling mark; only while the market holds something (a flat market's marks cannot
  move equity).
- `SharedSpot`: a market's `SpotTracker` behind a lock. The engine owns it (like the outbox),
  so a restarted MarketActor keeps the sampled path instead of waiting for a new one; the
  lock covers the moment a stuck old generation and its successor both touch it.
- `MarketInputs`: the optional collaborators a MarketState reads per evaluation (spot
  tracker, equity, the halt gate, the marks sink, the settlement sink). Every default is
  neutral or fail-closed: no tracker means no spot (a crypto strategy skips `no_spot`), no
  equity means None (the strategy uses its configured equity).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from astra.actors.settlements import SettlementSink, resolution_from_record
from astra.domain.events import SpotPrice
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.models.frames import ModelFrame
from astra.domain.prices import Side
from astra.domain.strategies.protocol import SpotView
from astra.domain.strategies.spot_state import SpotTracker
from astra.domain.trading import Fill

Marks = tuple[tuple[str, int], ...]  # (asset id, mark in pips), in token order


class MarksSink(Protocol):
    """Where a market's marks go (the RiskActor, by name, in the actor)."""

    def report_marks(self, marks: Marks, now_ms: int) -> None: ...


def _no_equity() -> int | None:
    return None


def _not_halted() -> bool:
    return False


def _no_model_frame() -> ModelFrame | None:
    return None


class SharedSpot:
    def __init__(self, tracker: SpotTracker) -> None:
        self._tracker = tracker
        self._lock = threading.Lock()

    def on_spot(self, event: SpotPrice) -> bool:
        with self._lock:
            return self._tracker.on_spot(event)

    def view(self, symbol: str) -> SpotView | None:
        with self._lock:
            return self._tracker.view(symbol)


@dataclass(slots=True)
class MarketInputs:
    spot: SharedSpot | None = None
    equity: Callable[[], int | None] = _no_equity
    halted: Callable[[], bool] = _not_halted
    marks: MarksSink | None = None
    settlements: SettlementSink | None = None
    model_frame: Callable[[], ModelFrame | None] = _no_model_frame  # this contract's key


class TokenPositions:
    """Micro-shares held per token of one market: BUY fills add, SELL fills subtract, and
    after every fill complete YES+NO pairs are merged into collateral (both sides drop by the
    pair count; `last_merged` says how many the last fill merged). The RiskActor's ledger
    applies the same rule to the same fills (`Ledger.merge_pairs`), so both views agree.

    Fill ids are remembered so a fill seen twice (a journaled copy plus its still-pending
    outbox copy during a restart) counts once.
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        self._held = dict.fromkeys(tokens, 0)
        self._seen: set[str] = set()
        self.last_merged = 0
        self.merged = 0  # micro-shares of pairs merged so far

    def on_fill(self, fill: Fill) -> bool:
        if fill.asset_id not in self._held or fill.fill_id in self._seen:
            return False
        self._seen.add(fill.fill_id)
        signed = fill.size if fill.side is Side.BUY else -fill.size
        self._held[fill.asset_id] += signed
        self._merge()
        return True

    def _merge(self) -> None:
        pairs = min(self._held.values()) if len(self._held) == 2 else 0
        self.last_merged = max(pairs, 0)
        if self.last_merged:
            for asset in self._held:
                self._held[asset] -= self.last_merged
            self.merged += self.last_merged

    def close(self) -> None:
        """The market settled: every position is paid out (closed)."""
        for asset in self._held:
            self._held[asset] = 0

    def replay(self, records: Iterable[JournalRecord]) -> int:
        """Apply the FILL records of this market's producer (a journaled resolution closes
        everything held); returns how many fills counted."""
        applied = 0
        for record in records:
            if resolution_from_record(record) is not None:
                self.close()
                continue
            if record.kind is not RecordKind.FILL:
                continue
            data = record.data()
            signed = data["size"] if data["side"] == Side.BUY.value else -data["size"]
            asset, fill_id = data["asset_id"], data["fill_id"]
            if asset in self._held and fill_id not in self._seen:
                self._seen.add(fill_id)
                self._held[asset] += signed
                self._merge()
                applied += 1
        return applied

    def held(self, asset_id: str) -> int:
        return self._held.get(asset_id, 0)

    def flat(self) -> bool:
        return not any(self._held.values())


class MarksThrottle:
    """Due at the first look, then once `interval_ms` of event time has passed; a fill forces
    a report (the RiskActor must mark a new position at once, not a second later)."""

    def __init__(self, interval_ms: int) -> None:
        if interval_ms <= 0:
            raise ValueError("marks interval must be positive")
        self._interval = interval_ms
        self._last: int | None = None

    def due(self, now_ms: int, *, force: bool = False) -> bool:
        if force or self._last is None or now_ms - self._last >= self._interval:
            self._last = now_ms
            return True
        return False
