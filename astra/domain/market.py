"""Static description of one binary market: its two outcome tokens and trading rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from astra.domain.prices import Tick


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """The venue's fee parameters for one market (Gamma `feeSchedule`).

    fee = shares * rate * (p * (1 - p)) ** exponent, charged to takers when `taker_only`;
    makers receive `rebate_rate` of the taker fees as a rebate. No schedule means no fee.
    """

    rate: Decimal = Decimal(0)
    exponent: int = 1
    taker_only: bool = True
    rebate_rate: Decimal = Decimal(0)

    @classmethod
    def free(cls) -> FeeSchedule:
        return cls()


@dataclass(frozen=True, slots=True)
class MarketInfo:
    """One binary market. `yes_token` is the first outcome token, `no_token` its complement."""

    condition_id: str
    question: str
    yes_token: str
    no_token: str
    tick: Tick
    min_size: int  # micro-shares
    fees: FeeSchedule = field(default_factory=FeeSchedule.free)
    neg_risk: bool = False
    end_date_ms: int | None = None
    accepting_orders: bool = True
    category: str = "other"
    description: str = ""
    slug: str = ""
    outcomes: tuple[str, str] = ("Yes", "No")
    resolution_source: str = ""
    group_item_title: str = ""
    tags: tuple[str, ...] = ()
    # The event group this market belongs to (Gamma `negRiskMarketID` for a neg-risk market,
    # else `events[0].id`; "" unknown): the risk caps bound the worst case per group.
    event_id: str = ""
    game_start_ms: int | None = None  # sports: trading stops when the game starts
    # Gamma's liquidity and 24 h volume, micro-collateral (0 when unknown): universe ranking.
    liquidity: int = 0
    volume_24h: int = 0
    # Event grouping (issue 17): Gamma's parent event id and the neg-risk market id as sent
    # ("" unknown); `group_item_title` is the outcome this market stands for in its event.
    gamma_event_id: str = ""
    neg_risk_market_id: str = ""

    @property
    def tokens(self) -> tuple[str, str]:
        return (self.yes_token, self.no_token)

    def complement_of(self, asset_id: str) -> str:
        if asset_id == self.yes_token:
            return self.no_token
        if asset_id == self.no_token:
            return self.yes_token
        raise KeyError(f"{asset_id} is not a token of market {self.condition_id}")
