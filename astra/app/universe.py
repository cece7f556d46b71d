"""The living universe of `astra paper` (docs/settlement.md).

Once a round the live loop calls `LiveUniverse.step`, which in order:
1. every `[settlement] check_interval_s` (and at the first round): checks on REST every market
   that is live, leaving, or holds a position or a resting order (`Holdings`, from the
   journal, so a market that resolved while the trader was down is found) and settles what
   resolved (`Engine.settle`: the live market cancels first; idempotent everywhere). A closed
   market stops quoting; an ambiguous answer is journaled, counted and alerted, and the
   position stays marked;
2. every `[discovery] refresh_s` (or at once after a WS `new_market`): rediscovers and adds the
   best-ranked eligible markets while there is room (`astra.domain.universe.plan`);
3. a live market past its end date stops quoting;
4. a leaving market that is flat (settled, or never held) is unsubscribed and retired;
5. a market added live burns in for `run.burn_in_rounds` healthy rounds (both books synced,
   its actor healthy) before its gate opens — and only if trading is open.
Each change is an INCIDENT record of the `universe` producer (`actor_kind` "universe",
`actor_name` the market's producer, `reason` the change) and `astra_universe_changes_total`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from astra.actors.market_actor import market_producer
from astra.adapters.alerts import Alert, AlertNotifier, Severity
from astra.adapters.http_client import HttpSettings
from astra.adapters.polymarket.resolution_rest import ResolutionRest
from astra.adapters.polymarket.ws_shards import MarketFeed
from astra.app.discovery import DiscoveryVetoed
from astra.app.holdings import Holdings
from astra.app.runtime import Runtime
from astra.app.settlement_check import check_resolutions
from astra.domain.journal_record import RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import (
    SETTLEMENT_CHECKS_TOTAL,
    UNIVERSE_CHANGES_TOTAL,
    UNIVERSE_MARKETS,
)
from astra.domain.reasons import OrderReason
from astra.domain.resolution import ResolutionAnswer, ResolutionVeto
from astra.domain.universe import ended, plan

_log = logging.getLogger("astra.app.universe")
UNIVERSE_PRODUCER = "universe"
Discover = Callable[[], Awaitable[list[MarketInfo]]]


class LiveUniverse:
    def __init__(
        self,
        runtime: Runtime,
        feed: MarketFeed,
        notifier: AlertNotifier,
        http: HttpSettings,
        discover: Discover,
        start_id: int = 0,
    ) -> None:
        self._runtime = runtime
        self._engine = runtime.engine
        self._feed = feed
        self._notifier = notifier
        self._http = http
        self._discover = discover
        settings = runtime.inputs.settings
        self._max = settings.discovery.max_markets
        self._burn_in = settings.run.burn_in_rounds
        self._check_s = settings.settlement.check_interval_s
        self._refresh_s = settings.discovery.refresh_s
        self.live: dict[str, MarketInfo] = {m.condition_id: m for m in runtime.inputs.markets}
        self.joining: dict[str, int] = {}  # market -> healthy rounds still needed
        self.leaving: dict[str, MarketInfo] = {}
        self._left_at: dict[str, int] = {}  # market -> the step it started leaving in
        self._steps = 0
        self.retired: set[str] = set()
        self.holdings = Holdings(runtime.store)
        # The start recovered every record up to `start_id`; the rest is read as it comes.
        ledger = runtime.start.recovered.ledger
        self.holdings.seed({} if ledger is None else ledger.positions, start_id)
        self._vetoes: dict[str, str] = {}  # market -> the veto last journaled for it
        self._settled: set[str] = set()  # settlements sent this run (resends are harmless)
        self._new_market = threading.Event()
        self._next_check = 0.0
        self._next_refresh = time.monotonic() + self._refresh_s if self._refresh_s > 0 else math.inf
        self._engine.outboxes.seed(UNIVERSE_PRODUCER, runtime.store.max_seq(UNIVERSE_PRODUCER))
        self._outbox = self._engine.outboxes.get(UNIVERSE_PRODUCER)

    def on_new_market(self) -> None:
        """A WS `new_market` (any thread): rediscover at the next round."""
        self._new_market.set()

    def assets(self) -> tuple[str, ...]:
        """The tokens of the markets trading (not burning in, not leaving): `/readyz`, book
        age and the start burn-in look at these."""
        return tuple(t for cid, m in self.live.items() if cid not in self.joining for t in m.tokens)

    def facts(self) -> dict[str, Any]:
        return {
            "live": len(self.live),
            "joining": sorted(self.joining),
            "leaving": sorted(self.leaving),
            "retired": len(self.retired),
        }

    async def step(self, trading_open: bool) -> None:
        self._steps += 1
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self._check_s if self._check_s > 0 else math.inf
            await self.check_settlements()
        if now >= self._next_refresh or self._new_market.is_set():
            self._new_market.clear()
            self._next_refresh = now + self._refresh_s if self._refresh_s > 0 else math.inf
            await self.rediscover()
        now_ms = self._engine.clock.now_ms()
        for info in [m for m in self.live.values() if ended(m, now_ms)]:
            self._leave(info, "end_date_passed")
        await self._retire_flat()
        self._burn_in_round(trading_open)
        self._gauges()

    # -- settlement --------------------------------------------------------------------------
    async def check_settlements(self) -> list[ResolutionAnswer]:
        await anyio.to_thread.run_sync(self.holdings.refresh)
        known = {**self.leaving, **self.live}
        held = {m: t for m, t in self.holdings.held_tokens().items() if m not in known}
        holds = self.holdings.holds
        wanted = [m for cid, m in known.items() if cid not in self._settled or holds(cid)]
        venue = self._runtime.inputs.settings.venue
        metrics = self._engine.metrics
        rest = ResolutionRest(venue.gamma_url, venue.clob_url, http=self._http, metrics=metrics)
        async with rest:
            answers = await check_resolutions(rest, wanted, held, self._engine.clock.now_ms())
        for answer in answers:
            self._on_answer(answer)
        return answers

    def _on_answer(self, answer: ResolutionAnswer) -> None:
        market, metrics = answer.market, self._engine.metrics
        if answer.settlement is not None:
            outcome = "split" if answer.settlement.split else "winner"
            metrics.inc(SETTLEMENT_CHECKS_TOTAL, {"outcome": outcome})
            self._engine.settle(answer.settlement)
            if market not in self._settled:
                self._settled.add(market)
                self._journal("market_settled", market, f"{outcome} (rest)")
            info = self.live.get(market)
            if info is not None:
                self._leave(info, "market_resolved")
            return
        if answer.veto is None:
            metrics.inc(SETTLEMENT_CHECKS_TOTAL, {"outcome": "open"})
            return
        metrics.inc(SETTLEMENT_CHECKS_TOTAL, {"outcome": answer.veto.value})
        if self._vetoes.get(market) != answer.detail:
            self._vetoes[market] = answer.detail
            self._journal(answer.veto.value, market, answer.detail)
        if answer.veto is ResolutionVeto.AMBIGUOUS:
            _log.error("resolution ambiguous for %s: %s", market, answer.detail)
            message = f"{market}: {answer.detail}; position stays marked, not settled"
            self._alert("settlement", Severity.CRITICAL, "Resolution ambiguous", message)
        info = self.live.get(market)
        if answer.veto is not ResolutionVeto.UNAVAILABLE and info is not None:
            # Closed without a result, or a contested answer (some source says closed or
            # resolved): never keep quoting a market whose end is in question.
            self._leave(
                info, "market_closed" if answer.veto is ResolutionVeto.PENDING else "ambiguous"
            )

    # -- discovery ---------------------------------------------------------------------------
    async def rediscover(self) -> list[MarketInfo]:
        try:
            found = await self._discover()
        except (DiscoveryVetoed, ValueError) as exc:  # keep the universe as it is
            self._engine.metrics.inc(UNIVERSE_CHANGES_TOTAL, {"change": "refresh_vetoed"})
            _log.warning("rediscovery vetoed, universe unchanged: %s", exc)
            return []
        now_ms = self._engine.clock.now_ms()
        barred = self.retired | set(self.leaving)
        taken = plan(list(self.live.values()), found, now_ms, self._max, barred)
        added = []
        for info in taken.add:
            if await anyio.to_thread.run_sync(self._engine.add_market, info):
                self.live[info.condition_id] = info
                self.joining[info.condition_id] = max(self._burn_in, 1)
                await self._feed.subscribe([info.tokens])
                self._journal("market_added", info.condition_id, info.question[:120])
                added.append(info)
        return added

    # -- leaving -----------------------------------------------------------------------------
    def _leave(self, info: MarketInfo, why: str) -> None:
        cid = info.condition_id
        if cid in self.leaving:
            return
        self.live.pop(cid, None)
        self.joining.pop(cid, None)
        self.leaving[cid] = info
        self._left_at[cid] = self._steps
        self._engine.stop_quoting(cid, OrderReason.MARKET_CLOSED.value)
        self._journal("market_closing", cid, why)

    async def _retire_flat(self) -> None:
        if not self.leaving:
            return
        await anyio.to_thread.run_sync(self.holdings.refresh)
        for cid, info in list(self.leaving.items()):
            # Not in the step it started leaving: its cancels are then handled and committed.
            if self._left_at[cid] == self._steps or self.holdings.holds(cid):
                continue  # orders still resting (cancels in flight) or a position to settle
            await self._feed.unsubscribe(info.tokens)
            await anyio.to_thread.run_sync(self._engine.retire_market, cid)
            del self.leaving[cid], self._left_at[cid]
            self.retired.add(cid)
            self._journal("market_retired", cid, "flat")

    # -- burn-in of markets added live -------------------------------------------------------
    def _burn_in_round(self, trading_open: bool) -> None:
        healthy = {
            e.child.name
            for e in self._engine.registry.entries()
            if e.child.is_alive() and e.child.health().started
        }
        for cid in list(self.joining):
            info = self.live[cid]
            ok = market_producer(cid) in healthy and all(self._feed.synced(t) for t in info.tokens)
            left = self.joining[cid] - 1 if ok else max(self._burn_in, 1)
            if left > 0:
                self.joining[cid] = left
                continue
            if not trading_open:
                continue  # burnt in; it opens with everybody else at the next resume
            del self.joining[cid]
            if self._engine.open_market(cid):
                self._journal("market_opened", cid, "burn-in complete")

    # -- records, metrics, alerts ------------------------------------------------------------
    def _journal(self, change: str, market: str, detail: str) -> None:
        self._engine.metrics.inc(UNIVERSE_CHANGES_TOTAL, {"change": change})
        _log.info("universe: %s %s (%s)", change, market, detail)
        payload = {
            "actor_kind": "universe",
            "actor_name": market_producer(market),
            "reason": change,
            "detail": detail,
            "dead_letters": 0,
        }
        now = self._engine.clock.now_ms()
        record = self._outbox.append(RecordKind.INCIDENT, now, market, payload)
        self._engine.journal_bag.post((record,))

    def _gauges(self) -> None:
        metrics = self._engine.metrics
        metrics.set(UNIVERSE_MARKETS, float(len(self.live) - len(self.joining)), {"state": "live"})
        metrics.set(UNIVERSE_MARKETS, float(len(self.joining)), {"state": "burn_in"})
        metrics.set(UNIVERSE_MARKETS, float(len(self.leaving)), {"state": "closing"})

    def _alert(self, kind: str, severity: Severity, title: str, message: str) -> None:
        run_id = self._runtime.run_id
        self._notifier.notify(Alert(kind, severity, title, f"{message} (run {run_id})"))
