"""Properties of the fill path, on generated scenarios run through `run_scenario`.

Steps are matches and cancels at YES 0.48 (taker sells into our bid) at increasing venue
times; the order is YES BUY 0.48 placed at 1100 (at the venue from 1200)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from astra.app.fill_scenario import run_scenario
from astra.app.fill_scenario_file import parse_scenario
from astra.domain.queue_models import QueueModel, QueueModelName
from tests.fills.builders import NO, YES, Frame, Step, document

RISK_AVERSE = QueueModel(QueueModelName.RISK_AVERSE)
PROBABILISTIC = QueueModel(QueueModelName.PROBABILISTIC)


@st.composite
def steps(draw: st.DrawFn) -> list[Step]:
    out: list[Step] = []
    level = 100
    ts = 1000
    for _ in range(draw(st.integers(1, 8))):
        ts += draw(st.integers(1, 400))
        traded = draw(st.integers(0, level))
        canceled = draw(st.integers(0, level - traded))
        joined = draw(st.integers(0, 60))
        level = level - traded - canceled + joined
        out.append(
            Step(ts, traded, canceled, joined, draw(st.booleans()), draw(st.integers(0, 40)))
        )
    return out


def run(doc: dict[str, Any], model: QueueModel = RISK_AVERSE) -> dict[str, Any]:
    return run_scenario(parse_scenario(doc), model)


def fills(result: dict[str, Any]) -> list[tuple[int, str]]:
    return [(f["venue_ms"], f["size"]) for f in result["orders"]["a"]["fills"]]


PROPERTY = settings(max_examples=80, deadline=None)

SIZE = st.integers(1, 60)
TTL = st.integers(1, 3)
CANCEL = st.one_of(st.none(), st.integers(1100, 3500))


@PROPERTY
@given(steps(), SIZE, TTL, CANCEL)
def test_arrival_order_of_a_trade_and_its_level_change_never_changes_fills(
    plan: list[Step], size: int, ttl: int, cancel: int | None
) -> None:
    flipped = [replace(s, trade_first=not s.trade_first) for s in plan]
    for model in (RISK_AVERSE, PROBABILISTIC):
        assert run(document(plan, size, ttl, cancel), model) == run(
            document(flipped, size, ttl, cancel), model
        )


@PROPERTY
@given(steps(), SIZE, TTL, CANCEL)
def test_complement_prints_and_levels_fill_like_the_own_token(
    plan: list[Step], size: int, ttl: int, cancel: int | None
) -> None:
    own = run(document(plan, size, ttl, cancel))
    other = run(document(plan, size, ttl, cancel, Frame(token=NO)))
    assert fills(own) == fills(other)
    assert own["orders"] == other["orders"]


@PROPERTY
@given(steps(), SIZE, TTL, CANCEL)
def test_mirrored_scenario_gives_mirrored_fills(
    plan: list[Step], size: int, ttl: int, cancel: int | None
) -> None:
    """YES <-> NO, p <-> 1 - p: the YES BUY 0.48 becomes a NO SELL 0.52 with the same fills
    at 1 - price, and the mirrored account: cash moves the other way, the position flips."""
    own = run(document(plan, size, ttl, cancel))
    mirrored = run(document(plan, size, ttl, cancel, Frame(mirror=True)))
    a, b = own["orders"]["a"], mirrored["orders"]["a"]
    assert (a["state"], a["reason"], a["filled"]) == (b["state"], b["reason"], b["filled"])
    assert [(f["venue_ms"], f["size"]) for f in a["fills"]] == fills(mirrored)
    assert all(
        Decimal(f["price"]) + Decimal(g["price"]) == 1
        for f, g in zip(a["fills"], b["fills"], strict=False)
    )
    held = Decimal(own["account"]["positions"].get(YES, "0"))
    assert Decimal(mirrored["account"]["positions"].get(NO, "0")) == -held


@PROPERTY
@given(steps(), SIZE, TTL, CANCEL)
def test_risk_averse_never_fills_more_than_probabilistic(
    plan: list[Step], size: int, ttl: int, cancel: int | None
) -> None:
    doc = document(plan, size, ttl, cancel)
    averse = Decimal(run(doc, RISK_AVERSE)["orders"]["a"]["filled"])
    assert averse <= Decimal(run(doc, PROBABILISTIC)["orders"]["a"]["filled"])


@PROPERTY
@given(steps(), SIZE, TTL, CANCEL)
def test_no_fill_before_venue_arrival_or_after_expiry_or_cancel(
    plan: list[Step], size: int, ttl: int, cancel: int | None
) -> None:
    end = 1100 + ttl * 1000
    if cancel is not None:
        end = min(end, cancel + 50)
    for model in (RISK_AVERSE, PROBABILISTIC):
        result = run(document(plan, size, ttl, cancel), model)
        assert all(1200 <= venue < end for venue, _ in fills(result))
        order = result["orders"]["a"]
        if order["state"] == "expired":
            assert order["reason"] == "ttl_expired"
