"""The parser table: real and real-style crypto questions with their exact expected parse.

Fixture rows come from tests/fixtures/polymarket (Gamma public search, CLOB markets page);
the rest follow the venue's wording for its crypto markets, plus decoys (people's names,
"White House", up/down markets, derivative tokens). Expected instants are written out in
UTC by hand (DST: EDT = UTC-4 from the 2nd Sunday of March to the 1st Sunday of November).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from astra.domain.contracts import Direction, Kind, parse_instant
from astra.domain.question_parser import parse_crypto_question
from astra.domain.reasons import ParseVeto

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket"
_SEARCH = json.loads(
    (FIXTURES / "gamma" / "public_search_bitcoin_above_on_march_11.json").read_text()
)
BTC_MARCH_11 = _SEARCH["events"][0]["markets"][0]
_PAGE = json.loads((FIXTURES / "clob_rest" / "markets_page_2024.json").read_text())
CLOB = {m["question"]: m for m in _PAGE["data"]}
UPDOWN = json.loads((FIXTURES / "gamma" / "market_btc_updown_5m_2026-03.json").read_text())

BTC_CLOSE_DESC: str = BTC_MARCH_11["description"]
ETH_CLOSE_DESC = BTC_CLOSE_DESC.replace("BTC/USDT", "ETH/USDT").replace("BTC_USDT", "ETH_USDT")
XRP_CLOSE_DESC = BTC_CLOSE_DESC.replace("BTC/USDT", "XRP/USDT").replace("BTC_USDT", "XRP_USDT")


def _year_touch(pair: str, side: str) -> str:
    bound = "equal to or greater than" if side == "High" else "equal to or less than"
    return (
        f'This market will immediately resolve to "Yes" if any Binance 1 minute candle for {pair}'
        " between January 1, 2026, 12:00 AM ET and December 31, 2026, 11:59 PM ET has a final"
        f' "{side}" price {bound} the price specified in the title. Otherwise, this market will'
        f' resolve to "No". The resolution source for this market is Binance, specifically the'
        f' {pair} "{side}" prices with "1m" and "Candles" selected on the top bar.'
    )


def _month_touch(pair: str, side: str) -> str:
    bound = "equal to or greater than" if side == "High" else "equal to or less than"
    return (
        f'This market will immediately resolve to "Yes" if any Binance 1 minute candle for {pair}'
        " during the month specified in the title (from 12:00 AM ET on the first day to 11:59 PM"
        f' ET on the last day) has a final "{side}" price {bound} the price specified in the'
        ' title. Otherwise, this market will resolve to "No".'
    )


@dataclass(frozen=True)
class Row:
    question: str
    description: str = ""
    end_date: str | None = None
    title: str = ""
    expected: ParseVeto | tuple[object, ...] = ParseVeto.NO_UNDERLYING


def _close(
    und: str, strike: str, direction: str, cutoff: str, feed: str, incl: bool = False
) -> tuple[object, ...]:
    return (und, Decimal(strike), Kind.CLOSE, Direction(direction), incl, cutoff, None, feed)


def _touch(
    und: str, strike: str, direction: str, start: str, cutoff: str, feed: str
) -> tuple[object, ...]:
    return (und, Decimal(strike), Kind.TOUCH, Direction(direction), True, cutoff, start, feed)


BTC_FEED = "binance:BTCUSDT:1m_close"
ETH_Q1 = "Will $ETH be above $1,700 on June 17?"
ETH_Q2 = "Will $ETH be above $1,200 on July 1?"
ETH_Q3 = "Will the price of $ETH be above $1200 on December 30?"
MERGE = "Will the Ethereum Merge (EIP-3675) occur by September 1, 2022?"
LUNA = "Who will win the $1M bet on LUNA's price being over $92.40: Do Kwon or Sensei Algod?"
BINANCE = "Will Binance.com become insolvent by Jan 31, 2023?"

ROWS: dict[str, Row] = {
    # --- genuine fixture questions ---------------------------------------------------------
    "fixture_btc_above_64000_march_11": Row(
        BTC_MARCH_11["question"],
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "64,000",
        _close("BTC", "64000", "above", "2026-03-11T16:00:00Z", BTC_FEED),
    ),
    "fixture_eth_above_1700_coingecko_edt": Row(
        ETH_Q1,
        CLOB[ETH_Q1]["description"],
        "2022-06-17T00:00:00Z",
        "",
        _close("ETH", "1700", "above", "2022-06-17T16:00:00Z", "coingecko:ETHUSD:close"),
    ),
    "fixture_eth_above_1200_july_1": Row(
        ETH_Q2,
        CLOB[ETH_Q2]["description"],
        "2022-07-01T00:00:00Z",
        "",
        _close("ETH", "1200", "above", "2022-07-01T16:00:00Z", "coingecko:ETHUSD:close"),
    ),
    "fixture_eth_above_1200_binance_est": Row(
        ETH_Q3,
        CLOB[ETH_Q3]["description"],
        "2022-12-30T00:00:00Z",
        "",
        _close("ETH", "1200", "above", "2022-12-30T17:00:00Z", "binance:ETHUSDT:1m_close"),
    ),
    "fixture_merge_has_no_strike": Row(
        MERGE, CLOB[MERGE]["description"], "2022-09-01T00:00:00Z", "", ParseVeto.NO_STRIKE
    ),
    "fixture_luna_bet_unsupported": Row(
        LUNA,
        CLOB[LUNA]["description"],
        "2023-03-14T00:00:00Z",
        "",
        ParseVeto.UNSUPPORTED_UNDERLYING,
    ),
    "fixture_binance_insolvency_no_underlying": Row(
        BINANCE, CLOB[BINANCE]["description"], "2023-01-31T00:00:00Z", "", ParseVeto.NO_UNDERLYING
    ),
    "fixture_up_down_5m": Row(
        UPDOWN["question"],
        UPDOWN["description"],
        "2026-03-12T09:25:00Z",
        "",
        ParseVeto.UP_DOWN_MARKET,
    ),
    # --- close questions in the venue's style ------------------------------------------------
    "close_below": Row(
        "Will the price of Bitcoin be below $60,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        _close("BTC", "60000", "below", "2026-03-11T16:00:00Z", BTC_FEED),
    ),
    "close_after_dst_ends": Row(
        "Will the price of Ethereum be above $2,500 on November 3?",
        ETH_CLOSE_DESC,
        "2025-11-03T17:00:00Z",
        "",
        _close("ETH", "2500", "above", "2025-11-03T17:00:00Z", "binance:ETHUSDT:1m_close"),
    ),
    "close_cents_strike": Row(
        "Will the price of Bitcoin be above $64,000.50 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        _close("BTC", "64000.5", "above", "2026-03-11T16:00:00Z", BTC_FEED),
    ),
    "close_bare_grouped_number": Row(
        "Will BTC be above 100,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        _close("BTC", "100000", "above", "2026-03-11T16:00:00Z", BTC_FEED),
    ),
    "close_upper_k_suffix": Row(
        "Will Bitcoin be above $100K on March 11, 2026?",
        BTC_CLOSE_DESC,
        None,
        "",
        _close("BTC", "100000", "above", "2026-03-11T16:00:00Z", BTC_FEED),
    ),
    "close_at_least_is_inclusive": Row(
        "Will Bitcoin be at least $70,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        _close("BTC", "70000", "above", "2026-03-11T16:00:00Z", BTC_FEED, incl=True),
    ),
    "close_strike_from_group_title": Row(
        "Bitcoin above ___ on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "64,000",
        _close("BTC", "64000", "above", "2026-03-11T16:00:00Z", BTC_FEED),
    ),
    "close_xrp": Row(
        "Will XRP be above $3 on March 11?",
        XRP_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        _close("XRP", "3", "above", "2026-03-11T16:00:00Z", "binance:XRPUSDT:1m_close"),
    ),
    # --- touch questions ---------------------------------------------------------------------
    "touch_reach_100k_by_year_end": Row(
        "Will Bitcoin reach $100k by December 31, 2026?",
        _year_touch("BTC/USDT", "High"),
        None,
        "",
        _touch(
            "BTC",
            "100000",
            "above",
            "2026-01-01T05:00:00Z",
            "2027-01-01T04:59:00Z",
            "binance:BTCUSDT:1m_high",
        ),
    ),
    "touch_reach_1_5m": Row(
        "Will Bitcoin reach $1.5m by December 31, 2026?",
        _year_touch("BTC/USDT", "High"),
        None,
        "",
        _touch(
            "BTC",
            "1500000",
            "above",
            "2026-01-01T05:00:00Z",
            "2027-01-01T04:59:00Z",
            "binance:BTCUSDT:1m_high",
        ),
    ),
    "touch_dip_to_60k_in_march_across_dst": Row(
        "Will Bitcoin dip to $60k in March?",
        _month_touch("BTC/USDT", "Low"),
        "2026-04-01T04:00:00Z",
        "",
        _touch(
            "BTC",
            "60000",
            "below",
            "2026-03-01T05:00:00Z",
            "2026-04-01T04:00:00Z",
            "binance:BTCUSDT:1m_low",
        ),
    ),
    "touch_reach_150000_in_march": Row(
        "Will Bitcoin reach $150,000 in March?",
        _month_touch("BTC/USDT", "High"),
        "2026-04-01T04:00:00Z",
        "",
        _touch(
            "BTC",
            "150000",
            "above",
            "2026-03-01T05:00:00Z",
            "2026-04-01T04:00:00Z",
            "binance:BTCUSDT:1m_high",
        ),
    ),
    "touch_hit_direction_from_description": Row(
        "Will Ethereum hit $5,000 in August?",
        _month_touch("ETH/USDT", "High"),
        "2026-09-01T04:00:00Z",
        "",
        _touch(
            "ETH",
            "5000",
            "above",
            "2026-08-01T04:00:00Z",
            "2026-09-01T04:00:00Z",
            "binance:ETHUSDT:1m_high",
        ),
    ),
    "touch_plain_hit_is_ambiguous": Row(
        "Will Bitcoin hit $80k in March?",
        "Resolves Yes if Binance BTC/USDT 1 minute candles trade at the title price in the month"
        " (12:00 AM ET start).",
        "2026-04-01T04:00:00Z",
        "",
        ParseVeto.AMBIGUOUS_DIRECTION,
    ),
    "touch_without_window_start": Row(
        "Will Bitcoin reach $100k by December 31, 2026?",
        'Resolves "Yes" if any Binance 1 minute candle for BTC/USDT up to December 31, 2026,'
        ' 11:59 PM ET has a final "High" price equal to or greater than the title price.',
        None,
        "",
        ParseVeto.NO_WINDOW_START,
    ),
    # --- decoys and vetoes -------------------------------------------------------------------
    "decoy_seth_is_not_eth": Row(
        "Will Seth Curry score 20 points on March 11?", "", None, "", ParseVeto.NO_UNDERLYING
    ),
    "decoy_ethan_is_not_eth": Row(
        "Will Ethan Klein reach 1,000,000 followers by March 31?",
        "",
        None,
        "",
        ParseVeto.NO_UNDERLYING,
    ),
    "decoy_gareth_is_not_reth": Row(
        "Will Gareth Southgate be sacked by March 31?", "", None, "", ParseVeto.NO_UNDERLYING
    ),
    "decoy_white_house_hit_inside_white": Row(
        "Will the White House buy $1,000,000 of Bitcoin on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.NO_DIRECTION,
    ),
    "decoy_breach_is_not_reach": Row(
        "Will a Bitcoin exchange breach cost $100M on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.NO_DIRECTION,
    ),
    "decoy_white_house_without_strike": Row(
        "Will the White House announce a Bitcoin reserve by March 31?",
        "",
        None,
        "",
        ParseVeto.NO_STRIKE,
    ),
    "derivative_usde_on_ethereum": Row(
        "Will USDe on Ethereum exceed $10B?", "", None, "", ParseVeto.DERIVATIVE_TOKEN
    ),
    "derivative_wbtc": Row(
        "Will WBTC be above $60,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.DERIVATIVE_TOKEN,
    ),
    "derivative_steth": Row(
        "Will stETH depeg below $3,000 on March 11?", "", None, "", ParseVeto.DERIVATIVE_TOKEN
    ),
    "range_between": Row(
        "Will the price of Bitcoin be between $60,000 and $62,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.RANGE_QUESTION,
    ),
    "range_dash": Row(
        "Bitcoin price on March 11: $60,000-$62,000?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.RANGE_QUESTION,
    ),
    "two_strikes": Row(
        "Will Bitcoin be above $60,000 or below $50,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.MULTIPLE_STRIKES,
    ),
    "two_underlyings": Row(
        "Will ETH flip BTC by December 31?", "", None, "", ParseVeto.MULTIPLE_UNDERLYINGS
    ),
    "unsupported_dogecoin": Row(
        "Will Dogecoin be above $1 on March 11?", "", None, "", ParseVeto.UNSUPPORTED_UNDERLYING
    ),
    "missing_year_without_end_date": Row(
        "Will the price of Bitcoin be above $64,000 on March 11?",
        BTC_CLOSE_DESC,
        None,
        "",
        ParseVeto.MISSING_YEAR,
    ),
    "year_far_from_end_date": Row(
        "Will the price of Bitcoin be above $64,000 on March 11?",
        BTC_CLOSE_DESC,
        "2024-07-01T00:00:00Z",
        "",
        ParseVeto.YEAR_MISMATCH,
    ),
    "two_sources": Row(
        "Will the price of Bitcoin be above $64,000 on March 11?",
        BTC_CLOSE_DESC + " If Binance is unavailable, Coinbase BTC/USDT will be used.",
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.AMBIGUOUS_SOURCE,
    ),
    "source_pair_conflicts_with_question": Row(
        "Will the price of Bitcoin be above $64,000 on March 11?",
        ETH_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.SOURCE_CONFLICT,
    ),
    "no_description_no_time": Row(
        "Will the price of Bitcoin be above $64,000 on March 11?",
        "",
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.NO_RESOLUTION_TIME,
    ),
    "above_by_date_is_not_a_close": Row(
        "Will Bitcoin be above $64,000 by March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.CONFLICTING_KIND,
    ),
    "group_title_conflicts": Row(
        "Will BTC be above $64,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "65,000",
        ParseVeto.STRIKE_CONFLICT,
    ),
    "two_dates": Row(
        "Will Bitcoin be above $64,000 on March 11 or March 12?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.MULTIPLE_DATES,
    ),
    "impossible_date": Row(
        "Will Bitcoin be above $64,000 on February 30, 2026?",
        BTC_CLOSE_DESC,
        None,
        "",
        ParseVeto.INVALID_DATE,
    ),
    "local_time_in_dst_gap": Row(
        "Will Bitcoin be above $64,000 on March 8, 2026?",
        BTC_CLOSE_DESC.replace("12:00 in the ET timezone (noon)", "2:30 AM ET"),
        None,
        "",
        ParseVeto.INVALID_DATE,
    ),
    "no_direction_word": Row(
        "Will Bitcoin trade at $64,000 on March 11?",
        BTC_CLOSE_DESC,
        "2026-03-11T16:00:00Z",
        "",
        ParseVeto.NO_DIRECTION,
    ),
}


def test_table_is_large_enough() -> None:
    assert len(ROWS) >= 30
    assert sum(isinstance(r.expected, tuple) for r in ROWS.values()) >= 15


@pytest.mark.parametrize("name", sorted(ROWS))
def test_parser_table(name: str) -> None:
    row = ROWS[name]
    end_ms = None if row.end_date is None else parse_instant(row.end_date)
    assert not isinstance(end_ms, str)
    result = parse_crypto_question(
        row.question, row.description, end_date_ms=end_ms, group_item_title=row.title
    )
    if isinstance(row.expected, ParseVeto):
        assert result.contract is None
        assert result.veto is row.expected, result.detail
        return
    contract = result.contract
    assert contract is not None, result.detail
    assert result.veto is None
    und, strike, kind, direction, inclusive, cutoff, start, feed = row.expected
    assert contract.underlying == und
    assert contract.strike == strike
    assert contract.kind is kind
    assert contract.direction is direction
    assert contract.inclusive is inclusive
    assert contract.cutoff_ms == parse_instant(str(cutoff))
    assert contract.window_start_ms == (None if start is None else parse_instant(str(start)))
    assert contract.oracle_feed == feed
    assert result.lint is not None
    assert [p.field for p in result.lint.problems] == ["market_id"]  # no id given: draft only
