"""Fuzz every boundary decoder: nothing escapes, nothing outside the limits is accepted.

The seeded mutator (boundary_fuzz.py) runs 20,000 cases per decoder at ASTRA_SLOW_SCALE=full
and 5 % of that in CI; hypothesis then puts arbitrary JSON values, Python-only hostile values
(10**5000, 5,000-deep lists) and near-limit numbers into every field of every fixture.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from astra.adapters.polymarket.clob_rest import book_result
from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.adapters.polymarket.ws_decode import decode_market_message
from astra.adapters.spot.rtds_decode import decode_spot_message
from tests.adapters.boundary_fuzz import (
    DECODERS,
    clob_books,
    gamma_markets,
    market_event_problem,
    market_info_problem,
    rtds_messages,
    spot_problem,
    ws_market_messages,
)
from tests.scale import scaled

FULL_CASES = 20_000


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_seeded_mutations_never_escape_nor_pass_out_of_range(name: str) -> None:
    stats = DECODERS[name](scaled(FULL_CASES, minimum=500), 15)
    print(stats.line(name))
    assert stats.escapes == []
    assert stats.out_of_range == []
    # The run exercised both sides: genuine-enough cases accepted, hostile ones rejected.
    assert stats.accepted > 0
    assert sum(stats.rejections.values()) > stats.cases // 4


def _deep(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
HOSTILE = (
    JSON_VALUES
    | st.sampled_from([10**5000, -(10**5000), "9" * 5000, "1e999999999", "1e13", "-0"])
    | st.builds(_deep, st.integers(30, 5000))
    | st.integers(-(2**200), 2**200)
    | st.decimals(allow_nan=True, allow_infinity=True).map(str)
    | st.integers(0, 10**16).map(str)
)


def _with(value: Any, rng_path: int, hostile: object) -> Any:
    """`value` with the `rng_path`-th of its fields (in walk order) replaced by `hostile`."""
    paths: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        paths.append(path)
        children = (
            item.items()
            if isinstance(item, dict)
            else enumerate(item)
            if isinstance(item, list)
            else []
        )
        stack.extend((child, (*path, key)) for key, child in children)
    path = paths[rng_path % len(paths)]
    if not path:
        return hostile
    out = copy.deepcopy(value)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = hostile
    return out


FUZZ = settings(
    max_examples=scaled(4000, minimum=150), deadline=None, suppress_health_check=list(HealthCheck)
)
WS, SPOT, GAMMA, BOOKS = ws_market_messages(), rtds_messages(), gamma_markets(), clob_books()


@FUZZ
@given(st.integers(0, len(WS) - 1), st.integers(0, 10**6), HOSTILE)
def test_ws_market_message_with_any_value_anywhere(which: int, where: int, hostile: object) -> None:
    message = _with(WS[which], where, hostile)
    result = decode_market_message(message, 0) if isinstance(message, dict) else None
    if result is not None:
        assert [market_event_problem(e) for e in result.events] == [None] * len(result.events)


@FUZZ
@given(st.integers(0, len(SPOT) - 1), st.integers(0, 10**6), HOSTILE)
def test_rtds_message_with_any_value_anywhere(which: int, where: int, hostile: object) -> None:
    message = _with(SPOT[which], where, hostile)
    if isinstance(message, dict):
        result = decode_spot_message(message, 0)
        assert [spot_problem(e) for e in result.events] == [None] * len(result.events)


@FUZZ
@given(st.integers(0, len(GAMMA) - 1), st.integers(0, 10**6), HOSTILE)
def test_gamma_market_with_any_value_anywhere(which: int, where: int, hostile: object) -> None:
    market, event = GAMMA[which]
    result = map_market(_with(market, where, hostile), event)
    if not isinstance(result, Rejection):
        assert market_info_problem(result) is None


@FUZZ
@given(st.integers(0, len(BOOKS) - 1), st.integers(0, 10**6), HOSTILE)
def test_clob_book_with_any_value_anywhere(which: int, where: int, hostile: object) -> None:
    result = book_result(_with(BOOKS[which], where, hostile), "/book")
    if result.book is not None:
        assert market_event_problem(result.book) is None
