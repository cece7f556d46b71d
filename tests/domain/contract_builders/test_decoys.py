"""Hand-written markets for the builders: the shapes that must build, and decoys that must
not (ambiguous wording, no end date, multi-outcome legs dressed as binaries, buckets, ...)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from astra.domain.contract_builders import build_contract
from astra.domain.contracts.contract import (
    Direction,
    EventOpsContract,
    RateAction,
    RatesEventContract,
    WeatherExceedanceContract,
)
from astra.domain.market import MarketInfo
from astra.domain.prices import SIZE_SCALE, Tick

END = 1_781_000_000_000  # 2026-06-09T10:13:20Z
YES_RULE = (
    'This market will resolve to "Yes" if {what}. Otherwise, this market will resolve to "No".'
)
SOURCE = " The resolution source for this market will be {source}."


def market(question: str, description: str, **changes: object) -> MarketInfo:
    base = MarketInfo(
        condition_id="0x" + "ab" * 32,
        question=question,
        yes_token="1",
        no_token="2",
        tick=Tick.T0_01,
        min_size=5 * SIZE_SCALE,
        end_date_ms=END,
        description=description,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rules(what: str, source: str = "the official announcement", extra: str = "") -> str:
    return YES_RULE.format(what=what) + SOURCE.format(source=source) + extra


def test_event_ops_builds_with_every_clause() -> None:
    info = market(
        "Will the bill pass the Senate by June 9?",
        rules(
            "the bill passes the Senate by June 9",
            "the official Senate record",
            ' If it passes before the resolution date, this market will resolve to "Yes"'
            " immediately. If the vote is postponed indefinitely, this market will resolve 50-50.",
        ),
    )
    result = build_contract(info)
    assert isinstance(result.contract, EventOpsContract), result.why()
    assert result.contract.resolution_source == "the official Senate record"
    assert result.contract.early_resolution
    assert result.contract.fifty_fifty
    assert result.contract.cutoff_ms == END


@pytest.mark.parametrize(
    ("info", "reason"),
    [
        (market("Will X happen?", "", resolution_source="x.com"), "no_description"),
        (market("Will X happen?", rules("X happens"), end_date_ms=None), "no_end_date"),
        (
            market("Will X happen?", YES_RULE.format(what="X happens")),
            "no_resolution_source",
        ),
        (
            market("Will X happen?", rules("X happens, at the sole discretion of the editors")),
            "ambiguous_wording",
        ),
        (
            market("Will X happen?", rules("X happens") + " Details are to be determined."),
            "ambiguous_wording",
        ),
        (
            market("Will X happen?", "X may or may not happen." + SOURCE.format(source="a")),
            "no_resolution_rule",
        ),
        (
            market("Who will win the award?", rules("the named nominee wins")),
            "multi_outcome",
        ),
        (
            market(
                "Will X win the award?",
                rules("X wins") + ' If no award is given, it will resolve to "Other".',
            ),
            "multi_outcome",
        ),
        (
            market("Will X win the award?", rules("X wins"), neg_risk=True, event_id="ev1"),
            "multi_outcome",  # a neg-risk leg must name the outcome it stands for
        ),
        (
            market("Will X win the award?", rules("X wins"), neg_risk=True, group_item_title="X"),
            "multi_outcome",  # ... and its event group
        ),
        (
            market(
                "TVL at year end?",
                "This is a scalar market on TVL." + SOURCE.format(source="a"),
                outcomes=("Long", "Short"),
            ),
            "scalar_market",
        ),
        (
            market("A vs B", rules("A wins"), outcomes=("A", "B")),
            "not_yes_no",  # the rules never say when it resolves to "B"
        ),
        (
            market("Will Dogecoin reach $1 by June?", rules("DOGE trades at $1")),
            "unsupported_underlying",  # a price market the crypto parser does not read
        ),
    ],
)
def test_decoys_are_vetoed_with_their_reason(info: MarketInfo, reason: str) -> None:
    result = build_contract(info)
    assert result.contract is None
    assert result.reason == reason, result.why()


def test_neg_risk_leg_with_event_and_outcome_builds() -> None:
    info = market(
        "Will X win the award?",
        rules("X wins"),
        neg_risk=True,
        event_id="0x" + "cd" * 32,
        group_item_title="X",
    )
    contract = build_contract(info).contract
    assert isinstance(contract, EventOpsContract)
    assert (contract.neg_risk_event_id, contract.outcome) == ("0x" + "cd" * 32, "X")


def test_two_named_outcomes_build_and_stop_at_the_game_start() -> None:
    info = market(
        "A vs B",
        'This market will resolve to "A" if A wins. Otherwise it will resolve to "B".'
        + SOURCE.format(source="the league"),
        outcomes=("A", "B"),
        category="sports",
        game_start_ms=END - 3_600_000,
    )
    contract = build_contract(info).contract
    assert isinstance(contract, EventOpsContract)
    assert contract.cutoff_ms == END - 3_600_000


FED_RULES = rules("the FOMC announces the change at its June meeting", "federalreserve.gov")


@pytest.mark.parametrize(
    ("question", "action", "bps", "comparison"),
    [
        ("Will the Fed cut rates by 25 bps after the June meeting?", RateAction.CUT, 25, "exact"),
        (
            "Fed decreases interest rates by 50+ bps after June meeting?",
            RateAction.CUT,
            50,
            "at_least",
        ),
        ("Will the Fed hike rates by 25 bps in June?", RateAction.HIKE, 25, "exact"),
        ("No change in Fed interest rates after June meeting?", RateAction.HOLD, 0, "exact"),
    ],
)
def test_rates_builds_body_action_and_bucket(
    question: str, action: RateAction, bps: int, comparison: str
) -> None:
    contract = build_contract(market(question, FED_RULES, category="economics")).contract
    assert isinstance(contract, RatesEventContract)
    assert (contract.body, contract.action, contract.change_bps, contract.comparison) == (
        "fed",
        action,
        bps,
        comparison,
    )
    assert contract.resolution_source == "federalreserve.gov"


@pytest.mark.parametrize(
    ("question", "description", "reason"),
    [
        ("Will the Fed cut rates in June?", FED_RULES, "no_bp_bucket"),
        ("Will the Fed cut or hike rates by 25 bps in June?", FED_RULES, "ambiguous_action"),
        ("Will the Fed and the ECB cut rates by 25 bps?", FED_RULES, "no_body"),
        ("Will the Fed move rates by 25 bps at the June meeting?", FED_RULES, "no_action"),
        (
            "Will the Fed cut rates by 25 bps?",
            rules("the Federal Reserve cuts", "federalreserve.gov"),
            "no_meeting",
        ),
    ],
)
def test_rates_decoys(question: str, description: str, reason: str) -> None:
    result = build_contract(market(question, description, category="economics"))
    assert result.contract is None
    assert result.reason == reason, result.why()


WX_RULES = rules(
    "the highest temperature recorded at LaGuardia Airport (KLGA) is 80°F or higher",
    "Weather Underground",
)


def test_weather_builds_station_quantity_threshold_and_day() -> None:
    info = market(
        "Will the highest temperature in NYC be 80°F or higher on June 9?",
        WX_RULES,
        category="weather",
    )
    contract = build_contract(info).contract
    assert isinstance(contract, WeatherExceedanceContract)
    assert (contract.station, contract.variable, contract.unit, contract.threshold) == (
        "KLGA",
        "max_temp",
        "F",
        80,
    )
    assert (contract.direction, contract.inclusive) == (Direction.ABOVE, True)
    assert contract.window_start_ms == END - 86_400_000


@pytest.mark.parametrize(
    ("question", "description", "reason"),
    [
        ("Will the highest temperature in NYC be 80-81°F on June 9?", WX_RULES, "range_bucket"),
        (
            "Will the highest temperature in NYC be 80°F or higher on June 9?",
            rules("it is hot", "Weather Underground"),
            "no_station",
        ),
        ("Will it be hot in NYC on June 9?", WX_RULES, "no_quantity"),
        (
            "Will the highest temperature in NYC be 80.5°F or higher on June 9?",
            WX_RULES,
            "no_threshold",
        ),
        ("Will the highest temperature in NYC reach 80°F on June 9?", WX_RULES, "no_threshold"),
    ],
)
def test_weather_decoys(question: str, description: str, reason: str) -> None:
    result = build_contract(market(question, description, category="weather"))
    assert result.contract is None
    assert result.reason == reason, result.why()
