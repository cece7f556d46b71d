"""The resolution source in a market description: which feed, which pair, which series.

"the Binance 1 minute candle for BTC/USDT ... final "Close" price" becomes the feed
"binance:BTCUSDT:1m_close"; a touch on the same candles reads their High (above) or Low
(below). Two different sources or pairs are a veto, never a pick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from astra.domain.contracts.contract import Direction, Kind
from astra.domain.reasons import ParseVeto

_SOURCES = {
    "binance": re.compile(r"\bbinance\b", re.IGNORECASE),
    "coinbase": re.compile(r"\bcoinbase\b", re.IGNORECASE),
    "kraken": re.compile(r"\bkraken\b", re.IGNORECASE),
    "coingecko": re.compile(r"\bcoingecko\b", re.IGNORECASE),
    "chainlink": re.compile(r"\bchainlink\b|\bdata\.chain\.link\b", re.IGNORECASE),
    "pyth": re.compile(r"\bpyth\b", re.IGNORECASE),
}
_CANDLE_SOURCES = frozenset({"binance", "coinbase", "kraken"})
_STREAM_SOURCES = frozenset({"chainlink", "pyth"})
_PAIR = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2,6})\s?[/_-]\s?(USDT|USDC|USD)(?![A-Za-z0-9])", re.I
)
_ONE_MINUTE = re.compile(r"\b1[\s-]?minute\b|[\"“”]1m[\"“”]|\binterval=1m\b", re.IGNORECASE)
_IN_USD = re.compile(r"\bin\s+USD\b")


@dataclass(frozen=True, slots=True)
class Feed:
    feed: str  # "<source>:<SYMBOL>:<series>"
    quote: str
    finality: str


def find_feed(text: str, underlying: str, kind: Kind, direction: Direction) -> Feed | ParseVeto:
    """The settling feed named in description + resolution-source text."""
    sources = {name for name, pattern in _SOURCES.items() if pattern.search(text)}
    if not sources:
        return ParseVeto.NO_RESOLUTION_SOURCE
    if len(sources) > 1:
        return ParseVeto.AMBIGUOUS_SOURCE
    source = sources.pop()
    pair = _pair(text, source)
    if isinstance(pair, ParseVeto):
        return pair
    base, quote = pair
    if base != underlying:
        return ParseVeto.SOURCE_CONFLICT
    series = _series(text, source, kind, direction)
    if series is None:
        return ParseVeto.NO_RESOLUTION_SOURCE
    finality = "source_final" if source in _STREAM_SOURCES else "candle_final"
    return Feed(f"{source}:{base}{quote}:{series}", quote, finality)


def _pair(text: str, source: str) -> tuple[str, str] | ParseVeto:
    pairs = {(b.upper(), q.upper()) for b, q in _PAIR.findall(text)}
    if len(pairs) > 1:
        return ParseVeto.AMBIGUOUS_SOURCE
    if pairs:
        return pairs.pop()
    return ParseVeto.NO_RESOLUTION_SOURCE if source != "coingecko" else _coingecko_pair(text)


def _coingecko_pair(text: str) -> tuple[str, str] | ParseVeto:
    """CoinGecko pages quote in USD; the description must say so ("in USD")."""
    coin = re.search(r"coingecko\.com/\w+/coins/(bitcoin|ethereum|solana|ripple)", text, re.I)
    if coin is None or not _IN_USD.search(text):
        return ParseVeto.NO_RESOLUTION_SOURCE
    base = {"bitcoin": "BTC", "ethereum": "ETH", "solana": "SOL", "ripple": "XRP"}
    return base[coin.group(1).lower()], "USD"


def _series(text: str, source: str, kind: Kind, direction: Direction) -> str | None:
    field = "close" if kind is Kind.CLOSE else ("high" if direction is Direction.ABOVE else "low")
    if source in _STREAM_SOURCES:
        return "stream"
    if source in _CANDLE_SOURCES:
        return f"1m_{field}" if _ONE_MINUTE.search(text) else None
    return field
