"""The trading protocol between actors: frozen, slotted dataclasses, nothing mutable inside.

Commands travel by `tell`. `ask` is used only for queries, for risk approval (always with a
timeout; no answer is a veto) and by the halt protocol, which must know a halt and the
cancels happened before it lets a supervisor restart anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from astra.domain.events import MarketEvent, SpotPrice
from astra.domain.models.frames import ModelFrame
from astra.domain.reasons import HaltReason, OrderReason
from astra.domain.trading import Fill, Settlement

# --- to a MarketActor -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """A validated venue event routed to the market that owns its asset."""

    event: MarketEvent


@dataclass(frozen=True, slots=True)
class SpotFeed:
    """A spot print, routed only to markets whose contract resolves on its symbol."""

    event: SpotPrice


@dataclass(frozen=True, slots=True)
class ModelFeed:
    """A weather forecast or rates prior, routed to the markets whose contract reads its key."""

    frame: ModelFrame


@dataclass(frozen=True, slots=True)
class CancelAll:
    """Cancel every resting paper order now (a halt, an operator, a shutdown)."""

    reason: OrderReason
    halt_id: int = 0


@dataclass(frozen=True, slots=True)
class Desync:
    """The feed lost these assets (a reconnect, a gap): drop their books until the next
    `book` snapshot and cancel this market's resting orders (`feed_desync`)."""

    asset_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MarketTick:
    """Time passed (the live timer, or the event clock in a replay): expire what is due at
    `now_ms` (TTL, stale) even when this market heard no event."""

    now_ms: int


@dataclass(frozen=True, slots=True)
class TradingResumed:
    """The RiskActor resumed trading: a market's own halt gate opens again."""

    resume_id: int


@dataclass(frozen=True, slots=True)
class ResolveMarket:
    """The venue's REST answer resolved this market (`settlement_check`): cancel, close the
    positions, journal and report the settlement, as for `market_resolved` (idempotent)."""

    settlement: Settlement


@dataclass(frozen=True, slots=True)
class StopQuoting:
    """The market is leaving the universe (closed, past its end date): cancel every resting
    order and keep the gate shut for good; positions stay until the market settles."""

    reason: str


@dataclass(frozen=True, slots=True)
class MarketQuery:
    """Ask: the market's `MarketDigest` (resting orders, book digest) for checks and status."""


@dataclass(frozen=True, slots=True)
class MarketDigest:
    market: str
    book_digest: str
    orders_digest: str
    resting: int
    events: int
    last_order_seq: int
    # Every synced token's best bid and ask price (None: that side is empty), for the
    # periodic REST book check; unsynced tokens are left out (they are resyncing already).
    tops: tuple[tuple[str, int | None, int | None], ...] = ()


# --- to the RiskActor -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FillReport:
    """A paper fill, for the ledger (deduplicated by fill id)."""

    fill: Fill


@dataclass(frozen=True, slots=True)
class SettlementReport:
    """A market resolved: pay out its positions (idempotent per market in the RiskActor)."""

    settlement: Settlement


@dataclass(frozen=True, slots=True)
class MarksReport:
    """A market's token mids (asset id, pips) for unrealised P&L in the loss halts; sent
    throttled in event time and after every fill, only while the market holds something."""

    market: str
    marks: tuple[tuple[str, int], ...]
    ts_ms: int


@dataclass(frozen=True, slots=True)
class Halt:
    """Go HALTED (idempotent while halted). As an ask, answered with `HaltAck` once the halt is
    journaled-pending and every live market has been told to cancel — unless `fan_out` is
    False: the halt-first protocol first makes the halt durable, then tells the markets."""

    reason: HaltReason
    detail: str
    now_ms: int
    fan_out: bool = True


@dataclass(frozen=True, slots=True)
class HaltAck:
    halt_id: int
    already_halted: bool


@dataclass(frozen=True, slots=True)
class Resume:
    """Ask: leave HALTED. Answered with a `ResumeResult`; refused with a reason if unsafe."""

    operator: str
    now_ms: int
    # The operator's acknowledgement of a drawdown: the current equity becomes the high-water
    # mark first (journaled, trigger `rebase`), so a persisting drawdown no longer blocks.
    rebase_peak: bool = False


@dataclass(frozen=True, slots=True)
class ResumeResult:
    resumed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Reconcile:
    """Apply any journaled fill the ledger has not seen (fills sent to a dead RiskActor)."""


@dataclass(frozen=True, slots=True)
class RiskQuery:
    """Ask: the current `RiskStatus`."""


@dataclass(frozen=True, slots=True)
class EquityTick:
    """Tell, about once a second in a live run: journal an equity record if one is due, so
    the cadence holds while no marks arrive (a flat book)."""


@dataclass(frozen=True, slots=True)
class RiskStatus:
    state: str
    halt_reason: str | None
    halt_id: int
    ledger_digest: str
    fills_applied: int
    equity: int | None = None  # micro-collateral marked to the latest marks; None: not known
    # The last equity record's figures (cash, marked value, realised, unrealised, fees, peak,
    # day start, daily P&L; micro-collateral), None before the first.
    account: Mapping[str, Any] | None = None


# --- to the TelemetryActor --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JournalDoorbell:
    """Records wait in the engine's `JournalBag`: drain it (see journal_bag.py)."""


@dataclass(frozen=True, slots=True)
class FlushTick:
    """Timer: commit the buffer if its oldest record has waited `max_latency_ms`."""


@dataclass(frozen=True, slots=True)
class FlushNow:
    """Ask: commit everything buffered now; answered with `FlushResult`."""


@dataclass(frozen=True, slots=True)
class FlushResult:
    ok: bool
    written: int
    buffered: int
