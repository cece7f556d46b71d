"""Word-level reading of a question: which asset, and which way and how the price must move.

Every keyword is matched on word boundaries: "hit" is not found inside "white", "reach"
not inside "breach", "ETH" not inside "Seth" (the original used substrings, B-12).
Tickers are matched case-sensitively (ETH, BTC); names case-insensitively (Bitcoin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from astra.domain.contracts.contract import Direction, Kind
from astra.domain.reasons import ParseVeto

_B = r"(?<![A-Za-z0-9])"  # word start (also after "$", so "$ETH" is ETH)
_E = r"(?![A-Za-z0-9])"  # word end

SUPPORTED = {"bitcoin": "BTC", "ethereum": "ETH", "ether": "ETH", "solana": "SOL", "ripple": "XRP"}
_TICKERS = ("BTC", "ETH", "SOL", "XRP")
_NAMES = re.compile(_B + r"(bitcoin|ethereum|ether|solana|ripple)" + _E, re.IGNORECASE)
_TICKER = re.compile(_B + r"(BTC|ETH|SOL|XRP)" + _E)
# Assets we know but do not trade: a named veto rather than "no underlying".
_UNSUPPORTED = re.compile(
    _B
    + r"(DOGE|ADA|BNB|LTC|LUNA|AVAX|HYPE|TRX|LINK|MATIC)"
    + _E
    + "|"
    + _B
    + r"(?i:dogecoin|cardano|litecoin|polkadot|terra|avalanche)"
    + _E
)
# Wrapped, staked and synthetic tokens priced off BTC/ETH but not BTC/ETH themselves.
_DERIVATIVE = re.compile(
    _B
    + r"(?i:wbtc|renbtc|cbbtc|tbtc|steth|wsteth|reth|cbeth|weeth|weth|susde|usde|ethena)"
    + _E
    + "|"
    + _B
    + r"sETH"
    + _E
)
_UP_DOWN = re.compile(r"\b(?:up|higher)\s+or\s+(?:down|lower)\b", re.IGNORECASE)

_TOUCH_UP = re.compile(
    r"\b(?:reach(?:es)?|surpass(?:es)?|(?:climb|rise|pump|soar|rally)s?\s+(?:to|above)"
    r"|break(?:s)?(?:\s+(?:above|through))?|hit\s+a\s+high\s+of)\b",
    re.IGNORECASE,
)
_TOUCH_DOWN = re.compile(
    r"\b(?:(?:dip|drop|fall|crash|sink|dump|plunge|tumble|slide)s?\s+(?:to|below|under)"
    r"|hit\s+a\s+low\s+of)\b",
    re.IGNORECASE,
)
_TOUCH_EITHER = re.compile(r"\b(?:hit|hits|touch|touches)\b", re.IGNORECASE)
_ABOVE = re.compile(
    r"\b(?:above|over|higher\s+than|greater\s+than|more\s+than|at\s+least)\b", re.IGNORECASE
)
_BELOW = re.compile(r"\b(?:below|under|lower\s+than|less\s+than|at\s+most)\b", re.IGNORECASE)
_INCLUSIVE = re.compile(
    r"\b(?:at\s+least|at\s+most|or\s+(?:more|higher|above|greater|less|lower|below))\b",
    re.IGNORECASE,
)
# How a touch description says which side counts: the candle's High or Low.
_DESC_HIGH = re.compile(r"[\"“”]High[\"“”]|\bequal\s+to\s+or\s+(?:greater|higher)\b")
_DESC_LOW = re.compile(r"[\"“”]Low[\"“”]|\bequal\s+to\s+or\s+(?:less|lower)\b")


@dataclass(frozen=True, slots=True)
class Shape:
    kind: Kind
    direction: Direction
    inclusive: bool


def detect_underlying(question: str) -> str | ParseVeto:
    if _DERIVATIVE.search(question):
        return ParseVeto.DERIVATIVE_TOKEN
    found = {SUPPORTED[m.lower()] for m in _NAMES.findall(question)}
    found |= set(_TICKER.findall(question))
    if len(found) > 1:
        return ParseVeto.MULTIPLE_UNDERLYINGS
    if found:
        if _UNSUPPORTED.search(question):
            return ParseVeto.MULTIPLE_UNDERLYINGS
        return found.pop()
    if _UNSUPPORTED.search(question):
        return ParseVeto.UNSUPPORTED_UNDERLYING
    return ParseVeto.NO_UNDERLYING


def is_up_down(question: str) -> bool:
    return _UP_DOWN.search(question) is not None


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with every match of `pattern` blanked out, so later patterns cannot reuse it."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def classify(question: str, description: str) -> Shape | ParseVeto:
    """Kind, direction and inclusiveness, or a veto when the question is unclear."""
    up, down = _TOUCH_UP.search(question), _TOUCH_DOWN.search(question)
    rest = _blank(_blank(question, _TOUCH_UP), _TOUCH_DOWN)
    either = _TOUCH_EITHER.search(rest)
    rest = _blank(rest, _TOUCH_EITHER)
    above, below = _ABOVE.search(rest), _BELOW.search(rest)
    touch = up or down or either
    if touch and (above or below):
        return ParseVeto.CONFLICTING_KIND
    if touch:
        return _touch_direction(up is not None, down is not None, description)
    if above and below:
        return ParseVeto.AMBIGUOUS_DIRECTION
    if not (above or below):
        return ParseVeto.NO_DIRECTION
    direction = Direction.ABOVE if above else Direction.BELOW
    return Shape(Kind.CLOSE, direction, _INCLUSIVE.search(question) is not None)


def _touch_direction(up: bool, down: bool, description: str) -> Shape | ParseVeto:
    if up == down:  # a plain "hit"/"touch", or both an up and a down verb
        if up:
            return ParseVeto.AMBIGUOUS_DIRECTION
        high, low = bool(_DESC_HIGH.search(description)), bool(_DESC_LOW.search(description))
        if high == low:
            return ParseVeto.AMBIGUOUS_DIRECTION
        up = high
    return Shape(Kind.TOUCH, Direction.ABOVE if up else Direction.BELOW, inclusive=True)
