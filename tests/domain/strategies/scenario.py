"""Constructed markets, books and spot paths for the strategy scenario tests."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from astra.domain.contracts.contract import CryptoThresholdContract
from astra.domain.events import Level
from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.prices import Tick
from astra.domain.question_parser import parse_market
from astra.domain.strategies import MarketView, TokenView
from astra.domain.strategies.protocol import SpotView
from astra.domain.toxicity import SpreadRegime

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "polymarket"
_SEARCH = json.loads(
    (FIXTURES / "gamma" / "public_search_bitcoin_above_on_march_11.json").read_text()
)
BTC_GAMMA = _SEARCH["events"][0]["markets"][0]
MARKET = BTC_GAMMA["conditionId"]
CUTOFF_MS = 1_773_244_800_000  # 2026-03-11T16:00:00Z, the contract's measurement instant
NOW_MS = CUTOFF_MS - 86_400_000  # one day before
SHARE = 1_000_000

INFO = MarketInfo(
    condition_id=MARKET,
    question=BTC_GAMMA["question"],
    yes_token="yes",
    no_token="no",
    tick=Tick.T0_01,
    min_size=5 * SHARE,
    end_date_ms=CUTOFF_MS,
    category="crypto_threshold",
    description=BTC_GAMMA["description"],
    group_item_title=BTC_GAMMA["groupItemTitle"],
)


def contract() -> CryptoThresholdContract:
    """The real market's contract, drafted by the question parser (and linted there)."""
    result = parse_market(INFO)
    assert isinstance(result.contract, CryptoThresholdContract), result
    return result.contract


def token(
    asset: str,
    bid: int,
    ask: int,
    *,
    size: int = 1_000 * SHARE,
    asks: tuple[Level, ...] = (),
    **kw: object,
) -> TokenView:
    base = TokenView(asset, True, (bid, size), (ask, size), False, SpreadRegime.NORMAL, NOW_MS)
    return replace(base, asks=asks, **kw)  # type: ignore[arg-type]


def spot(price: str = "66000", ts_ms: int = NOW_MS, symbol: str = "btcusdt") -> SpotView:
    return SpotView(symbol=symbol, price=Decimal(price), ts_ms=ts_ms)


def view(
    yes_bid: int = 7000,
    yes_ask: int = 7200,
    *,
    info: MarketInfo = INFO,
    **kw: object,
) -> MarketView:
    """A mirrored two-token market: NO's book is YES's at 1 − p."""
    base = MarketView(
        info,
        token("yes", yes_bid, yes_ask),
        token("no", 10_000 - yes_ask, 10_000 - yes_bid),
        (),
        False,
        spot=spot(),
        toxicity_score=0.1,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def with_fees(info: MarketInfo, rate: str) -> MarketInfo:
    return replace(info, fees=FeeSchedule(rate=Decimal(rate), exponent=1))
