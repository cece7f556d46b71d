"""Arbitrage episodes and their summary, from the EventActors' journaled transitions.

An *episode* is one opportunity from its `arb_open` to its `arb_close` (or still open at the
end of the journal). What the summary calls *capturable* is each episode's net edge after
fees **at open** — what a taker could have taken at the first sight of it — not its peak:
counting the best moment of every episode would overstate what any real path captures.
The median edge is the median of those at-open net edges per share; durations are over the
closed episodes only (an open one has no duration yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from astra.domain.journal_record import JournalRecord, RecordKind

ARB_PREFIX = "arb:"


def is_arb_record(record: JournalRecord) -> bool:
    """An EventActor's transition (a DECISION that is no strategy evaluation)."""
    return record.kind is RecordKind.DECISION and record.producer.startswith(ARB_PREFIX)


@dataclass(slots=True)
class Episode:
    key: str
    kind: str
    event_id: str
    opened_ms: int
    size_at_open: int
    net_at_open: int
    net_per_share_at_open: int
    legs: list[dict[str, Any]]
    changes: int = 0
    peak_net: int = 0
    closed_ms: int | None = None
    close_reason: str = ""
    last: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_ms(self) -> int | None:
        return None if self.closed_ms is None else self.closed_ms - self.opened_ms

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "event_id": self.event_id,
            "opened_ms": self.opened_ms,
            "closed_ms": self.closed_ms,
            "duration_ms": self.duration_ms,
            "close_reason": self.close_reason or None,
            "size_at_open": self.size_at_open,
            "net_at_open": self.net_at_open,
            "net_per_share_at_open": self.net_per_share_at_open,
            "peak_net": self.peak_net,
            "changes": self.changes,
            "legs": self.legs,
        }


def episodes(transitions: Iterable[tuple[str, int, dict[str, Any]]]) -> list[Episode]:
    """Episodes from (producer, ts_ms, payload) transitions in journal order."""
    done: list[Episode] = []
    live: dict[tuple[str, str], Episode] = {}
    for producer, ts_ms, data in transitions:
        slot = (producer, str(data.get("key", "")))
        action = data.get("action")
        if action == "arb_open":
            live[slot] = Episode(
                slot[1],
                str(data.get("kind", "")),
                str(data.get("event_id", producer[len(ARB_PREFIX) :])),
                int(data.get("opened_ms", ts_ms)),
                int(data.get("size", 0)),
                int(data.get("net", 0)),
                int(data.get("net_per_share", 0)),
                list(data.get("legs", [])),
                peak_net=int(data.get("net", 0)),
                last=data,
            )
            done.append(live[slot])
            continue
        episode = live.get(slot)
        if episode is None:
            continue
        episode.last = data
        episode.peak_net = max(episode.peak_net, int(data.get("peak_net", 0)))
        if action == "arb_change":
            episode.changes += 1
        elif action == "arb_close":
            episode.closed_ms = ts_ms
            episode.close_reason = str(data.get("close_reason", ""))
            del live[slot]
    return done


def episodes_of_records(records: Iterable[JournalRecord]) -> list[Episode]:
    return episodes((r.producer, r.ts_ms, r.data()) for r in records if is_arb_record(r))


def escalations(payloads: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The taker escalations: decisions and executions by reason, and what the filled takes
    realised (an execution with a missed leg realises nothing: it left an unhedged position)."""
    decided: dict[str, int] = {}
    executed: dict[str, int] = {}
    realised = 0
    for data in payloads:
        action, reason = data.get("action"), str(data.get("reason", "?"))
        if action == "arb_escalate":
            decided[reason] = decided.get(reason, 0) + 1
        elif action == "arb_take":
            executed[reason] = executed.get(reason, 0) + 1
            net = data.get("net")
            realised += net if isinstance(net, int) else 0
    return {
        "decisions": dict(sorted(decided.items())),
        "takes": dict(sorted(executed.items())),
        "realised_net_micros": realised,
    }


def _quantile(values: Sequence[int], q: float) -> int | None:
    """Nearest-rank quantile (an observed value, never interpolated)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * int(q * 100) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def summary(found: Sequence[Episode]) -> dict[str, Any]:
    durations = [e.duration_ms for e in found if e.duration_ms is not None]
    by_kind: dict[str, int] = {}
    for episode in found:
        by_kind[episode.kind] = by_kind.get(episode.kind, 0) + 1
    return {
        "opportunities": len(found),
        "open": sum(1 for e in found if e.closed_ms is None),
        "by_kind": dict(sorted(by_kind.items())),
        "median_net_per_share_micros": _quantile([e.net_per_share_at_open for e in found], 0.5),
        "capturable_net_micros": sum(e.net_at_open for e in found),
        "duration_ms": {
            "p50": _quantile(durations, 0.5),
            "p90": _quantile(durations, 0.9),
            "max": max(durations) if durations else None,
        },
    }


TOP_EPISODES = 10


def arb_report(records: Iterable[JournalRecord]) -> dict[str, Any]:
    """The report's arbitrage section: the summary and the largest episodes at open; {} when
    the journal holds no arbitrage transition."""
    arb = [r for r in records if is_arb_record(r)]
    found = episodes_of_records(arb)
    if not found:
        return {}
    top = sorted(found, key=lambda e: (-e.net_at_open, e.opened_ms, e.key))[:TOP_EPISODES]
    taken = escalations(r.data() for r in arb)
    return summary(found) | {"top": [e.to_dict() for e in top], "escalation": taken}
