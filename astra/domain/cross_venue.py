"""Cross-venue price gaps (Polymarket vs Kalshi), fee-adjusted, for logging only.

Both venues list the same binary question; a *gap* is what one complete pair across the two
venues would make per share after each venue's taker fee:

- `buy_pm_yes_kalshi_no`: buy YES on Polymarket at its ask and NO on Kalshi at its ask
  (Kalshi's NO ask is 1 − its best YES bid: its book lists bids only);
- `buy_kalshi_yes_pm_no`: buy YES on Kalshi at 1 − its best NO bid and NO on Polymarket at
  1 − its best YES bid (Polymarket's NO book mirrors its YES book).

Each pair pays exactly 1 at resolution *if the two venues resolve the same way* — a risk
this module cannot see (different rules, sources, cut-offs), which is why it only logs.
Fees per one share/contract, rounded against us: Polymarket's quantised taker fee
(`fees.taker_fee`), Kalshi's `rate × C × P × (1 − P)` rounded **up** to the cent (its
published taker formula; `rate` comes from the user's mapping, 0.07 unless told). A gap
of one contract carries the whole cent rounding, so it is the worst case per share.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from astra.domain.fees import taker_fee
from astra.domain.market import FeeSchedule
from astra.domain.prices import ONE, PRICE_SCALE, SIZE_SCALE

KALSHI_DEFAULT_RATE = Decimal("0.07")
_CENT_MICROS = 10_000


@dataclass(frozen=True, slots=True)
class VenueQuote:
    """Best YES bid and best YES ask in pips (None: that side is empty)."""

    yes_bid: int | None
    yes_ask: int | None


@dataclass(frozen=True, slots=True)
class CrossGap:
    direction: str
    pm_price: int  # pips paid on Polymarket
    kalshi_price: int  # pips paid on Kalshi
    fees: int  # micro-USD per pair (both venues)
    gap: int  # micro-USD per pair: 1 − prices − fees (negative: no arbitrage)


def kalshi_taker_fee(rate: Decimal, price: int, contracts: int = 1) -> int:
    """Kalshi's taker fee in micro-USD for `contracts` at `price` pips, up to the cent."""
    if not 0 <= price <= ONE or contracts < 0 or not rate.is_finite() or rate < 0:
        raise ValueError(f"kalshi fee inputs out of range: {rate}, {price}, {contracts}")
    p = Decimal(price) / PRICE_SCALE
    cents = (rate * contracts * p * (1 - p) * 100).to_integral_value(rounding=ROUND_CEILING)
    return int(cents) * _CENT_MICROS


def _pair(direction: str, pm: int, pm_fees: FeeSchedule, kalshi: int, rate: Decimal) -> CrossGap:
    fees = taker_fee(pm_fees, pm, SIZE_SCALE) + kalshi_taker_fee(rate, kalshi)
    cost = (pm + kalshi) * (SIZE_SCALE // PRICE_SCALE) + fees
    return CrossGap(direction, pm, kalshi, fees, SIZE_SCALE - cost)


def gaps(
    pm: VenueQuote, pm_fees: FeeSchedule, kalshi: VenueQuote, rate: Decimal = KALSHI_DEFAULT_RATE
) -> list[CrossGap]:
    """Both directions that both books can quote now (an empty side leaves one out)."""
    out = []
    if pm.yes_ask is not None and kalshi.yes_bid is not None:
        out.append(_pair("buy_pm_yes_kalshi_no", pm.yes_ask, pm_fees, ONE - kalshi.yes_bid, rate))
    if kalshi.yes_ask is not None and pm.yes_bid is not None:
        out.append(_pair("buy_kalshi_yes_pm_no", ONE - pm.yes_bid, pm_fees, kalshi.yes_ask, rate))
    return out
