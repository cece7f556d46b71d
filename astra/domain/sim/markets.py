"""Synthetic markets: crypto threshold markets the question parser can read, and a few others.

Crypto markets copy the venue's wording for "Bitcoin above ___ on <date>?" (Binance 1-minute
candle close at 12:00 ET), so the definition pipeline treats them exactly like real ones.
Other markets are generic binary questions for the maker strategy. Ids look like the
venue's (0x + 64 hex condition ids, 77-digit token ids) but come from the seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.prices import SIZE_SCALE, Tick
from astra.domain.question_parser.dates import EASTERN

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
MINUTE_MS = 60_000

# Crypto underlyings: (venue name, ticker, RTDS symbol, strike step in whole dollars).
CRYPTO = (("Bitcoin", "BTC", "btcusdt", 250), ("Ethereum", "ETH", "ethusdt", 10))
_CRYPTO_FEES = FeeSchedule(rate=Decimal("0.072"), exponent=1, rebate_rate=Decimal("0.2"))
_OTHER_FEES = FeeSchedule(rate=Decimal("0.05"), exponent=1, rebate_rate=Decimal("0.25"))
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")
_OTHER_QUESTIONS = (
    ("Will the Fed cut rates at the {n} meeting?", "economics"),
    ("Will candidate {n} win the primary?", "politics"),
    ("Will team {n} win the championship?", "sports"),
    ("Will film {n} top the box office this weekend?", "culture"),
    ("Will it rain in city {n} tomorrow?", "weather"),
)
_DESCRIPTION = (
    'This market will resolve to "Yes" if the Binance 1 minute candle for {pair} 12:00 in the '
    'ET timezone (noon) on the date specified in the title has a final "Close" price higher '
    'than the price specified in the title. Otherwise, this market will resolve to "No".\n\n'
    'The resolution source for this market is Binance, specifically the {pair} "Close" '
    'prices currently available at https://www.binance.com/en/trade/{under} with "1m" and '
    '"Candles" selected on the top bar.\n\nPlease note that this market is about the price '
    "according to Binance {pair}, not according to other sources or spot markets.\n\n"
    "Price precision is determined by the number of decimal places in the source."
)


@dataclass(frozen=True, slots=True)
class CryptoTerms:
    """What a crypto threshold market pays on: spot (in cents) above the strike at cutoff."""

    symbol: str  # RTDS symbol, e.g. "btcusdt"
    strike_cents: int
    cutoff_ms: int


@dataclass(frozen=True, slots=True)
class SimMarket:
    """A market plus the hidden parameters that drive its simulated order flow."""

    info: MarketInfo
    crypto: CryptoTerms | None
    initial_fair: float  # YES probability at the start (crypto: recomputed from spot)
    half_spread_ticks: int  # where makers like to quote, in ticks from the fair value
    events_per_s: float  # mean rate of book events outside bursts
    vol_per_sqrt_s: float  # logit-space volatility of the fair value (non-crypto)
    resolve_ms: int | None  # when `market_resolved` is sent (None: not in this session)


def noon_et_ms(year: int, month: int, day: int) -> int:
    """12:00 America/New_York on a date, as UTC ms (DST-correct)."""
    local = datetime(year, month, day, 12, tzinfo=EASTERN)
    return (local - _EPOCH) // _MS


def _ms_to_utc(ms: int) -> datetime:
    return _EPOCH + ms * _MS


def _hex_id(rng: np.random.Generator) -> str:
    return "0x" + rng.bytes(32).hex()


def _token_id(rng: np.random.Generator) -> str:
    # 77 decimal digits, like the venue's uint256 token ids.
    digits = rng.integers(0, 10, size=76)
    return str(int(rng.integers(1, 10))) + "".join(str(int(d)) for d in digits)


def crypto_market(
    rng: np.random.Generator, index: int, start_ms: int, spot_start: dict[str, int]
) -> SimMarket:
    """A threshold market on the cutoff (noon ET) at or after the session start."""
    name, ticker, symbol, step = CRYPTO[index % len(CRYPTO)]
    start = _ms_to_utc(start_ms).astimezone(EASTERN)
    day = start.date() + timedelta(days=(index // len(CRYPTO)) % 2)
    cutoff_ms = noon_et_ms(day.year, day.month, day.day)
    if cutoff_ms <= start_ms:
        day += timedelta(days=1)
        cutoff_ms = noon_et_ms(day.year, day.month, day.day)
    # Strikes near the money (a few standard deviations of the move to the cutoff), so most
    # markets trade away from the bounds; the same-day ones move fast with spot.
    spread = 0.004 if cutoff_ms - start_ms < 86_400_000 else 0.02
    target = spot_start[symbol] / 100 * float(np.exp(rng.normal(0.0, spread)))
    strike = max(step, round(target / step) * step)
    date_text = f"{_MONTHS[day.month - 1]} {day.day}"
    pair = f"{ticker}/USDT"
    info = MarketInfo(
        condition_id=_hex_id(rng),
        question=f"Will the price of {name} be above ${strike:,} on {date_text}?",
        yes_token=_token_id(rng),
        no_token=_token_id(rng),
        tick=Tick.T0_01,
        min_size=5 * SIZE_SCALE,
        fees=_CRYPTO_FEES,
        end_date_ms=cutoff_ms,
        category="crypto",
        description=_DESCRIPTION.format(pair=pair, under=f"{ticker}_USDT"),
        slug=f"{name.lower()}-above-{strike}-on-{_MONTHS[day.month - 1].lower()}-{day.day}",
        group_item_title=f"{strike:,}",
        tags=("crypto",),
    )
    return SimMarket(
        info=info,
        crypto=CryptoTerms(symbol=symbol, strike_cents=strike * 100, cutoff_ms=cutoff_ms),
        initial_fair=0.5,
        half_spread_ticks=int(rng.choice([1, 1, 2, 2, 3])),
        events_per_s=float(rng.uniform(0.6, 1.6)),
        vol_per_sqrt_s=0.0,
        resolve_ms=cutoff_ms + MINUTE_MS,
    )


def other_market(rng: np.random.Generator, index: int, start_ms: int, session_ms: int) -> SimMarket:
    """A generic binary market; about one in six ends inside the session and resolves."""
    template, category = _OTHER_QUESTIONS[index % len(_OTHER_QUESTIONS)]
    ends_inside = rng.random() < 1 / 6
    end_ms = (
        start_ms + int(session_ms * rng.uniform(0.5, 0.9))
        if ends_inside
        else start_ms + int(rng.integers(2, 60)) * 86_400_000
    )
    # Some markets sit near a bound, where the venue switches to the finer tick.
    near_bound = rng.random() < 0.15
    fair = float(rng.uniform(0.955, 0.985) if near_bound else rng.uniform(0.1, 0.9))
    if near_bound and rng.random() < 0.5:
        fair = 1.0 - fair
    info = MarketInfo(
        condition_id=_hex_id(rng),
        question=template.format(n=index),
        yes_token=_token_id(rng),
        no_token=_token_id(rng),
        tick=Tick.T0_01,
        min_size=5 * SIZE_SCALE,
        fees=_OTHER_FEES,
        end_date_ms=end_ms,
        category=category,
        description="Synthetic market generated by the Astra simulator.",
        slug=f"synthetic-{category}-{index}",
        tags=(category, "synthetic"),
    )
    return SimMarket(
        info=info,
        crypto=None,
        initial_fair=fair,
        half_spread_ticks=int(rng.choice([1, 1, 2, 3, 5])),
        events_per_s=float(rng.uniform(0.3, 1.2)),
        vol_per_sqrt_s=float(rng.uniform(0.002, 0.01)),
        resolve_ms=end_ms if ends_inside else None,
    )


def make_markets(
    n: int, rng: np.random.Generator, start_ms: int, session_ms: int, spot_start: dict[str, int]
) -> list[SimMarket]:
    """`n` markets: about a third crypto threshold markets, the rest generic."""
    markets: list[SimMarket] = []
    crypto_count = 0
    for index in range(n):
        if index % 3 == 0:
            markets.append(crypto_market(rng, crypto_count, start_ms, spot_start))
            crypto_count += 1
        else:
            markets.append(other_market(rng, index, start_ms, session_ms))
    return markets
