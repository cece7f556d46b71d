"""The engine's add/retire-market API: what the living universe (`astra.app.universe`,
docs/settlement.md) changes in a running actor tree. A mixin of `Engine`, kept apart so the
engine module stays the tree's construction and its generic inputs and queries.

- `add_market` starts a MarketActor under the `markets` pool supervisor. Its spec joins the
  engine's `_pool_specs`, the list a restarted pool starts from, so a pool restart keeps the
  current universe; its outbox continues the producer's journaled sequence (a market seen in
  an earlier run); its contract is resolved like the start universe's.
- `open_market` opens a new market's gate after its own burn-in (only while the RiskActor is
  ACTIVE); `stop_quoting` shuts a leaving market's gate for good and cancels its orders;
  `retire_market` stops and forgets its actor; `settle` delivers a REST resolution.
"""

from __future__ import annotations

from collections.abc import Callable

from astra.actors.engine_events import EventTree
from astra.actors.engine_parts import MARKETS, EngineConfig, EngineParts
from astra.actors.market_actor import market_producer
from astra.actors.market_contracts import SpotRoutes, resolve_contracts
from astra.actors.market_inputs import SharedSpot
from astra.actors.messages import (
    ResolveMarket,
    RiskStatus,
    SettlementReport,
    StopQuoting,
    TradingResumed,
)
from astra.actors.model_board import ModelRoutes
from astra.actors.outbox import Outboxes
from astra.actors.ports import JournalPort
from astra.actors.runtime.supervision import ChildSpec
from astra.actors.runtime.supervisor import Supervisor, SupervisorChild
from astra.actors.runtime.tally import Router
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.market import MarketInfo
from astra.domain.strategies.spot_state import SpotTracker
from astra.domain.trading import Settlement

RISK = "risk"  # the RiskActor's name in the registry


class EngineUniverse:
    # Set by `Engine.__init__` (and `start` for `root`).
    config: EngineConfig
    contracts: dict[str, DefinitionContract]
    spot_routes: SpotRoutes
    model_routes: ModelRoutes
    outboxes: Outboxes
    router: Router
    root: Supervisor | None
    _parts: EngineParts
    _markets: dict[str, MarketInfo]
    _market_names: frozenset[str]
    _asset_market: dict[str, str]
    _spot: dict[str, SharedSpot]
    _pool_specs: list[ChildSpec]
    _journal: JournalPort
    # Provided by `Engine` (declared, not stubbed: the mixin is never used on its own).
    _market_spec: Callable[[MarketInfo], ChildSpec]
    risk_status: Callable[..., RiskStatus | None]
    event_tree: EventTree | None

    def add_market(self, info: MarketInfo) -> bool:
        """Start a MarketActor for a new market under the `markets` pool (it comes up HALTED
        until the next resume); False if it is already live or the pool is not running."""
        cid, pool = info.condition_id, self._pool()
        if cid in self._markets or pool is None:
            return False
        found = resolve_contracts([info], self._parts.contracts, parse=self._parts.parse_contracts)
        self.contracts.update(found)
        self.spot_routes = SpotRoutes(self.contracts)
        if cid in found:
            self.model_routes.add(cid, found[cid])  # a weather/rates market gets its frames
        if cid in self.spot_routes.market_ids():
            self._spot[cid] = SharedSpot(SpotTracker(self.config.market.spot_sample_interval_ms))
        name = market_producer(cid)
        self.outboxes.seed(name, self._journal.max_seq(name))  # a market seen in earlier runs
        self._markets[cid] = info
        self._asset_market.update((t, cid) for t in info.tokens)
        self._market_names = frozenset(map(market_producer, self._markets))
        spec = self._market_spec(info)
        self._pool_specs.append(spec)
        pool.add_child(spec)
        return True

    def stop_quoting(self, market: str, reason: str) -> bool:
        """Shut a leaving market's gate for good and cancel its resting orders."""
        return self.router.tell(market_producer(market), StopQuoting(reason))

    def retire_market(self, market: str, timeout_s: float = 5.0) -> bool:
        """Stop and forget a market's actor (after `stop_quoting`, once it has settled)."""
        info, pool = self._markets.pop(market, None), self._pool()
        if info is None:
            return False
        name = market_producer(market)
        self._pool_specs[:] = [s for s in self._pool_specs if s.name != name]
        for token in info.tokens:
            self._asset_market.pop(token, None)
        self._market_names = frozenset(map(market_producer, self._markets))
        if self.event_tree is not None:
            self.event_tree.feed.drop(info)  # its EventActor stops counting on its books
        self.model_routes.remove(market)
        return pool is not None and pool.remove_child(name, timeout_s)

    def settle(self, settlement: Settlement) -> bool:
        """A resolution learned from REST: through the live market (cancels first), or to
        the RiskActor directly for a market no actor trades (both are idempotent)."""
        if settlement.market in self._markets:
            return self.router.tell(market_producer(settlement.market), ResolveMarket(settlement))
        return self.router.tell(RISK, SettlementReport(settlement))

    def open_market(self, market: str) -> bool:
        """A market added live, after its burn-in: open its gate if trading is open."""
        status = self.risk_status()
        if status is None or status.state != "active" or market not in self._markets:
            return False
        return self.router.tell(market_producer(market), TradingResumed(status.halt_id))

    def _pool(self) -> Supervisor | None:
        child = None if self.root is None else self.root.child(MARKETS)
        return child.supervisor if isinstance(child, SupervisorChild) else None
