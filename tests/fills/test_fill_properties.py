"""Properties of the fill path, on generated scenarios run through `run_scenario`.

Steps are matches and cancels at YES 0.48 (taker sells into our bid) at increasing venue
times; the order is YES BUY 0.48 placed at 1100 (at the venue from 1200)."""

from __future__ import annotations

from copy import deepcopy
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


# The examples hypothesis found. YES BUY 0.48 x1 placed at 1100, at the venue from 1200. The
# last print is received before its level change (trade first) or 1 ms after it (level first),
# at or after the moment the order leaves the venue by our clock; its venue time is before
# that moment, so it counts either way (docs/fills.md, rule 8).
TTL_END = [  # TTL 1 s: on the venue until 2100; level first, the print arrives at 2100
    Step(1129, 0, 0, 0, False, 0),
    Step(1409, 19, 0, 22, False, 0),
    Step(1680, 47, 31, 0, False, 0),
    Step(1798, 0, 0, 0, False, 0),
    Step(2099, 25, 0, 0, False, 0),
]
CANCEL_END = [  # canceled at 1418, effective 1418 + 50 = 1468; level first, the print at 1469
    Step(1210, 0, 0, 1, False, 0),
    Step(1449, 73, 1, 0, False, 0),
    Step(1467, 27, 0, 0, False, 1),
]


def _maker_fill(venue_ms: int, size: str) -> dict[str, Any]:
    return {"venue_ms": venue_ms, "price": "0.48", "size": size, "fee": "0", "liquidity": "maker"}


def _late_print_cases() -> list[
    tuple[dict[str, Any], int, str, str, dict[str, Any], dict[str, Any]]
]:
    """(scenario, receive time of the last print level first, end state, end reason, the
    probabilistic fill, the probabilistic account); risk_averse fills nothing in both.

    TTL_END: queue 100 at submit. 1409: 19 traded (ahead 81), 22 join behind (level 103).
    1680: 47 traded (ahead 34), 31 canceled (level 25). risk_averse: min(34, 25) = 25 ahead and
    the 25 traded at 2099 consume it. probabilistic (power 2, micro-shares): back = 25 + 31 -
    34 = 22; from the front 31,000,000 * 22**2 // (34**2 + 22**2) = 15,004,000,000 // 1,640 =
    9,148,780; ahead 34,000,000 - 9,148,780 = 24,851,220 (under the level's 25,000,000); the 25
    traded at 2099 fill 25,000,000 - 24,851,220 = 148,780 = 0.14878 at 0.48 (venue 2099 < 2100).
    Cash 1000 - 0.0714144 (floored to the micro) = 999.928586; marked at the bid 0.47:
    + 0.0699266 floored = 999.998512.

    CANCEL_END: queue 100; 1210: 1 joins behind (level 101). 1449: 73 traded (ahead 27), 1
    canceled (level 27). risk_averse: min(27, 27) = 27, consumed by the 27 traded at 1467.
    probabilistic: back = 27 + 1 - 27 = 1; from the front 1,000,000 * 1 // (27**2 + 1) =
    1,000,000 // 730 = 1,369; ahead 26,998,631; the 27 traded at 1467 fill 1,369 = 0.001369
    (venue 1467 < 1468). Cash 1000 - 0.00065712 = 999.999343; + 0.00064343 = 999.999986."""
    return [
        (
            document(TTL_END, 1, 1, None), 2100, "expired", "ttl_expired",
            _maker_fill(2099, "0.14878"),
            {"cash": "999.928586", "positions": {YES: "0.14878"}, "equity": "999.998512"},
        ),
        (
            document(CANCEL_END, 1, 1, 1418), 1469, "canceled", "strategy_cancel",
            _maker_fill(1467, "0.001369"),
            {"cash": "999.999343", "positions": {YES: "0.001369"}, "equity": "999.999986"},
        ),
    ]  # fmt: skip


def test_a_print_received_after_the_order_left_fills_by_its_venue_time_in_either_order() -> None:
    for level_first, print_recv, state, reason, fill, account in _late_print_cases():
        prints = [
            m for m in level_first["messages"] if m["msg"]["event_type"] == "last_trade_price"
        ]
        assert prints[-1]["recv_ms"] == print_recv
        trade_first = deepcopy(level_first)
        tail = trade_first["messages"]
        tail[-2]["msg"], tail[-1]["msg"] = tail[-1]["msg"], tail[-2]["msg"]
        assert tail[-2]["msg"]["event_type"] == "last_trade_price"
        for doc in (level_first, trade_first):
            averse = run(doc, RISK_AVERSE)["orders"]["a"]
            assert averse == {"state": state, "reason": reason, "filled": "0", "fills": []}
            result = run(doc, PROBABILISTIC)
            assert result["orders"]["a"] == {
                "state": state, "reason": reason, "filled": fill["size"], "fills": [fill],
            }  # fmt: skip
            assert result["account"] == account


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
