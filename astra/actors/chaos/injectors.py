"""The chaos faults beyond killing one actor: supervisors, the watchdog, a dispatcher worker,
a journal stall, feed silence and poison frames.

`FAULT_KINDS` names every fault `astra chaos --faults` accepts. Actor faults (`ACTOR_FAULTS`)
kill a market, the RiskActor or the TelemetryActor in one way each; the others each have an
injector here that returns how many deaths (halts) the scenario must then wait for. A new
kind of fault is one more entry in `INFRA_FAULTS` with its injector; `event` (issue 17) kills
an EventActor, so the run groups its markets into neg-risk events and starts their EventActors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from astra.actors.chaos.faults import ChaosFaults
from astra.actors.engine import MARKETS, Engine
from astra.actors.market_actor import market_producer
from astra.actors.market_state import open_orders_from_journal
from astra.actors.ports import JournalPort, StoredRecordLike
from astra.actors.runtime.loop_child import WATCHDOG
from astra.actors.runtime.runtime_messages import Crash
from astra.actors.runtime.supervisor import SupervisorChild
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo

ACTOR_FAULTS = ("tell", "start", "ask", "stop", "stuck")
INFRA_FAULTS = (
    "pool",
    "watchdog",
    "dispatcher",
    "journal_stall",
    "feed_silence",
    "poison",
    "event",
)
DRILL_FAULTS = ("root",)  # a whole-tree death: run once as a drill (the process restarts)
FAULT_KINDS = (*ACTOR_FAULTS, *INFRA_FAULTS, *DRILL_FAULTS)


def parse_faults(text: str) -> tuple[str, ...]:
    """`all` or a comma-separated list of FAULT_KINDS; ValueError names the unknown ones."""
    if text.strip() == "all":
        return FAULT_KINDS
    wanted = tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))
    unknown = [k for k in wanted if k not in FAULT_KINDS]
    if unknown or not wanted:
        raise ValueError(f"unknown faults {unknown}; choose from all, {', '.join(FAULT_KINDS)}")
    return wanted


class Decoded(Protocol):
    @property
    def events(self) -> Sequence[object]: ...

    @property
    def rejects(self) -> Sequence[tuple[object, str]]: ...


Decoder = Callable[[str, int], Decoded]  # the venue frame decoder (injected: an adapter)

# Frames that broke the boundary once (issue 15): a huge exponent, a 5,000-digit integer,
# deep nesting, a size past any real book, a timestamp past 2100, not JSON at all.
POISON_FRAMES = (
    '{"event_type":"book","market":"0xm","asset_id":"1","timestamp":"1700000000000",'
    '"bids":[{"price":"0.5","size":"1e999999999"}],"asks":[]}',
    '{"event_type":"last_trade_price","market":"0xm","asset_id":"1","price":"0.5",'
    '"side":"SELL","timestamp":"1700000000000","size":"' + "9" * 5000 + '"}',
    "[" * 5000 + "]" * 5000,
    '{"event_type":"book","market":"0xm","asset_id":"1","timestamp":"1700000000000",'
    '"bids":[{"price":"0.5","size":"1e400"}],"asks":[]}',
    '{"event_type":"book","market":"0xm","asset_id":"1","timestamp":"9999999999999",'
    '"bids":[{"price":"0.5","size":"10"}],"asks":[]}',
    "{not json",
)


@dataclass
class InfraFigures:
    """What the non-kill faults found (read by the final invariants)."""

    event_kills: int = 0  # EventActors killed (each must be halted for, journal-checked)
    silences: int = 0
    silence_left_open: int = 0
    poison_frames: int = 0
    poison_escaped: list[str] = field(default_factory=list)
    poison_accepted: int = 0
    stalls: int = 0


class StallingJournal:
    """The chaos run's journal: the real store, whose writes can be stalled for a while (a
    slow disk): every writer, the TelemetryActor and the halt protocol alike, waits."""

    def __init__(self, store: JournalPort) -> None:
        self._store = store
        self._open = threading.Event()
        self._open.set()

    def stall(self, seconds: float) -> None:
        self._open.clear()
        timer = threading.Timer(seconds, self._open.set)
        timer.daemon = True
        timer.start()

    def release(self) -> None:
        self._open.set()

    def write_batch(self, records: Sequence[JournalRecord]) -> None:
        self._open.wait(30.0)
        self._store.write_batch(records)

    def max_seq(self, producer: str) -> int:
        return self._store.max_seq(producer)

    def producer_records(self, producer: str, after_seq: int = 0) -> list[JournalRecord]:
        return self._store.producer_records(producer, after_seq)

    def market_recovery_records(self, producer: str) -> list[JournalRecord]:
        return self._store.market_recovery_records(producer)

    def last_order_events(self, producer: str) -> list[JournalRecord]:
        return self._store.last_order_events(producer)

    def records_since(
        self,
        after_id: int = 0,
        kinds: Sequence[RecordKind] | None = None,
        limit: int | None = None,
    ) -> Sequence[StoredRecordLike]:
        return self._store.records_since(after_id, kinds, limit)


@dataclass
class Injectors:
    engine: Engine
    faults: ChaosFaults
    journal: StallingJournal
    markets: Sequence[MarketInfo]
    decoder: Decoder | None
    resync: Callable[[MarketInfo], None]  # the reconnect's fresh books after a silence
    figures: InfraFigures = field(default_factory=InfraFigures)
    flip: int = 0

    def inject(self, kind: str, pick: Callable[[int], int]) -> int:
        """Inject one fault of `kind`; how many deaths (halts) it causes."""
        handler: dict[str, Callable[[Callable[[int], int]], int]] = {
            "pool": self._pool,
            "watchdog": self._watchdog,
            "dispatcher": self._dispatcher,
            "journal_stall": self._journal_stall,
            "feed_silence": self._feed_silence,
            "poison": self._poison,
            "event": self._event,
        }
        return handler[kind](pick)

    def _pool(self, pick: Callable[[int], int]) -> int:
        """The markets pool supervisor dies: stopped behind the root's back, or its own
        death handling raises (it escalates: every market stops, the root restarts it)."""
        self.flip += 1
        if self.flip % 2:
            root = self.engine.root
            pool = None if root is None else root.child(MARKETS)
            if isinstance(pool, SupervisorChild):
                pool.supervisor.shutdown(2.0)
                return 1
            return 0
        self.faults.arm_crash(MARKETS)
        victim = market_producer(self.markets[pick(len(self.markets))].condition_id)
        self.engine.router.tell(victim, Crash("chaos pool"))
        return 1  # the pool (the market's report is what it fails on; the root halts)

    def _watchdog(self, pick: Callable[[int], int]) -> int:
        self.faults.arm_crash(WATCHDOG)
        return 1

    def _dispatcher(self, pick: Callable[[int], int]) -> int:
        """A pool worker's slice raises outside the actor loop: that market is dropped from
        the run queue, its mail waits, the watchdog finds it stale and it is restarted."""
        dispatcher = self.engine.dispatcher
        if dispatcher is None:
            return 0
        self.faults.arm_crash(dispatcher.fault_name)
        return 1

    def _event(self, pick: Callable[[int], int]) -> int:
        """An EventActor dies (it only measures, yet it fails closed like a market): halt
        first, every market's orders canceled, then its new generation closes in the journal
        every opportunity the old one left open."""
        names = self.engine.event_names()
        if not names:
            return 0
        if not self.engine.router.tell(names[pick(len(names))], Crash("chaos event")):
            return 0  # down already (restarting): killed by no one
        self.figures.event_kills += 1
        return 1

    def _journal_stall(self, pick: Callable[[int], int]) -> int:
        """Journal writes block for longer than the watchdog's stuck threshold: the
        TelemetryActor is found stuck mid-write and restarted; the halt waits for the disk."""
        self.figures.stalls += 1
        self.journal.stall(0.8)
        return 1

    def _feed_silence(self, pick: Callable[[int], int]) -> int:
        """A connection goes silent: its tokens are unsynced exactly as `FeedSilent` does,
        which must cancel that market's orders (no halt: the other markets trade on)."""
        info = self.markets[pick(len(self.markets))]
        self.figures.silences += 1
        self.engine.desync(info.tokens)
        self.engine.drain(5.0)
        rows = self.journal.producer_records(market_producer(info.condition_id))
        self.figures.silence_left_open += len(open_orders_from_journal(rows))
        self.resync(info)
        return 0

    def _poison(self, pick: Callable[[int], int]) -> int:
        """A poison frame through the real decoder: a counted rejection, never an escape,
        never an accepted out-of-range event."""
        decoder = self.decoder
        if decoder is None:
            return 0
        frame = POISON_FRAMES[pick(len(POISON_FRAMES))]
        self.figures.poison_frames += 1
        try:
            result = decoder(frame, int(time.time() * 1000))
        except Exception as exc:  # noqa: BLE001 - an escape is exactly what this fault finds
            self.figures.poison_escaped.append(type(exc).__name__)
            return 0
        self.figures.poison_accepted += len(result.events)
        return 0


def figures_dict(figures: InfraFigures) -> dict[str, Any]:
    return {
        "silences": figures.silences,
        "silence_left_open": figures.silence_left_open,
        "poison_frames": figures.poison_frames,
        "poison_escaped": len(figures.poison_escaped),
        "poison_escape_kinds": sorted(set(figures.poison_escaped)),
        "poison_accepted": figures.poison_accepted,
        "journal_stalls": figures.stalls,
        "event_kills": figures.event_kills,
    }
