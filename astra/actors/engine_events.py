"""The engine's EventActors (issue 17): which events get one, and how they are started.

Every event group of the universe (`domain.event_groups`) gets one EventActor; a market with
no event id gets none (its parity could still be measured, but a lone market is not an
event — conservative: nothing is claimed for it). The pool is a `simple_one_for_one`
supervisor with the markets' halt-first `before_restart`, so an EventActor's death halts
trading and cancels every resting order before it is restarted, exactly like a market's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from astra.actors.arb_feed import ArbFeed
from astra.actors.event_actor import EventActor, EventDeps, EventInfo, event_producer
from astra.actors.journal_bag import JournalBag
from astra.actors.outbox import Outboxes
from astra.actors.ports import JournalReader
from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.base import spawn
from astra.actors.runtime.registry import Registry
from astra.actors.runtime.runtime_messages import ChildDied
from astra.actors.runtime.supervision import ChildContext, ChildSpec, Intensity, Strategy
from astra.actors.runtime.supervisor import SupervisorConfig, supervisor_spec
from astra.actors.runtime.tally import Router
from astra.domain.arb_taker import EscalationConfig
from astra.domain.clock import Clock
from astra.domain.event_groups import group_markets
from astra.domain.market import MarketInfo

EVENTS = "events"


@dataclass(frozen=True, slots=True)
class ArbConfig:
    """EventActors on (an `EngineConfig.arb` of None: none are started)."""

    depth: int = 10  # book levels per side each market hands its EventActor
    escalation: EscalationConfig = field(default_factory=EscalationConfig)  # off by default
    maker_wait_ms: int = 0  # how long an opportunity waits for its maker legs first
    only_event: str = ""  # escalate in this event only ("" every event)
    supervisor: SupervisorConfig = field(
        default_factory=lambda: SupervisorConfig(
            EVENTS, Strategy.SIMPLE_ONE_FOR_ONE, Intensity(3, 60_000), BackoffPolicy(base_ms=10)
        )
    )


def event_infos(markets: Sequence[MarketInfo]) -> list[EventInfo]:
    by_id = {m.condition_id: m for m in markets}
    return [
        EventInfo(group.event_id, group.neg_risk, tuple(by_id[c] for c in group.members))
        for group in group_markets(markets).values()
    ]


class EventTree:
    def __init__(
        self,
        config: ArbConfig,
        markets: Sequence[MarketInfo],
        *,
        router: Router,
        clock: Clock,
        journal: JournalReader,
        journal_bag: JournalBag,
        run_id: str,
    ) -> None:
        self.config = config
        self.events = event_infos(markets)
        self._deps = EventDeps(router, journal, journal_bag, run_id)
        self._escalating = EventDeps(
            router, journal, journal_bag, run_id, config.escalation, config.maker_wait_ms
        )
        event_of = {
            m.condition_id: event_producer(e.event_id) for e in self.events for m in e.members
        }
        self.feed = ArbFeed(router, event_of, clock, config.depth)

    def names(self) -> list[str]:
        return [event_producer(e.event_id) for e in self.events]

    def spec(
        self,
        registry: Registry,
        outboxes: Outboxes,
        before_restart: Callable[[ChildDied], None],
        **options: Any,
    ) -> ChildSpec:
        children = [self._child(e, outboxes) for e in self.events]
        return supervisor_spec(
            self.config.supervisor,
            registry,
            children,
            before_restart=before_restart,
            **options,
        )

    def _child(self, event: EventInfo, outboxes: Outboxes) -> ChildSpec:
        name = event_producer(event.event_id)
        only = self.config.only_event
        deps = self._escalating if only in ("", event.event_id) else self._deps

        def start(ctx: ChildContext) -> Any:
            return spawn(EventActor, ctx, event, outboxes.get(name), deps)

        return ChildSpec(name, start, kind=EventActor.kind)
