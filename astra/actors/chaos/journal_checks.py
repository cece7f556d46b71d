"""Invariants read from the journal alone, in commit order (what survives any death).

The journal is the only witness that outlives every actor, so "halt first" is checked there,
walking the committed records in commit order (`id`) while keeping every market's open orders
(the last event of each order by that producer's sequence wins):

- (j) zero open orders in every market at every restart marker (`RISK_EVENT halted/restart`,
  the first record a new generation writes: nothing may rest when anything restarts) and at
  every market's first submit after its halted marker (a halt's cancels are durable before
  trading resumes);
- (k) every HALT (RiskActor or halt protocol) reaches every market: each one was halted
  already or journals its halted marker after the HALT.

- (p) every EventActor death halts first and no opportunity outlives it: each EventActor
  generation g > 1 writes nothing before a committed HALT naming generation g - 1, and its
  first records close (`close_reason` "restart") every opportunity the journal still shows open
  from an older generation; each opportunity opens once, changes and closes only while open,
  and closes with `duration_ms` equal to its close time minus its open time.

Pure functions over `StoredRecordLike` rows, so tests hand-build journals that break each rule.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from astra.actors.chaos.checks import Invariant
from astra.actors.market_actor import market_producer
from astra.actors.ports import JournalReader, StoredRecordLike
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.orders import OrderState
from astra.domain.reasons import OrderReason

_MARKET = market_producer("")
_EVENT = "arb:"  # the EventActors' producer prefix (astra.actors.event_actor)


@dataclass
class _OpenOrders:
    """Every market's non-terminal orders as the journal prefix shows them, each with the
    commit position of its first record."""

    last_seq: dict[tuple[str, str], int] = field(default_factory=dict)
    open: dict[tuple[str, str], int] = field(default_factory=dict)

    def apply(self, stored: StoredRecordLike) -> None:
        record = stored.record
        data = record.data()
        key = (record.producer, data["order_id"])
        if self.last_seq.get(key, -1) > record.seq:
            return  # committed out of sequence order: a later event of it is already known
        self.last_seq[key] = record.seq
        if OrderState(data["state"]).terminal:
            self.open.pop(key, None)
        else:
            self.open.setdefault(key, stored.id)

    def older_than(self, position: int) -> list[str]:
        """Markets with an order open since before commit position `position`."""
        return sorted({p for (p, _), since in self.open.items() if since < position})


_HALTED_MARKERS = frozenset({"halt", "restart", "market_resolved"})


def _marker(record: JournalRecord) -> str | None:
    """A market's own gate marker: 'halted' or 'active' (None: not a marker)."""
    if record.kind is not RecordKind.RISK_EVENT or not record.producer.startswith(_MARKET):
        return None
    data = record.data()
    if data.get("state") == "halted" and data.get("reason") in _HALTED_MARKERS:
        return "halted"
    return "active" if data.get("state") == "active" else None


def _is_restart(record: JournalRecord) -> bool:
    return _marker(record) == "halted" and record.data().get("reason") == "restart"


def _is_submit(record: JournalRecord) -> bool:
    return (
        record.kind is RecordKind.ORDER_EVENT
        and record.producer.startswith(_MARKET)
        and record.data()["reason"] == OrderReason.SUBMITTED.value
    )


def _is_global_halt(record: JournalRecord) -> bool:
    return record.kind is RecordKind.HALT and record.data().get("state") == "halted"


def halt_first_in_journal(rows: Iterable[StoredRecordLike]) -> Invariant:
    """(j) in commit order: no open order at all at any restart marker, and at every market's
    first submit after its halted marker no order still open from before the HALT that
    marker answered (the latest HALT committed before the marker: a submit approved before
    a newer HALT may still be committed after it, with that halt's own cancels)."""
    book = _OpenOrders()
    restarts = checked_submits = 0
    last_halt = 0  # commit position of the latest HALT record
    since_halt: dict[str, int] = {}  # halted markets that have not submitted -> their HALT
    violations: list[str] = []
    for stored in sorted(rows, key=lambda r: r.id):
        record = stored.record
        if _is_global_halt(record):
            last_halt = stored.id
        elif _marker(record) == "halted":
            since_halt[record.producer] = last_halt
            if _is_restart(record):
                restarts += 1
                still = book.older_than(stored.id)
                if still:
                    violations.append(f"restart {record.producer}#{record.seq}: {still[:3]}")
        elif _is_submit(record) and record.producer in since_halt:
            answered = since_halt.pop(record.producer)
            checked_submits += 1
            still = book.older_than(answered)
            if still:
                violations.append(f"submit {record.producer}#{record.seq}: {still[:3]}")
        if record.kind is RecordKind.ORDER_EVENT and record.producer.startswith(_MARKET):
            book.apply(stored)
    figures = {
        "restarts_checked": restarts,
        "first_submits_checked": checked_submits,
        "violations": len(violations),
        "first_violations": violations[:5],
    }
    return Invariant(
        "j",
        "zero open orders at every restart and before the first submit after a halt",
        not violations,
        figures,
    )


def global_halt_reaches_every_market(
    rows: Iterable[StoredRecordLike], markets: Sequence[str]
) -> Invariant:
    """(k) every HALT is global: each market was halted already (its last marker committed
    before the HALT) or journals a halted marker after it (a sequence number beyond what it
    had committed when the HALT was)."""
    ordered = sorted(rows, key=lambda r: r.id)
    committed: dict[str, int] = {}  # market -> highest seq committed so far
    halts: list[dict[str, int]] = []  # per HALT: the committed seq of every market then
    state_at: list[dict[str, str]] = []  # per HALT: every market's marker state then
    state: dict[str, str] = {}
    markers: dict[str, list[tuple[int, str]]] = {}
    for stored in ordered:
        record = stored.record
        if _is_global_halt(record):
            halts.append(dict(committed))
            state_at.append(dict(state))
        if record.producer.startswith(_MARKET):
            committed[record.producer] = max(committed.get(record.producer, 0), record.seq)
            mark = _marker(record)
            if mark is not None:
                state[record.producer] = mark
                markers.setdefault(record.producer, []).append((record.seq, mark))
    missed: list[str] = []
    for number, (seqs, states) in enumerate(zip(halts, state_at, strict=True), start=1):
        for market in markets:
            if states.get(market, "halted") == "halted":
                continue  # never resumed yet, or halted already
            after = seqs.get(market, 0)
            if not any(seq > after and mark == "halted" for seq, mark in markers.get(market, [])):
                missed.append(f"halt {number}: {market}")
    figures = {
        "halts": len(halts),
        "markets": len(markets),
        "missed": len(missed),
        "first_missed": missed[:5],
    }
    return Invariant("k", "every halt reaches every market", not missed, figures)


class RestartAudit:
    """Reads the committed journal at the instant anything restarts (the chaos `FaultHook`
    calls `on_start` on the new generation's thread, before it runs): a restart that finds
    any market's order still open is a violation of halt first. The first start of a name
    is not a restart; a nested supervisor's fresh children (generation 1 again) are."""

    def __init__(self, reader: JournalReader) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._book = _OpenOrders()
        self._last_id = 0
        self._seen: set[str] = set()
        self.checked = 0
        self.violations: list[str] = []

    def on_start(self, name: str, generation: int) -> None:
        with self._lock:
            if name not in self._seen:
                self._seen.add(name)
                return
            for stored in self._reader.records_since(self._last_id, [RecordKind.ORDER_EVENT]):
                self._last_id = max(self._last_id, stored.id)
                if stored.record.producer.startswith(_MARKET):
                    self._book.apply(stored)
            self.checked += 1
            still = self._book.older_than(self._last_id + 1)
            if still:
                self.violations.append(f"{name}#{generation}: open in {still[:3]}")

    def invariant(self) -> Invariant:
        with self._lock:
            figures = {
                "restarts_checked": self.checked,
                "violations": len(self.violations),
                "first_violations": self.violations[:5],
            }
            ok = not self.violations
        name = "the committed journal shows zero open orders at every restart"
        return Invariant("l", name, ok, figures)


def _event_halt(record: JournalRecord) -> tuple[str, int] | None:
    """(EventActor, generation) a HALT record was committed for (None: not an EventActor's)."""
    if record.kind is not RecordKind.HALT:
        return None
    words = str(record.data().get("detail", "")).split(" ")
    if words[:1] != ["event"] or len(words) < 4 or words[2] != "generation":
        return None
    return words[1], int(words[3].rstrip(":"))


@dataclass
class _EventLogs:
    """Every EventActor's opportunity log and generations as the journal prefix shows them."""

    halted: set[tuple[str, int]] = field(default_factory=set)
    seen: dict[str, int] = field(default_factory=dict)  # actor -> its latest generation
    opened: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("opened", "closed", "closed_by_restart"), 0)
    )
    generations: int = 0
    violations: list[str] = field(default_factory=list)

    def apply(self, record: JournalRecord) -> None:
        data = record.data()
        actor, generation = record.producer, int(data.get("generation", 1))
        where = f"{actor}#{record.seq}"
        last = self.seen.get(actor)
        if last is not None and generation < last:
            self.violations.append(f"{where}: generation {generation} after a newer one")
            return
        if generation > (1 if last is None else last):
            self.generations += 1
            if (actor, generation - 1) not in self.halted:
                self.violations.append(f"{actor} generation {generation}: no HALT before")
        self.seen[actor] = generation
        action = data.get("action")
        key = (actor, str(data.get("key", "")))
        if action == "arb_close":
            self._close(key, record, generation)
        elif action in ("arb_open", "arb_change"):
            stale = [k for (a, k), (_, g) in self.opened.items() if a == actor and g < generation]
            if stale:
                self.violations.append(f"{where}: {len(stale)} left open by a dead generation")
            if action == "arb_change" and key not in self.opened:
                self.violations.append(f"{where}: changes what is not open")
            elif action == "arb_open":
                if key in self.opened:
                    self.violations.append(f"{where}: opened twice")
                self.counts["opened"] += 1
                self.opened[key] = (int(data.get("opened_ms", record.ts_ms)), generation)

    def _close(self, key: tuple[str, str], record: JournalRecord, generation: int) -> None:
        data = record.data()
        where = f"{record.producer}#{record.seq}"
        start = self.opened.pop(key, None)
        if start is None:
            self.violations.append(f"{where}: closes what is not open")
            return
        restart = data.get("close_reason") == "restart"
        self.counts["closed"] += 1
        self.counts["closed_by_restart"] += int(restart)
        if start[1] != generation and not restart:
            self.violations.append(f"{where}: outlived generation {start[1]}")
        if data.get("duration_ms") != record.ts_ms - start[0]:
            self.violations.append(f"{where}: duration is not close - open")


def event_deaths_in_journal(rows: Iterable[StoredRecordLike], killed: int) -> Invariant:
    """(p) read from the journal alone, in commit order (see the module docstring)."""
    logs = _EventLogs()
    halts = 0
    for stored in sorted(rows, key=lambda r: r.id):
        record = stored.record
        halt = _event_halt(record)
        if halt is not None:
            halts += 1
            logs.halted.add(halt)
        elif record.producer.startswith(_EVENT) and record.kind is RecordKind.DECISION:
            logs.apply(record)
    figures = {
        "killed": killed,
        "event_halts": halts,
        **logs.counts,
        "generations": logs.generations,
        "violations": len(logs.violations),
        "first_violations": logs.violations[:5],
    }
    ok = not logs.violations and halts >= killed
    name = "an EventActor's death halts first and closes its open opportunities"
    return Invariant("p", name, ok, figures)
