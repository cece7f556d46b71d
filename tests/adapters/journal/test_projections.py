"""`project` takes orjson's parse for the common kinds; it must decide exactly what the
stdlib parse decides (the same row, or a PayloadError with the same message)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.adapters.journal.projections import PayloadError, _project_stdlib, project
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.adapters.journal import factories as f

# Values a projected field could hold, valid or not: the integers straddle orjson's 64-bit
# range, the strings include escapes and a lone surrogate (which orjson refuses to parse).
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["\ud800", 'q"\\', "é"]),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELDS = {
    RecordKind.DECISION: ("action", "run_id", "definition_hash", "schema_version"),
    RecordKind.ORDER_EVENT: (
        *("order_id", "asset_id", "side", "price", "size", "filled", "state", "reason"),
    ),
    RecordKind.FILL: (
        *("fill_id", "order_id", "asset_id", "side", "price", "size", "fee", "liquidity"),
    ),
    RecordKind.LEDGER: ("cash", "fees", "realised", "positions", "opening_cash", "fills"),
}
GOOD: dict[RecordKind, JournalRecord] = {
    RecordKind.DECISION: f.decision("p", 1),
    RecordKind.ORDER_EVENT: f.order_event("p", 1, "o1"),
    RecordKind.FILL: f.fill("p", 1, "f1", "o1"),
    RecordKind.LEDGER: f.ledger("p", 1, cash=5, fills=0),
}


def _outcome(extract: Any, record: JournalRecord) -> object:
    try:
        return ("row", extract(record))
    except PayloadError as exc:
        return ("error", str(exc))


def _with(kind: RecordKind, changes: dict[str, Any], raw: bool) -> JournalRecord:
    base = GOOD[kind]
    data = base.data() | changes
    text = json.dumps(data, ensure_ascii=raw) if raw else json.dumps(data)
    return JournalRecord(base.producer, base.seq, kind, base.ts_ms, base.market, text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(FIELDS)),
    st.data(),
    st.booleans(),
)
def test_fast_projection_decides_like_the_stdlib(
    kind: RecordKind, data: st.DataObject, raw: bool
) -> None:
    fields = FIELDS[kind]
    changes = data.draw(st.dictionaries(st.sampled_from(fields), VALUES, max_size=3))
    record = _with(kind, changes, raw)
    assert _outcome(project, record) == _outcome(_project_stdlib, record)


@pytest.mark.parametrize(
    "payload",
    ['{"a": NaN}', "[1, 2]", "not json", '{"price": 1e400}', "", '{"action": Infinity}'],
)
@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_texts_orjson_refuses_fall_back_to_the_stdlib(kind: RecordKind, payload: str) -> None:
    record = JournalRecord("p", 1, kind, 1, "m", payload)
    assert _outcome(project, record) == _outcome(_project_stdlib, record)


def test_integers_beyond_64_bits_keep_their_exact_value() -> None:
    """orjson would parse 2**70 to a float; the row must carry the integer the stdlib reads."""
    record = _with(RecordKind.FILL, {"price": 2**70}, raw=False)
    assert project(record)[8] == 2**70
