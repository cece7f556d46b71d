"""Complete-set and neg-risk arbitrage, evaluated from books (pure, exact).

Binary parity (one market, YES and NO are complements that merge/redeem to 1):
- `parity_buy`: YES ask + NO ask < 1 -> buy both; the pair redeems for 1.
- `parity_sell`: YES bid + NO bid > 1 -> sell both, only up to the pairs already *held*
  (a paper trader that does not hold the pair does not get to sell it; minting a pair by a
  split is a venue operation this trader does not model, so it is not counted).

A neg-risk event (exactly one outcome resolves YES; reference §5 `negRisk`):
- `event_buy_yes`: sum of every outcome's YES ask < 1 -> buy one YES of each; one pays 1.
- `event_buy_no`: sum of every outcome's NO ask < n - 1 -> buy one NO of each; all but one
  pay 1, and the venue's conversion turns the n NOs into n - 1 collateral at once.
- `event_convert`: NO ask of outcome i < sum of the other outcomes' YES bids -> buy NO_i,
  convert it into one YES of every other outcome (what the conversion does) and sell them.
Every edge is after each market's taker fee schedule, every size walks the books
(`arb_walk`), and an event with any outcome's book missing is not evaluated at all: a sum
over part of the outcomes is not an arbitrage (`EventVeto.INCOMPLETE`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from astra.domain.arb_walk import LegBook, SetWalk, walk_sets
from astra.domain.events import Level
from astra.domain.market import FeeSchedule
from astra.domain.prices import ONE, Side


class ArbKind(enum.StrEnum):
    PARITY_BUY = "parity_buy"
    PARITY_SELL = "parity_sell"
    EVENT_BUY_YES = "event_buy_yes"
    EVENT_BUY_NO = "event_buy_no"
    EVENT_CONVERT = "event_convert"


class EventVeto(enum.StrEnum):
    INCOMPLETE = "incomplete_event"  # an outcome's book is missing
    TOO_FEW = "too_few_outcomes"  # a neg-risk event needs at least two outcomes
    NOT_NEG_RISK = "not_neg_risk"  # outcomes not mutually exclusive: no event sum


@dataclass(frozen=True, slots=True)
class TokenSide:
    """One token's visible book, best first on both sides."""

    token: str
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]


@dataclass(frozen=True, slots=True)
class OutcomeBooks:
    """One binary market of an event with both its tokens' books."""

    condition_id: str
    label: str
    yes: TokenSide
    no: TokenSide
    fees: FeeSchedule
    min_size: int = 0
    # Both tokens' books as of the same venue instant. Each token's book arrives in its own
    # message: between the two, YES and NO disagree and a phantom parity gap shows. Parity is
    # only evaluated on paired books (the event sums use each YES or NO book on its own).
    paired: bool = True


@dataclass(frozen=True, slots=True)
class Opportunity:
    """One arbitrage: what to do (`kind`), where (`group`), and the walked sets."""

    kind: ArbKind
    group: str  # condition id (parity) or event id (event kinds)
    walk: SetWalk
    pivot: str = ""  # event_convert: the condition id whose NO is bought

    @property
    def key(self) -> str:
        """Identity of the opportunity across book changes (open/change/close)."""
        return (
            f"{self.kind.value}:{self.group}:{self.pivot}"
            if self.pivot
            else (f"{self.kind.value}:{self.group}")
        )


def _leg(market: OutcomeBooks, book: TokenSide, side: Side) -> LegBook:
    levels = book.asks if side is Side.BUY else book.bids
    return LegBook(
        book.token, market.condition_id, side, levels, market.fees, market.min_size, market.label
    )


def parity(market: OutcomeBooks, held: Mapping[str, int] | None = None) -> list[Opportunity]:
    """Binary parity for one market; `held` maps token -> micro-shares owned."""
    found: list[Opportunity] = []
    if not market.paired:
        return found
    buy = walk_sets(
        [_leg(market, market.yes, Side.BUY), _leg(market, market.no, Side.BUY)], settle_pips=ONE
    )
    if buy is not None:
        found.append(Opportunity(ArbKind.PARITY_BUY, market.condition_id, buy))
    owned = held or {}
    pairs = min(owned.get(market.yes.token, 0), owned.get(market.no.token, 0))
    if pairs > 0:
        sell_legs = [_leg(market, market.yes, Side.SELL), _leg(market, market.no, Side.SELL)]
        sell = walk_sets(sell_legs, settle_pips=-ONE, cap=pairs)
        if sell is not None:
            found.append(Opportunity(ArbKind.PARITY_SELL, market.condition_id, sell))
    return found


def event_sums(event_id: str, outcomes: Sequence[OutcomeBooks]) -> list[Opportunity]:
    """The neg-risk event kinds over *all* of an event's outcomes (the caller vets that)."""
    if len(outcomes) < 2:
        return []
    found: list[Opportunity] = []
    yes = walk_sets([_leg(m, m.yes, Side.BUY) for m in outcomes], settle_pips=ONE)
    if yes is not None:
        found.append(Opportunity(ArbKind.EVENT_BUY_YES, event_id, yes))
    no_payout = (len(outcomes) - 1) * ONE
    no = walk_sets([_leg(m, m.no, Side.BUY) for m in outcomes], settle_pips=no_payout)
    if no is not None:
        found.append(Opportunity(ArbKind.EVENT_BUY_NO, event_id, no))
    for pivot in outcomes:
        legs = [_leg(pivot, pivot.no, Side.BUY)]
        legs += [_leg(m, m.yes, Side.SELL) for m in outcomes if m is not pivot]
        convert = walk_sets(legs, settle_pips=0)
        if convert is not None:
            found.append(Opportunity(ArbKind.EVENT_CONVERT, event_id, convert, pivot.condition_id))
    return found


def evaluate_event(
    event_id: str,
    outcomes: Sequence[OutcomeBooks],
    *,
    neg_risk: bool,
    held: Mapping[str, int] | None = None,
) -> list[Opportunity]:
    """Every opportunity of one event: parity per market, then the event sums if neg-risk."""
    found: list[Opportunity] = []
    for market in outcomes:
        found.extend(parity(market, held))
    if neg_risk:
        found.extend(event_sums(event_id, outcomes))
    return found
