"""Parser parts: money, word boundaries, dates/DST, and the seed's parser defects (§1.32, B-12)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.contracts import Direction, Kind, definition_gate, parse_instant
from astra.domain.market import MarketInfo
from astra.domain.prices import Tick
from astra.domain.question_parser import parse_crypto_question, parse_market
from astra.domain.question_parser.dates import EASTERN, TimeOfDay, to_utc_ms
from astra.domain.question_parser.money import find_amounts, parse_plain_amount
from astra.domain.question_parser.words import Shape, classify, detect_underlying
from astra.domain.reasons import ParseVeto
from tests.domain.test_question_parser_table import BTC_CLOSE_DESC, BTC_MARCH_11, ROWS


def _values(text: str) -> list[Decimal]:
    return [a.value for a in find_amounts(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$100k", ["100000"]),
        ("$1.5m", ["1500000"]),
        ("100,000", ["100000"]),
        ("$64,000.50", ["64000.5"]),
        ("$1B", ["1000000000"]),
        ("$3.5K", ["3500"]),
        ("150k by June", ["150000"]),
        ("$2 million", ["2000000"]),
        ("$5 more", ["5"]),
        ("on March 11, 2026 at 12:00", []),
        ("$1,00", []),
        ("$ETH", []),
    ],
)
def test_money(text: str, expected: list[str]) -> None:
    assert _values(text) == [Decimal(v) for v in expected]


@given(st.integers(min_value=1, max_value=10**12))
def test_money_round_trips_any_grouped_amount(n: int) -> None:
    assert _values(f"above ${n:,} on") == [Decimal(n)]
    if n >= 1000:
        assert _values(f"above {n:,} on") == [Decimal(n)]
    assert _values(f"reach ${n}k by") == [Decimal(n) * 1000]


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_money_cents_are_exact(whole: int, cents: int) -> None:
    assert _values(f"${whole:,}.{cents:02d}") == [Decimal(f"{whole}.{cents:02d}")]


def test_plain_amount_for_group_titles() -> None:
    assert parse_plain_amount("64,000") == Decimal(64000)
    assert parse_plain_amount("64000") == Decimal(64000)
    assert parse_plain_amount("↑ 64,000") is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Will Seth Curry play?", ParseVeto.NO_UNDERLYING),
        ("Will Ethan win?", ParseVeto.NO_UNDERLYING),
        ("Whether the Ether price rises", "ETH"),
        ("Will $ETH be above $1?", "ETH"),
        ("Will bitcoin be above $1?", "BTC"),
        ("Will Solana be above $1?", "SOL"),
        ("Will eth be above $1?", ParseVeto.NO_UNDERLYING),  # tickers are upper case only
        ("Will sETH depeg?", ParseVeto.DERIVATIVE_TOKEN),
        ("Will cbETH trade above $1?", ParseVeto.DERIVATIVE_TOKEN),
    ],
)
def test_underlying_on_word_boundaries(question: str, expected: object) -> None:
    assert detect_underlying(question) == expected


def test_defect_false_positive_tokens_case_and_substring() -> None:
    """seed §1.32/B-12: "sUSDe"/"USDe" never matched lowercased text ("Will USDe on Ethereum exceed
    $10B?" → ETH), and plain substrings rejected "Seth Curry" and "Gareth"."""
    assert detect_underlying("Will USDe on Ethereum exceed $10B?") is ParseVeto.DERIVATIVE_TOKEN
    assert detect_underlying("Will sUSDe supply exceed $5B?") is ParseVeto.DERIVATIVE_TOKEN
    assert detect_underlying("Will Seth Curry say Bitcoin?") == "BTC"
    assert detect_underlying("Will Gareth Bale buy ETH?") == "ETH"


def test_defect_substring_keywords() -> None:
    """seed §5.2 B-12: "Substring keywords: "white" matches hit, "breach" matches reach,
    "touchdown" matches touch"."""
    for text in ("the White House", "a security breach", "a touchdown pass"):
        assert classify(f"Will {text} cost BTC $1m?", "") is ParseVeto.NO_DIRECTION


def test_defect_touch_direction_always_up() -> None:
    """seed §5.2 B-12: "Touch direction is always `>=`" ("hit $60k" when spot is 95k)."""
    assert classify("Will Bitcoin dip to $60k by June 30?", "") == Shape(
        Kind.TOUCH, Direction.BELOW, inclusive=True
    )
    assert classify("Will Bitcoin fall below $60k by June 30?", "") == Shape(
        Kind.TOUCH, Direction.BELOW, inclusive=True
    )
    assert classify("Will Bitcoin reach $100k by June 30?", "") == Shape(
        Kind.TOUCH, Direction.ABOVE, inclusive=True
    )
    assert classify("Will Bitcoin hit $60k by June 30?", "") is ParseVeto.AMBIGUOUS_DIRECTION


def test_defect_common_above_on_date_phrasing_unrecognised() -> None:
    """seed §5.2 B-12: "The common phrasing "be above $X on <date>" is unrecognised"."""
    assert classify("Will Bitcoin be above $100,000 on March 1?", "") == Shape(
        Kind.CLOSE, Direction.ABOVE, inclusive=False
    )


def test_defect_only_first_dollar_amount_and_no_billion() -> None:
    """seed §1.32: "Because only the first amount is used, "from $90K to $120K" → 90000";
    "There is no B/billion support: "$1B" → 1.0"."""
    result = parse_crypto_question("Will Bitcoin go from $90K to $120K by June 30?")
    assert result.veto is ParseVeto.RANGE_QUESTION
    assert _values("$1B") == [Decimal(1_000_000_000)]


def test_defect_end_date_used_as_measurement_time() -> None:
    """seed §1.32: "Gamma's `endDate` is used as the cutoff, which is not necessarily the real
    measurement time". The time comes from the description; endDate only infers the year."""
    end = parse_instant("2022-06-17T00:00:00Z")
    assert isinstance(end, int)
    result = ROWS["fixture_eth_above_1700_coingecko_edt"]
    parsed = parse_crypto_question(result.question, result.description, end_date_ms=end)
    assert parsed.contract is not None
    assert parsed.contract.cutoff_ms == end + 16 * 3_600_000  # noon EDT, not endDate midnight


def test_defect_generator_hardcodes_op_and_gamma_id() -> None:
    """seed §5.2 B-5: "The rebuilt contracts hard-code op ">="" and "Contracts use market_id =
    Gamma id". A below question is below; parse_market keys the contract by condition id."""
    market = MarketInfo(
        condition_id=BTC_MARCH_11["conditionId"],
        question="Will the price of Bitcoin be below $64,000 on March 11?",
        yes_token="1",
        no_token="2",
        tick=Tick.T0_001,
        min_size=5_000_000,
        end_date_ms=1_773_244_800_000,
        description=BTC_CLOSE_DESC,
    )
    result = parse_market(market)
    assert result.contract is not None
    assert result.contract.direction is Direction.BELOW
    assert result.contract.market_id == BTC_MARCH_11["conditionId"]
    assert result.lint is not None
    assert result.lint.ok
    assert definition_gate(result.contract).passed


@pytest.mark.parametrize(
    ("date", "utc_hour"),
    [((2026, 3, 7), 17), ((2026, 3, 9), 16), ((2026, 10, 31), 16), ((2026, 11, 2), 17)],
)
def test_noon_eastern_follows_dst(date: tuple[int, int, int], utc_hour: int) -> None:
    millis = to_utc_ms(*date, TimeOfDay(12, 0, 0, EASTERN))
    assert millis == parse_instant(
        f"{date[0]:04d}-{date[1]:02d}-{date[2]:02d}T{utc_hour:02d}:00:00Z"
    )


def test_ambiguous_fall_back_hour_is_refused() -> None:
    assert to_utc_ms(2026, 11, 1, TimeOfDay(1, 30, 0, EASTERN)) is ParseVeto.INVALID_DATE
