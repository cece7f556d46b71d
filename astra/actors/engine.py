"""The actor tree, built from adapters and configuration (the composition root calls this).

```
root (one_for_one)            before_restart = halt-first protocol
├── telemetry                 TelemetryActor: single journal writer
├── risk                      RiskActor: starts HALTED (STARTUP), replays journaled fills
├── markets (simple_one_for_one, before_restart = halt-first)
│   └── market:<condition id> x N
├── watchdog                  finds dead/stuck actors; its own death is a halt (loop_child)
└── market-clock              live only: MarketTick to every market each tick_ms (market_clock)
```

`Engine.feed(event)` routes a validated event by market, and a `SpotPrice` to every market
whose definition contract resolves on its symbol; `drain()` waits until every mailbox is empty
and commits the journal, so a replay can feed, drain and compare deterministically.
Trading starts HALTED; `resume(operator)` is the explicit act (it flushes the journal, the
RiskActor reconciles its ledger with journaled fills, then every market's gate opens).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import pykka

from astra.actors.engine_events import EventTree
from astra.actors.engine_idle import (
    EngineStartError,
    await_started,
    drain_tree,
    tree_busy,
)
from astra.actors.engine_parts import MARKETS, ROOT, EngineConfig, EngineParts, WallClock
from astra.actors.engine_universe import RISK, EngineUniverse
from astra.actors.equity_board import EquityBoard
from astra.actors.halt_protocol import (
    SUPERVISION_PRODUCER,
    HaltEntry,
    HaltProtocol,
    HaltProtocolDeps,
)
from astra.actors.journal_bag import JournalBag
from astra.actors.market_actor import (
    MarketActor,
    MarketDeps,
    market_producer,
)
from astra.actors.market_clock import MarketClock
from astra.actors.market_contracts import SpotRoutes, resolve_contracts
from astra.actors.market_inputs import SharedSpot
from astra.actors.messages import (
    CancelAll,
    Desync,
    EquityTick,
    FeedEvent,
    FlushNow,
    FlushResult,
    FlushTick,
    Halt,
    MarketDigest,
    MarketQuery,
    ModelFeed,
    Resume,
    ResumeResult,
    RiskQuery,
    RiskStatus,
    SpotFeed,
)
from astra.actors.model_board import ModelBoard, ModelRoutes
from astra.actors.outbox import Outboxes
from astra.actors.overload import Overload, bound_factory
from astra.actors.ports import BookSource, JournalPort, RiskBook
from astra.actors.risk_actor import RISK_PRODUCER, RiskActor, RiskDeps
from astra.actors.risk_book import DomainRiskBook
from astra.actors.risk_gate import RiskGate
from astra.actors.runtime.base import spawn
from astra.actors.runtime.dead_letters import DeadLetterLog
from astra.actors.runtime.dispatcher import Dispatcher
from astra.actors.runtime.loop_child import watchdog_spec
from astra.actors.runtime.registry import Registry
from astra.actors.runtime.supervision import ChildContext, ChildSpec
from astra.actors.runtime.supervisor import (
    ShutdownReport,
    Supervisor,
    SupervisorChild,
    supervisor_spec,
)
from astra.actors.runtime.tally import Router
from astra.actors.runtime.watchdog import Watchdog
from astra.actors.telemetry_actor import TelemetryActor
from astra.domain.clock import Clock
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.events import MarketEvent, SpotPrice
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import MetricsSink
from astra.domain.models.frames import ModelFrame
from astra.domain.reasons import HaltReason, OrderReason
from astra.domain.strategies import Strategy as QuoteStrategy
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.domain.strategies.spot_state import SpotTracker

_log = logging.getLogger("astra.actors.engine")
TELEMETRY = "telemetry"
__all__ = [
    "MARKETS",
    "ROOT",
    "Engine",
    "EngineConfig",
    "EngineParts",
    "EngineStartError",
    "WallClock",
]


class Engine(EngineUniverse):
    def __init__(
        self,
        markets: Sequence[MarketInfo],
        journal: JournalPort,
        books: BookSource,
        *,
        clock: Clock,
        metrics: MetricsSink,
        config: EngineConfig | None = None,
        parts: EngineParts | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self._parts = parts or EngineParts()
        if self._parts.strategy is not None and self._parts.contract_strategy is not None:
            raise ValueError("give EngineParts.strategy or contract_strategy, not both")
        self._markets = {m.condition_id: m for m in markets}
        self._market_names = frozenset(map(market_producer, self._markets))
        self._asset_market = {t: m.condition_id for m in markets for t in m.tokens}
        self.contracts = resolve_contracts(
            markets, self._parts.contracts, parse=self._parts.parse_contracts
        )
        self.spot_routes = SpotRoutes(self.contracts)
        interval = self.config.market.spot_sample_interval_ms
        # Owned here, not by the actors, so a restarted market keeps its sampled spot path.
        self._spot = {
            cid: SharedSpot(SpotTracker(interval)) for cid in self.spot_routes.market_ids()
        }
        self.model_routes = ModelRoutes(self.contracts)
        self.model_board = ModelBoard()
        self.equity = EquityBoard()
        self.risk_gate = RiskGate()
        self._journal = journal
        self._books = books
        self.clock = clock
        self.metrics = metrics
        self.dead_letters = DeadLetterLog()
        self.registry = Registry(metrics, self.dead_letters)
        self.router = Router(self.registry, self._parts.tally)
        self.journal_bag = JournalBag(self.router, TELEMETRY)
        self.event_tree = (
            None
            if self.config.arb is None
            else EventTree(
                self.config.arb,
                markets,
                router=self.router,
                clock=clock,
                journal=journal,
                journal_bag=self.journal_bag,
                run_id=self.config.market.run_id,
            )
        )
        producers = [*map(market_producer, self._markets), RISK_PRODUCER, SUPERVISION_PRODUCER]
        producers += self.event_names()
        self.outboxes = Outboxes({p: journal.max_seq(p) for p in producers})
        self.halts = HaltProtocol(
            HaltProtocolDeps(
                router=self.router,
                outboxes=self.outboxes,
                writer=journal,
                reader=journal,
                clock=clock,
                markets=self.market_names,
                market_of=self._market_of,
                metrics=metrics,
                risk_name=RISK,
                timeout_s=self.config.halt_timeout_s,
            )
        )
        self.dispatcher = (
            Dispatcher(
                MARKETS,
                self.config.market_workers,
                self.config.market_throughput,
                self._parts.faults,
            )
            if self.config.market_workers > 0
            else None
        )
        self.root: Supervisor | None = None
        self._pool_specs: list[ChildSpec] = []  # the pool's children: a restart starts these
        self.overload = Overload(
            self.router,
            clock,
            metrics,
            {m.condition_id: m.tokens for m in markets},
            market_producer,
            RISK,
        )
        tick_ms = self.config.market_tick_ms
        self.market_clock = (
            MarketClock(self.market_names, self.router.tell, tick_ms) if tick_ms else None
        )
        self._ticker_stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, wait_s: float = 60.0) -> None:
        """Build and start the tree; returns once every actor is started (see below)."""
        if self.dispatcher is not None:
            self.dispatcher.start()
        root = Supervisor(
            self.config.root,
            clock=self.clock,
            metrics=self.metrics,
            registry=self.registry,
            before_restart=self.halts.before_restart,
            dead_letters=self.dead_letters,
            faults=self._parts.faults,
        )
        self._pool_specs[:] = [self._market_spec(info) for info in self._markets.values()]
        pool = supervisor_spec(
            self.config.markets,
            self.registry,
            self._pool_specs,
            before_restart=self.halts.before_restart,
            dead_letters=self.dead_letters,
            faults=self._parts.faults,
        )
        self.root = root
        children = [self._telemetry_spec(), self._risk_spec()]
        if self.event_tree is not None:
            # Before the markets, so their first books reach a live EventActor.
            children.append(
                self.event_tree.spec(
                    self.registry,
                    self.outboxes,
                    self.halts.before_restart,
                    dead_letters=self.dead_letters,
                    faults=self._parts.faults,
                )
            )
        children.append(pool)
        if self.config.watchdog is not None:
            # A supervised child of the root: its death is a halt, then a new generation.
            watchdog = Watchdog(self.registry, self.clock, self.metrics, self.config.watchdog)
            children.append(watchdog_spec(watchdog, self.config.watchdog.interval_s))
        if self.market_clock is not None and self.config.flush_interval_s is not None:
            # Live (timers on): the wall clock ticks markets that hear nothing.
            children.append(self.market_clock.spec(self.clock))
        root.start(children)
        if self.config.flush_interval_s is not None:
            self._ticker = threading.Thread(target=self._tick, name="telemetry-ticker")
            self._ticker.start()
        await_started(self.all_healthy, lambda: self.escalated, wait_s)

    def shutdown(self, timeout_s: float = 10.0) -> ShutdownReport:
        """Cancel all, commit, stop the tree in reverse start order; bounded by `timeout_s`."""
        self._ticker_stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout_s)
        if self.root is None:
            return ShutdownReport((), ())
        for name in self.market_names():
            self.router.tell(name, CancelAll(OrderReason.SHUTDOWN))
        self.flush(timeout_s=min(timeout_s, 2.0))
        report = self.root.shutdown(timeout_s)
        if self.dispatcher is not None:
            self.dispatcher.stop(min(timeout_s, 2.0))
        return report

    @property
    def escalated(self) -> bool:
        return self.root is not None and self.root.escalated.is_set()

    # -- inputs ----------------------------------------------------------------------------
    def feed(self, event: MarketEvent | SpotPrice | ModelFrame) -> bool:
        """Route one validated event to its market; False if that market is not live. A spot
        print goes to every market whose contract resolves on its symbol; False if none;
        a model frame (forecast, prior) to every market whose contract reads its key."""
        if isinstance(event, ModelFrame):
            return self._feed_model(event)
        if isinstance(event, SpotPrice):
            routed = [
                self.router.tell(market_producer(cid), SpotFeed(event))
                for cid in self.spot_routes.markets(event.symbol)
            ]
            return any(routed)
        if event.market not in self._markets:
            return False
        if self.market_clock is not None:
            # Due expiries of every market first: in a replay this is the only clock.
            self.market_clock.advance(self.clock.now_ms())
        return self.router.tell(market_producer(event.market), FeedEvent(event))

    def _feed_model(self, frame: ModelFrame) -> bool:
        if not self.model_board.offer(frame):
            return False
        told = [
            self.router.tell(market_producer(cid), ModelFeed(frame))
            for cid in self.model_routes.markets(frame.key)
        ]
        return any(told)

    def desync(self, asset_ids: Sequence[str]) -> int:
        """The feed lost these assets' books (a reconnect): each owning market drops them
        until the next `book` snapshot and cancels its resting orders (`feed_desync`).
        Returns how many markets were told; unknown assets are ignored."""
        owners: dict[str, list[str]] = {}
        for asset in asset_ids:
            market = self._asset_market.get(asset)
            if market is not None:
                owners.setdefault(market, []).append(asset)
        told = [
            self.router.tell(market_producer(market), Desync(tuple(assets)))
            for market, assets in sorted(owners.items())
        ]
        return sum(told)

    def halt(self, reason: HaltReason, detail: str, timeout_s: float = 2.0) -> bool:
        try:
            self.router.ask(RISK, Halt(reason, detail, self.clock.now_ms()), timeout_s)
        except (pykka.Timeout, pykka.ActorDeadError):
            return False
        return True

    def resume(
        self, operator: str, timeout_s: float = 5.0, *, rebase_peak: bool = False
    ) -> ResumeResult:
        """Explicit resume: commit the journal, then ask the RiskActor (it reconciles first;
        `rebase_peak`: the current equity becomes the drawdown's high-water mark first).
        While a death is being handled anywhere in the tree it waits (within `timeout_s`)
        for the halt and the restart to finish, and is refused if they do not."""
        deadline = time.monotonic() + timeout_s
        while self.settling():
            if time.monotonic() >= deadline:
                return ResumeResult(False, "a death is being handled (halt first, then restart)")
            time.sleep(0.005)
        flushed = self.flush(timeout_s)
        if not flushed.ok:
            return ResumeResult(False, "journal not writable")
        self.overload.reset()
        try:
            message = Resume(operator, self.clock.now_ms(), rebase_peak)
            answer = self.router.ask(RISK, message, timeout_s)
        except (pykka.Timeout, pykka.ActorDeadError) as exc:
            return ResumeResult(False, f"risk actor unavailable: {type(exc).__name__}")
        return answer if isinstance(answer, ResumeResult) else ResumeResult(False, repr(answer))

    # -- queries ---------------------------------------------------------------------------
    def market_names(self) -> list[str]:
        return [market_producer(cid) for cid in self._markets]

    def event_names(self) -> list[str]:
        return [] if self.event_tree is None else self.event_tree.names()

    def flush(self, timeout_s: float = 5.0) -> FlushResult:
        try:
            answer = self.router.ask(TELEMETRY, FlushNow(), timeout_s)
        except (pykka.Timeout, pykka.ActorDeadError):
            return FlushResult(ok=False, written=0, buffered=-1)
        return answer if isinstance(answer, FlushResult) else FlushResult(False, 0, -1)

    def drain(self, timeout_s: float = 10.0) -> bool:
        """Wait until every mailbox is empty and no handler runs, then commit the journal."""
        pooled = self._market_names if self.dispatcher is not None else frozenset()
        return drain_tree(
            lambda: tree_busy(self.registry, self.dispatcher, pooled),
            lambda t: self.flush(t).ok,
            timeout_s,
        )

    def risk_status(self, timeout_s: float = 2.0) -> RiskStatus | None:
        try:
            answer = self.router.ask(RISK, RiskQuery(), timeout_s)
        except (pykka.Timeout, pykka.ActorDeadError):
            return None
        return answer if isinstance(answer, RiskStatus) else None

    def digest(self, market: str, timeout_s: float = 2.0) -> MarketDigest | None:
        try:
            answer = self.router.ask(market_producer(market), MarketQuery(), timeout_s)
        except (pykka.Timeout, pykka.ActorDeadError):
            return None
        return answer if isinstance(answer, MarketDigest) else None

    def settling(self) -> bool:
        """The root or the markets pool is handling a death (or stopping)."""
        root = self.root
        if root is None:
            return False
        pool = root.child(MARKETS)
        nested = pool.supervisor if isinstance(pool, SupervisorChild) else None
        return root.busy() or nested is None or nested.busy()

    def halt_entries(self) -> list[HaltEntry]:
        return self.halts.entries

    def all_healthy(self) -> bool:
        """Every market, the RiskActor and the TelemetryActor are bound, started and alive."""
        names = {TELEMETRY, RISK, *self.market_names(), *self.event_names()}
        live = {
            e.child.name
            for e in self.registry.entries()
            if e.child.is_alive() and e.child.health().started
        }
        return names <= live

    # -- tree ------------------------------------------------------------------------------
    def _telemetry_spec(self) -> ChildSpec:
        def start(ctx: ChildContext) -> Any:
            return spawn(
                TelemetryActor,
                ctx,
                self._journal,
                self.outboxes.ack_records,
                self._journal_down,
                self.config.telemetry,
                self.journal_bag,
                self.outboxes.all_pending,
                self._parts.tally,
            )

        return ChildSpec(TELEMETRY, start, kind=TelemetryActor.kind)

    def _risk_spec(self) -> ChildSpec:
        deps = RiskDeps(
            self.router,
            self._journal,
            self.market_names,
            self.risk_gate,
            self.journal_bag,
            self.equity,
            self.config.equity_interval_ms,
        )
        factory = self._parts.risk_book or self._default_risk_book

        def start(ctx: ChildContext) -> Any:
            return spawn(RiskActor, ctx, factory, self.outboxes.get(RISK_PRODUCER), deps)

        return ChildSpec(RISK, start, kind=RiskActor.kind)

    def _market_spec(self, info: MarketInfo) -> ChildSpec:
        name = market_producer(info.condition_id)
        deps = MarketDeps(
            router=self.router,
            journal=self._journal,
            books=self._books,
            config=self.config.market,
            strategy=self._parts.strategy or _default_strategy,
            risk_name=RISK,
            risk_timeout_s=self.config.risk_timeout_s,
            on_canceled=self._parts.on_canceled,
            contract=self._contract_of,
            contract_reason=self._contract_reason,
            contract_strategy=self._parts.contract_strategy,
            equity=self.equity.read,
            dispatcher=self.dispatcher,
            risk_gate=self.risk_gate,
            journal_bag=self.journal_bag,
            inbox_bound=bound_factory(self.config.backpressure, self.overload),
            max_lag_ms=None if (bp := self.config.backpressure) is None else bp.max_lag_ms,
            on_books=None if self.event_tree is None else self.event_tree.feed,
            model_frame=self.model_board.get,
        )
        spot = self._spot.get(info.condition_id)

        def start(ctx: ChildContext) -> Any:
            return spawn(MarketActor, ctx, info, self.outboxes.get(name), deps, spot)

        return ChildSpec(name, start, kind=MarketActor.kind)

    def _default_risk_book(self) -> RiskBook:
        return DomainRiskBook(
            self.config.risk_limits, self.config.initial_cash, self.clock.now_ms()
        )

    def _contract_of(self, info: MarketInfo) -> DefinitionContract | None:
        return self.contracts.get(info.condition_id)

    def _contract_reason(self, info: MarketInfo) -> str:
        return (self._parts.contract_missing or {}).get(info.condition_id, "")

    def _market_of(self, name: str) -> str | None:
        prefix = market_producer("")
        if name.startswith(prefix) and name[len(prefix) :] in self._markets:
            return name[len(prefix) :]
        return None

    def _journal_down(self, detail: str) -> None:
        # Called on the TelemetryActor's thread: tell, never ask (the RiskActor may be busy).
        now = self.clock.now_ms()
        self.router.tell(RISK, Halt(HaltReason.JOURNAL_UNAVAILABLE, detail, now))
        for name in self.market_names():
            self.router.tell(name, CancelAll(OrderReason.HALT))

    def _tick(self) -> None:
        interval = self.config.flush_interval_s or 0.02
        last_equity = time.monotonic()
        while not self._ticker_stop.wait(interval):
            if time.monotonic() - last_equity >= 1.0:  # the RiskActor's equity cadence
                last_equity = time.monotonic()
                self.router.tell(RISK, EquityTick())
            ref = self.registry.ref(TELEMETRY)
            if ref is not None:
                try:
                    ref.tell(FlushTick())
                except pykka.ActorDeadError:
                    continue  # between generations: the next tick finds the new one


def _default_strategy(info: MarketInfo) -> QuoteStrategy:
    return SimpleQuoter()
