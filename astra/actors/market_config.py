"""A market's configuration and the narrow doors its decisions leave through.

`MarketConfig` is re-exported by `market_state` (and used by `engine_parts.EngineConfig`).
`JournalSink` and `RiskGateway` are what `MarketState` needs of the outbox and the RiskActor;
the MarketActor provides both, tests pass small fakes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from astra.domain.journal_record import RecordKind
from astra.domain.marking import MarkingRule
from astra.domain.order_manager import OrderConfig
from astra.domain.toxicity import ToxicityConfig
from astra.domain.trading import Fill, OrderIntent
from astra.domain.verdict import Verdict


class JournalSink(Protocol):
    """Numbers a record in the producer's outbox and hands it to the TelemetryActor."""

    def emit(self, kind: RecordKind, ts_ms: int, payload: dict[str, Any]) -> None: ...


class RiskGateway(Protocol):
    """The RiskActor as a market sees it. `approve` never raises: no answer is a veto."""

    def approve(self, intent: OrderIntent, now_ms: int) -> Verdict: ...

    def report_fill(self, fill: Fill) -> None: ...


@dataclass(frozen=True, slots=True)
class MarketConfig:
    """`orders.taker_enabled` turns on taker escalation (off by default: `not_post_only`)."""

    orders: OrderConfig = field(default_factory=OrderConfig)
    toxicity: ToxicityConfig = field(default_factory=ToxicityConfig)
    run_id: str = "run"
    require_contract: bool = True  # no contract, no order (fail closed)
    min_edge_pips: int = 0  # the EV gate for quoting: expected edge per share, in pips
    seed: int = 0
    marks_interval_ms: int = 1_000  # event time between two mark reports (fills force one)
    spot_sample_interval_ms: int = 60_000  # SpotTracker grid for realised volatility
    view_depth: int = 10  # book levels per side a strategy sees (book walks, taker sizing)
    marking: MarkingRule = field(default_factory=MarkingRule)  # marks sent to the RiskActor
