"""The engine's configuration and optional collaborators (re-exported by `engine`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from astra.actors.backpressure import BackpressureConfig
from astra.actors.engine_events import ArbConfig
from astra.actors.market_actor import CancelObserver, ContractStrategyFactory
from astra.actors.market_state import MarketConfig
from astra.actors.ports import RiskBook
from astra.actors.runtime.backoff import BackoffPolicy
from astra.actors.runtime.supervision import FaultHook, Intensity, Strategy
from astra.actors.runtime.supervisor import SupervisorConfig
from astra.actors.runtime.tally import MessageTally
from astra.actors.runtime.watchdog import WatchdogConfig
from astra.actors.telemetry_actor import TelemetryConfig
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.market import MarketInfo
from astra.domain.risk_limits import RiskLimits
from astra.domain.strategies import Strategy as QuoteStrategy

ROOT = "root"
MARKETS = "markets"


class WallClock:
    """Milliseconds since the epoch from the system clock (live runs and the chaos suite)."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class EngineConfig:
    market: MarketConfig = field(default_factory=MarketConfig)
    telemetry: TelemetryConfig = field(default_factory=TelemetryConfig)
    risk_limits: RiskLimits = field(default_factory=RiskLimits)
    initial_cash: int = 10_000_000_000  # 10,000 collateral, in micros
    risk_timeout_s: float = 0.5
    halt_timeout_s: float = 1.0
    root: SupervisorConfig = field(
        default_factory=lambda: SupervisorConfig(
            ROOT, Strategy.ONE_FOR_ONE, Intensity(3, 60_000), BackoffPolicy(base_ms=10)
        )
    )
    markets: SupervisorConfig = field(
        default_factory=lambda: SupervisorConfig(
            MARKETS, Strategy.SIMPLE_ONE_FOR_ONE, Intensity(3, 60_000), BackoffPolicy(base_ms=10)
        )
    )
    watchdog: WatchdogConfig | None = field(default_factory=WatchdogConfig)
    flush_interval_s: float | None = 0.02  # None: no timer; drain() commits (replays)
    # Every market is ticked (TTL and stale expiry with no event) each time this much clock
    # time passes: by a timer when live, by the event clock in a replay. None: no tick.
    market_tick_ms: int | None = 1_000
    # Bounded market mailboxes, conflation, the lag veto (None: unbounded, no lag veto).
    backpressure: BackpressureConfig | None = field(default_factory=BackpressureConfig)
    # MarketActors run on a pool of this many worker threads (0: pykka's thread per market);
    # a worker handles up to `market_throughput` messages of one market before moving on.
    market_workers: int = 4
    market_throughput: int = 64
    equity_interval_ms: int = 60_000  # marked-equity records at least this often (event time)
    arb: ArbConfig | None = None  # EventActors measuring arbitrage (None: none started)


@dataclass(frozen=True, slots=True)
class EngineParts:
    """Optional collaborators; defaults give the SimpleQuoter and the domain RiskState.

    `contract_strategy` (e.g. `app.strategies.contract_strategy_factory(settings)`) builds a
    market's strategy from the market and its contract; `strategy` sees only the market;
    give one or neither. `contracts` are keyed by condition id; with `parse_contracts` the
    other markets' questions are parsed (`question_parser.parse_market`)."""

    strategy: Callable[[MarketInfo], QuoteStrategy] | None = None
    risk_book: Callable[[], RiskBook] | None = None
    faults: FaultHook | None = None
    on_canceled: CancelObserver | None = None
    tally: MessageTally | None = None
    contract_strategy: ContractStrategyFactory | None = None
    contracts: Mapping[str, DefinitionContract] | None = None
    parse_contracts: bool = False
    # condition id -> why its contract could not be built (journaled in its SKIP decisions)
    contract_missing: Mapping[str, str] | None = None
