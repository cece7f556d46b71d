"""canonical_json: sorted keys, no spaces, no NaN/inf, the same text on every path."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.journal_record import JournalRecord, RecordKind, canonical_json


class _List(list[Any]):
    pass


def _stdlib(payload: Any) -> str:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False
    )


def test_sorted_keys_no_spaces_same_as_stdlib() -> None:
    payload = {
        "b": 1,
        "a": {"z": [1, 2, (3, 4)], "y": None, "x": True},
        "c": "text",
        "d": 0.5,
        "e": -7,
    }
    text = canonical_json(payload)
    assert text == '{"a":{"x":true,"y":null,"z":[1,2,[3,4]]},"b":1,"c":"text","d":0.5,"e":-7}'
    assert text == _stdlib(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"x": math.nan},
        {"x": math.inf},
        {"x": [1, {"y": -math.inf}]},
        {"x": (None, math.nan)},
        {"outer": {"inner": {"deep": [None, [math.nan]]}}},
        # orjson writes dict and list subclasses (a NaN inside as null): still refused.
        {"x": OrderedDict(y=math.nan)},
        {"x": [None, _List([1.0, math.inf])]},
    ],
)
def test_non_finite_floats_are_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        canonical_json(payload)


def test_null_without_non_finite_is_fine() -> None:
    assert canonical_json({"a": None, "b": [None, 1.0]}) == '{"a":null,"b":[null,1.0]}'


def test_non_ascii_text_is_utf8_on_both_paths() -> None:
    fast = canonical_json({"q": "Will BTC ≥ 100k? é"})
    # A 65-bit integer sends the same text through the stdlib fallback.
    slow = canonical_json({"q": "Will BTC ≥ 100k? é", "n": 2**64})
    assert fast == '{"q":"Will BTC ≥ 100k? é"}'
    assert slow == '{"n":18446744073709551616,"q":"Will BTC ≥ 100k? é"}'


def test_fallback_converts_or_raises_like_stdlib() -> None:
    assert canonical_json({"k": {2: "b", 1: "a"}}) == _stdlib({"k": {2: "b", 1: "a"}})

    class Finite(float):
        pass

    with pytest.raises(ValueError, match="not JSON compliant"):
        canonical_json({"x": Finite("nan")})

    @dataclass
    class Point:
        x: int

    with pytest.raises(TypeError):
        canonical_json({"p": Point(1)})
    with pytest.raises(TypeError):
        canonical_json({"s": {1, 2}})


def test_record_round_trips_its_payload() -> None:
    payload = {"b": [1, 2], "a": "ü", "c": {"d": None, "e": 0.25}}
    record = JournalRecord.build("m", 3, RecordKind.DECISION, 10, "mkt", payload)
    assert record.payload == canonical_json(payload)
    assert record.data() == payload


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text(max_size=4), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_refuses_exactly_what_the_stdlib_refuses_and_writes_the_same_values(value: Any) -> None:
    """For arbitrary JSON-like payloads: ValueError iff the stdlib (allow_nan=False) raises,
    and otherwise text that parses back to the stdlib's value."""
    payload = {"v": value}
    try:
        want = _stdlib(payload)
    except ValueError:
        with pytest.raises(ValueError, match="not JSON compliant"):
            canonical_json(payload)
        return
    assert json.loads(canonical_json(payload)) == json.loads(want)
