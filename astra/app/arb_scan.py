"""`astra arb scan`: every arbitrage in one offline snapshot of an event and its books.

The snapshot is `{"event": <Gamma /events object with its markets>, "books": [<CLOB /book
responses>], "held": {token: "shares"}?}`. Markets map through the Gamma mapper and books
through the CLOB book mapper, so the boundary's limits (`astra.adapters.bounded`) hold here
as they do live. Bad input (unreadable file, not JSON, a market or book that does not map, a
book for a token outside the event, a token booked twice) is a `ScanInputError` naming it.
A market of the event without both books is not an error: the scan still checks the parity
of the other markets, but the event sums are vetoed `incomplete_event` — a sum over part of
the outcomes is not an arbitrage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from astra.adapters.bounded import OutOfBounds, bounded_micros, short, too_deep
from astra.adapters.polymarket.clob_rest import book_result
from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.domain.arb_walk import LegFill
from astra.domain.arbitrage import (
    EventVeto,
    Opportunity,
    OutcomeBooks,
    TokenSide,
    event_sums,
    parity,
)
from astra.domain.event_groups import group_markets
from astra.domain.events import BookSnapshot
from astra.domain.market import MarketInfo
from astra.domain.prices import format_price, format_size

MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024  # an event of 6 outcomes with deep books is < 1 MiB


class ScanInputError(ValueError):
    """The snapshot is not a valid input; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    event_id: str
    title: str
    neg_risk: bool
    markets: tuple[MarketInfo, ...]
    opportunities: tuple[Opportunity, ...]
    vetoes: tuple[tuple[str, str], ...]  # (reason, detail)


def load_snapshot(path: Path) -> Mapping[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_SNAPSHOT_BYTES:
            raise ScanInputError(f"{path}: {size} bytes is over {MAX_SNAPSHOT_BYTES}")
        parsed: object = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ScanInputError(f"{path}: {exc.strerror or exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise ScanInputError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(parsed, dict):
        raise ScanInputError(f"{path}: expected a JSON object {{event, books, held?}}")
    if too_deep(parsed):
        raise ScanInputError(f"{path}: nested more than 32 deep")
    return parsed


def scan(snapshot: Mapping[str, Any]) -> ScanResult:
    event = snapshot.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("markets"), list):
        raise ScanInputError("'event' must be a Gamma event object with a 'markets' array")
    markets = tuple(_market(raw, event, i) for i, raw in enumerate(event["markets"]))
    if not markets:
        raise ScanInputError("the event has no markets")
    books = _books(snapshot.get("books"), markets)
    held = _held(snapshot.get("held", {}))
    outcomes: list[OutcomeBooks] = []
    missing: list[str] = []
    found: list[Opportunity] = []
    for market in markets:
        yes, no = books.get(market.yes_token), books.get(market.no_token)
        if yes is None or no is None:
            missing.append(market.condition_id)
            continue
        outcome = _outcome(market, yes, no)
        outcomes.append(outcome)
        found.extend(parity(outcome, held))
    groups = group_markets(markets)
    event_id = markets[0].event_id or str(event.get("id", ""))
    neg_risk = len(groups) == 1 and next(iter(groups.values())).neg_risk
    vetoes: list[tuple[str, str]] = []
    if not neg_risk:
        vetoes.append((EventVeto.NOT_NEG_RISK.value, "no event sums over non-exclusive markets"))
    elif missing:
        vetoes.append((EventVeto.INCOMPLETE.value, "no books for " + ", ".join(missing)))
    elif len(outcomes) < 2:
        vetoes.append((EventVeto.TOO_FEW.value, f"{len(outcomes)} outcome"))
    else:
        found.extend(event_sums(event_id, outcomes))
    title = event.get("title")
    return ScanResult(
        event_id,
        title if isinstance(title, str) else "",
        neg_risk,
        markets,
        tuple(found),
        tuple(vetoes),
    )


def _market(raw: object, event: Mapping[str, object], index: int) -> MarketInfo:
    mapped = map_market(raw, event)
    if isinstance(mapped, Rejection):
        raise ScanInputError(f"event market {index}: {mapped.reason.value}: {mapped.detail}")
    return mapped


def _books(raw: object, markets: tuple[MarketInfo, ...]) -> dict[str, BookSnapshot]:
    if not isinstance(raw, list):
        raise ScanInputError("'books' must be an array of CLOB /book responses")
    tokens = {t for m in markets for t in m.tokens}
    books: dict[str, BookSnapshot] = {}
    for index, body in enumerate(raw):
        result = book_result(body, f"books[{index}]")
        if result.book is None:
            detail = result.veto.detail if result.veto is not None else "no book"
            raise ScanInputError(detail)
        token = result.book.asset_id
        if token not in tokens:
            raise ScanInputError(f"books[{index}]: token {short(token)} is not in the event")
        if token in books:
            raise ScanInputError(f"books[{index}]: token {short(token)} is booked twice")
        books[token] = result.book
    return books


def _held(raw: object) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise ScanInputError("'held' must map token ids to share counts")
    try:
        return {str(token): bounded_micros(size, "held size") for token, size in raw.items()}
    except OutOfBounds as exc:
        raise ScanInputError(f"held: {exc}") from exc


def _outcome(market: MarketInfo, yes: BookSnapshot, no: BookSnapshot) -> OutcomeBooks:
    return OutcomeBooks(
        market.condition_id,
        market.group_item_title or market.question,
        TokenSide(yes.asset_id, yes.bids, yes.asks),
        TokenSide(no.asset_id, no.bids, no.asks),
        market.fees,
        market.min_size,
    )


def leg_json(leg: LegFill) -> dict[str, Any]:
    return {
        "condition_id": leg.condition_id,
        "outcome": leg.label,
        "token": leg.token,
        "side": leg.side.value,
        "size": format_size(leg.size),
        "levels": [[format_price(p), format_size(s)] for p, s in leg.levels],
        "notional_micros": leg.notional,
        "fee_micros": leg.fee,
    }


def opportunity_json(opp: Opportunity) -> dict[str, Any]:
    walk = opp.walk
    return {
        "key": opp.key,
        "kind": opp.kind.value,
        "group": opp.group,
        "pivot": opp.pivot or None,
        "size": format_size(walk.size),
        "size_micros": walk.size,
        "top_gross_pips": walk.top_gross_pips,
        "gross_micros": walk.gross,
        "fee_micros": walk.fee,
        "net_micros": walk.net,
        "net_per_share_micros": walk.net_per_share,
        "legs": [leg_json(leg) for leg in walk.legs],
    }


def result_json(result: ScanResult) -> dict[str, Any]:
    return {
        "event_id": result.event_id,
        "title": result.title,
        "neg_risk": result.neg_risk,
        "markets": len(result.markets),
        "vetoes": [{"reason": r, "detail": d} for r, d in result.vetoes],
        "opportunities": [opportunity_json(o) for o in result.opportunities],
        "total_net_micros": sum(o.walk.net for o in result.opportunities),
    }
