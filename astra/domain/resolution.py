"""Reading a market's resolution from the venue's REST answers (docs/settlement.md).

Two sources describe a market: Gamma (`closed`, `umaResolutionStatus`, `outcomePrices`) and
CLOB REST (`closed`, `tokens[].winner`). The adapters reduce each to a `SourceView`; this
module reads every view on its own (`read_source`) and then combines the readings (`decide`):

- every source that answered says OPEN: nothing to do;
- one settling answer (a winner, or the venue's 50/50) that no other source contradicts: a
  `Settlement`; a source that is merely PENDING (closed, no result yet) does not contradict;
- two different settling answers, a source still OPEN or NOT_FINAL (UMA proposed/disputed)
  next to a settling one, or an UNREADABLE answer: the veto `resolution_ambiguous` (the
  position stays marked and an alert goes out; never a guess);
- closed but no result yet: `resolution_pending`; no source answered: `resolution_unavailable`.

Pure: exact decimal parsing of the venue's strings, no I/O, `now` is passed in.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from astra.domain.market import MarketInfo
from astra.domain.trading import Settlement

FINAL_UMA_STATUS = "resolved"
_ONE = Decimal(1)
_HALF = Decimal("0.5")
_ZERO = Decimal(0)


class ResolutionVeto(enum.StrEnum):
    PENDING = "resolution_pending"  # closed, no result published yet: check again later
    AMBIGUOUS = "resolution_ambiguous"  # contradictory or unreadable: alert, never settle
    UNAVAILABLE = "resolution_unavailable"  # no source answered this round


class Reading(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    NOT_FINAL = "not_final"  # UMA has a proposal or a dispute, not a final answer
    WINNER = "winner"
    SPLIT = "split"  # the venue's 50/50
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class ResolutionTarget:
    """The market being read: its two token ids (yes first) and whether it is neg-risk (None:
    not known, e.g. a held market that left the universe and Gamma did not say)."""

    market: str
    tokens: tuple[str, str]
    neg_risk: bool | None

    @classmethod
    def of(cls, info: MarketInfo) -> ResolutionTarget:
        return cls(info.condition_id, info.tokens, info.neg_risk)

    def complement_of(self, asset_id: str) -> str:
        return self.tokens[1] if asset_id == self.tokens[0] else self.tokens[0]


def target_from_views(
    market: str, held: Sequence[str], views: Sequence[SourceView | None]
) -> ResolutionTarget | None:
    """A target for a held market this run knows nothing else about: the first view that
    names exactly two tokens including every held one (None: no view does)."""
    neg_risk = next((v.neg_risk for v in views if v is not None and v.neg_risk is not None), None)
    for view in views:
        tokens = None if view is None else view.tokens
        if tokens is not None and len(set(tokens)) == 2 and set(held) <= set(tokens):
            return ResolutionTarget(market, (tokens[0], tokens[1]), neg_risk)
    return None


@dataclass(frozen=True, slots=True)
class SourceView:
    """One source's raw facts about one market (None: the source did not say).

    `tokens` are the token ids in the source's order; `prices` the outcome prices as the
    venue wrote them (Gamma), in the same order; `winners` the ids flagged `winner` (CLOB)."""

    source: str
    closed: bool | None
    tokens: tuple[str, ...] | None = None
    prices: tuple[str, ...] | None = None
    uma_status: str | None = None
    winners: tuple[str, ...] | None = None
    neg_risk: bool | None = None


@dataclass(frozen=True, slots=True)
class SourceReading:
    source: str
    reading: Reading
    winner: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ResolutionAnswer:
    """Exactly one of: `settlement` (settle it), `veto` (do not), or neither (still open)."""

    market: str
    settlement: Settlement | None = None
    veto: ResolutionVeto | None = None
    detail: str = ""

    @property
    def is_open(self) -> bool:
        return self.settlement is None and self.veto is None


def read_source(info: ResolutionTarget, view: SourceView) -> SourceReading:
    """What one source says about the target's resolution."""
    strange = view.tokens is not None and set(view.tokens) != set(info.tokens)
    if view.closed is None or strange:
        detail = "no closed flag" if view.closed is None else "token ids differ"
        return SourceReading(view.source, Reading.UNREADABLE, detail=detail)
    if not view.closed:
        return SourceReading(view.source, Reading.OPEN)
    if view.uma_status is not None and view.uma_status.lower() != FINAL_UMA_STATUS:
        detail = f"umaResolutionStatus {view.uma_status}"
        return SourceReading(view.source, Reading.NOT_FINAL, detail=detail)
    if view.winners is not None:
        return _read_winners(info, view)
    if view.prices is not None:
        return _read_prices(view)
    return SourceReading(view.source, Reading.PENDING, detail="closed, no result fields")


def _read_winners(info: ResolutionTarget, view: SourceView) -> SourceReading:
    winners = set(view.winners or ())
    if len(winners) == 1 and winners <= set(info.tokens):
        return SourceReading(view.source, Reading.WINNER, winner=next(iter(winners)))
    if not winners:
        return SourceReading(view.source, Reading.PENDING, detail="closed, no winner flagged")
    return SourceReading(view.source, Reading.UNREADABLE, detail=f"{len(winners)} winners")


def _read_prices(view: SourceView) -> SourceReading:
    """Gamma's outcome prices: exactly (1, 0) names a winner, (0.5, 0.5) is the 50/50;
    (0, 0) or a resolved market with other prices is unreadable; otherwise not yet known."""
    tokens, raw = view.tokens, view.prices or ()
    try:
        prices = tuple(Decimal(p) for p in raw)
    except InvalidOperation:
        return SourceReading(view.source, Reading.UNREADABLE, detail=f"prices {list(raw)}")
    if tokens is None or len(prices) != 2 or len(tokens) != 2:
        return SourceReading(view.source, Reading.UNREADABLE, detail="not two outcome prices")
    if prices == (_HALF, _HALF):
        return SourceReading(view.source, Reading.SPLIT)
    if sorted(prices) == [_ZERO, _ONE]:
        return SourceReading(view.source, Reading.WINNER, winner=tokens[prices.index(_ONE)])
    if view.uma_status is not None or prices == (_ZERO, _ZERO):
        return SourceReading(view.source, Reading.UNREADABLE, detail=f"prices {list(raw)}")
    return SourceReading(view.source, Reading.PENDING, detail=f"closed at prices {list(raw)}")


def decide(
    info: ResolutionTarget, readings: Sequence[SourceReading | None], now_ms: int
) -> ResolutionAnswer:
    """Combine the sources' readings (None: that source did not answer); see the module doc."""
    cid = info.market
    answered = [r for r in readings if r is not None]
    if not answered:
        return ResolutionAnswer(cid, veto=ResolutionVeto.UNAVAILABLE, detail="no source")
    unreadable = [r for r in answered if r.reading is Reading.UNREADABLE]
    settling = [r for r in answered if r.reading in (Reading.WINNER, Reading.SPLIT)]
    if unreadable or len({(r.reading, r.winner) for r in settling}) > 1:
        return _ambiguous(cid, unreadable or settling)
    if settling:
        against = [r for r in answered if r.reading in (Reading.OPEN, Reading.NOT_FINAL)]
        if against:
            return _ambiguous(cid, [*settling, *against])
        return _settle(info, settling[0], now_ms)
    waiting = [r for r in answered if r.reading in (Reading.PENDING, Reading.NOT_FINAL)]
    if waiting:
        detail = "; ".join(f"{r.source}: {r.detail}" for r in waiting)
        return ResolutionAnswer(cid, veto=ResolutionVeto.PENDING, detail=detail)
    return ResolutionAnswer(cid)


def _settle(info: ResolutionTarget, reading: SourceReading, now_ms: int) -> ResolutionAnswer:
    cid = info.market
    if reading.reading is Reading.SPLIT:
        if info.neg_risk is not False:
            # A neg-risk market reports a single yes/no outcome to its adapter: there is no
            # 50/50 payout path to pay, so an apparent 50/50 there (or on a market not known
            # to be plain binary) is not a venue answer we can book.
            detail = f"{reading.source}: 50/50 on a neg-risk (or unknown) market"
            return ResolutionAnswer(cid, veto=ResolutionVeto.AMBIGUOUS, detail=detail)
        split = Settlement(cid, info.tokens[0], info.tokens[1], now_ms, split=True)
        return ResolutionAnswer(cid, settlement=split)
    winner = reading.winner or ""
    loser = info.complement_of(winner)
    return ResolutionAnswer(cid, settlement=Settlement(cid, winner, loser, now_ms))


def _ambiguous(market: str, readings: Sequence[SourceReading]) -> ResolutionAnswer:
    parts = []
    for r in readings:
        said = r.reading.value if r.winner is None else f"{r.reading.value} {r.winner[:12]}"
        parts.append(f"{r.source}: {said}" + (f" ({r.detail})" if r.detail else ""))
    return ResolutionAnswer(market, veto=ResolutionVeto.AMBIGUOUS, detail="; ".join(parts))
