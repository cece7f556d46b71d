"""Crypto threshold questions -> draft DefinitionContract, or a named veto.

The question gives the asset, the strike, the direction/kind and the date; the description
gives the resolution source and the time of day (and, for a touch, the window). Any piece
that is missing or could be read two ways is a veto, not a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import TypeVar

from astra.domain.contracts.contract import CryptoThresholdContract, Kind
from astra.domain.contracts.lint import LintResult, lint_contract
from astra.domain.market import MarketInfo
from astra.domain.question_parser import dates, money, resolution, words
from astra.domain.question_parser.window import touch_window
from astra.domain.reasons import LintCode, ParseVeto

T = TypeVar("T")

_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|and)\s*", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\b", re.IGNORECASE)
_CLOSE_PREPOSITIONS = frozenset({"on", "at", ""})
# Gamma's rounding statement on these markets; the resolution compares the source's value
# as published, so "source_precision" is the rule, not a default we picked.
ROUNDING = "source_precision"


@dataclass(frozen=True, slots=True)
class ParseResult:
    contract: CryptoThresholdContract | None = None
    veto: ParseVeto | None = None
    detail: str = ""
    lint: LintResult | None = None


class _Stop(Exception):
    """A veto found deep in the parse; always turned into a ParseResult."""

    def __init__(self, veto: ParseVeto, detail: str = "") -> None:
        super().__init__(detail or str(veto))
        self.veto = veto
        self.detail = detail or str(veto)


def _need(value: T | ParseVeto) -> T:
    if isinstance(value, ParseVeto):
        raise _Stop(value)
    return value


@dataclass(frozen=True, slots=True)
class _Texts:
    question: str
    description: str
    end_date_ms: int | None
    group_item_title: str
    resolution_source: str


def parse_crypto_question(
    question: str,
    description: str = "",
    *,
    end_date_ms: int | None = None,
    market_id: str = "",
    group_item_title: str = "",
    resolution_source: str = "",
) -> ParseResult:
    """A draft contract, or a veto naming why the question cannot be one."""
    texts = _Texts(
        " ".join(question.split()), description, end_date_ms, group_item_title, resolution_source
    )
    try:
        contract = _parse(texts, market_id)
    except _Stop as stop:
        return ParseResult(veto=stop.veto, detail=stop.detail)
    lint = lint_contract(contract)
    # A draft without a market id is still an answer (the CLI parses bare questions); any
    # other lint problem means the parse produced something unusable: a veto.
    if any(p.code is not LintCode.INVALID_MARKET_ID for p in lint.problems):
        return ParseResult(veto=ParseVeto.LINT_FAILED, detail=lint.detail(), lint=lint)
    return ParseResult(contract=contract, lint=lint)


def parse_market(market: MarketInfo) -> ParseResult:
    return parse_crypto_question(
        market.question,
        market.description,
        end_date_ms=market.end_date_ms,
        market_id=market.condition_id,
        group_item_title=market.group_item_title,
        resolution_source=market.resolution_source,
    )


def _parse(texts: _Texts, market_id: str) -> CryptoThresholdContract:
    underlying = _need(words.detect_underlying(texts.question))
    if words.is_up_down(texts.question):
        raise _Stop(ParseVeto.UP_DOWN_MARKET, "up/down markets compare to a start price")
    strike = _strike(texts.question, texts.group_item_title)
    shape = _need(words.classify(texts.question, texts.description))
    start_ms, cutoff_ms = _times(texts, shape.kind)
    source_text = f"{texts.description}\n{texts.resolution_source}"
    feed = _need(resolution.find_feed(source_text, underlying, shape.kind, shape.direction))
    return CryptoThresholdContract(
        market_id=market_id,
        cutoff_ms=cutoff_ms,
        underlying=underlying,
        quote=feed.quote,
        strike=strike,
        kind=shape.kind,
        direction=shape.direction,
        inclusive=shape.inclusive,
        window_start_ms=start_ms,
        oracle_feed=feed.feed,
        rounding=ROUNDING,
        finality=feed.finality,
    )


def _strike(question: str, group_item_title: str) -> Decimal:
    amounts = money.find_amounts(question)
    gaps = (question[a.end : b.start] for a, b in pairwise(amounts))
    if _BETWEEN.search(question) or any(_RANGE_GAP.fullmatch(gap) for gap in gaps):
        raise _Stop(ParseVeto.RANGE_QUESTION)
    values = sorted({a.value for a in amounts})
    if len(values) > 1:
        raise _Stop(ParseVeto.MULTIPLE_STRIKES, ", ".join(map(str, values)))
    title = _title_strike(group_item_title)
    if title is not None and values and title != values[0]:
        raise _Stop(ParseVeto.STRIKE_CONFLICT, f"question {values[0]} vs title {title}")
    strike = values[0] if values else title
    if strike is None:
        raise _Stop(ParseVeto.NO_STRIKE)
    return strike


def _title_strike(group_item_title: str) -> Decimal | None:
    if not group_item_title.strip():
        return None
    title = money.parse_plain_amount(group_item_title)
    if title is None:
        raise _Stop(ParseVeto.STRIKE_CONFLICT, f"group title {group_item_title!r} is no amount")
    return title


def _times(texts: _Texts, kind: Kind) -> tuple[int | None, int]:
    spec = _need(dates.question_date(texts.question))
    year = spec.year or dates.description_year(texts.description, spec.month, spec.day)
    if year is None:
        year = _need(dates.infer_year(spec.month, spec.day or 15, texts.end_date_ms))
    if kind is Kind.TOUCH:
        start, cutoff = _need(touch_window(spec, year, texts.description))
        return start, cutoff
    if spec.day is None or spec.preposition not in _CLOSE_PREPOSITIONS:
        raise _Stop(ParseVeto.CONFLICTING_KIND, "a close question names one day ('on <date>')")
    time = _need(dates.first_time(texts.description))
    return None, _need(dates.to_utc_ms(year, spec.month, spec.day, time))
