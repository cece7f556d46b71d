"""Category-aware lint: unknown keys, named missing semantics, exact types, value checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.contracts import (
    ContractError,
    contract_from_mapping,
    lint_contract,
)
from astra.domain.contracts.contract import Category
from astra.domain.contracts.schemas import SCHEMAS
from astra.domain.reasons import LintCode
from tests.domain.contracts.samples import (
    ALL_VALID,
    CRYPTO_CLOSE,
    CRYPTO_TOUCH,
    EVENT_OPS,
    RATES,
    WEATHER,
)

BOOL_FIELDS = {"inclusive", "early_resolution", "fifty_fifty"}


def _codes(mapping: object) -> set[tuple[str, str]]:
    return {(str(p.code), p.field) for p in lint_contract(mapping).problems}


@pytest.mark.parametrize("name", sorted(ALL_VALID))
def test_valid_samples_lint_clean(name: str) -> None:
    result = lint_contract(ALL_VALID[name])
    assert result.ok, result.detail()
    assert result.detail() == ""


def _corruptions(mapping: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    """Every single-field corruption of a valid mapping."""
    out: list[tuple[str, dict[str, object]]] = []
    for field, value in mapping.items():
        others = {k: v for k, v in mapping.items() if k != field}
        out.append((f"drop {field}", others))
        out.append((f"{field}=None", {**mapping, field: None}))
        out.append((f"{field}=1.5", {**mapping, field: 1.5}))
        out.append((f"{field}=''", {**mapping, field: ""}))
        out.append((f"{field}=[]", {**mapping, field: []}))
        out.append((f"{field}={{}}", {**mapping, field: {}}))
        wrong = 1 if field in BOOL_FIELDS else True
        out.append((f"{field}={wrong!r}", {**mapping, field: wrong}))
        out.append((f"rename {field}", {**others, field + "_x": value}))
    return out


@pytest.mark.parametrize("name", sorted(ALL_VALID))
def test_lint_rejects_every_single_field_corruption(name: str) -> None:
    for label, corrupted in _corruptions(ALL_VALID[name]):
        assert not lint_contract(corrupted).ok, f"{name}: {label} passed lint"


def test_optional_event_window_may_be_absent() -> None:
    assert lint_contract(EVENT_OPS).ok
    assert lint_contract({**EVENT_OPS, "window_start_ms": "2022-08-01T00:00:00Z"}).ok


@given(st.sampled_from(sorted(ALL_VALID)), st.text(min_size=1, max_size=12))
def test_any_unknown_key_fails(name: str, key: str) -> None:
    mapping = ALL_VALID[name]
    category = Category(str(mapping["category"]))
    if key in SCHEMAS[category]:
        return
    assert (str(LintCode.UNKNOWN_FIELD), key) in _codes({**mapping, key: "x"})


def test_missing_semantics_are_named_field_by_field() -> None:
    bare = {"category": "crypto_threshold", "market_id": CRYPTO_CLOSE["market_id"]}
    result = lint_contract(bare)
    missing = {p.field for p in result.problems if p.code is LintCode.MISSING_FIELD}
    assert missing == {
        "cutoff_ms",
        "underlying",
        "quote",
        "strike",
        "kind",
        "direction",
        "inclusive",
        "oracle_feed",
        "rounding",
        "finality",
    }
    oracle = next(p for p in result.problems if p.field == "oracle_feed")
    assert "price feed" in oracle.message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (85000.0, LintCode.INVALID_TYPE),
        (True, LintCode.INVALID_TYPE),
        ("NaN", LintCode.NON_FINITE),
        ("Infinity", LintCode.NON_FINITE),
        ("-5", LintCode.NOT_POSITIVE),
        (0, LintCode.NOT_POSITIVE),
        ("64k", LintCode.INVALID_VALUE),
    ],
)
def test_strike_must_be_exact_finite_positive(value: object, code: LintCode) -> None:
    assert (str(code), "strike") in _codes({**CRYPTO_CLOSE, "strike": value})


def test_defect_bool_level_passes_lint() -> None:
    """seed §1.20: "`level`: not an int → invalid_condition_level_type. A float such as 85000.0
    fails. **A bool passes**, since bool is an int subtype." Integer-only levels refuse both."""
    for field, sample in (("threshold", WEATHER), ("change_bps", RATES)):
        for bad in (True, False, 95.0):
            assert (str(LintCode.INVALID_TYPE), field) in _codes({**sample, field: bad})
    assert (str(LintCode.INVALID_TYPE), "strike") in _codes({**CRYPTO_CLOSE, "strike": True})


@pytest.mark.parametrize(
    ("cutoff", "code"),
    [
        ("2026-03-11", LintCode.DATE_ONLY_TIME),
        ("2026-03-11T16:00:00", LintCode.NAIVE_TIME),
        ("not-a-date", LintCode.INVALID_TIME),
        ("2026-03-11T16:00:00.000001Z", LintCode.INVALID_TIME),
        (0, LintCode.TIME_OUT_OF_RANGE),
        ("2150-01-01T00:00:00Z", LintCode.TIME_OUT_OF_RANGE),
        (1.7e12, LintCode.INVALID_TYPE),
    ],
)
def test_defect_naive_or_date_only_cutoff_passes(cutoff: object, code: LintCode) -> None:
    """seed §1.20 step 6: "Naive and date-only values pass (no timezone is enforced)"."""
    assert _codes({**CRYPTO_CLOSE, "cutoff_ms": cutoff}) == {(str(code), "cutoff_ms")}


def test_defect_no_value_checks_on_underlying_feed_or_market_id() -> None:
    """seed §5.6 B-18: "Lint makes no value checks: level > 0, cutoff in the future, known
    underlying, feed name"; B-19/B-5(3): nothing records which id space market_id uses."""
    assert (str(LintCode.INVALID_VALUE), "underlying") in _codes(
        {**CRYPTO_CLOSE, "underlying": "DOGE"}
    )
    assert (str(LintCode.INVALID_VALUE), "oracle_feed") in _codes(
        {**CRYPTO_CLOSE, "oracle_feed": "coingecko_v3"}
    )
    assert (str(LintCode.FEED_MISMATCH), "oracle_feed") in _codes(
        {**CRYPTO_CLOSE, "oracle_feed": "binance:ETHUSDT:1m_close"}
    )
    for gamma_id in ("512345", "0xABC", "0x" + "AB" * 32):
        assert (str(LintCode.INVALID_MARKET_ID), "market_id") in _codes(
            {**CRYPTO_CLOSE, "market_id": gamma_id}
        )


def test_defect_equality_condition_allowed() -> None:
    """seed §5.6 B-18: "`==` is allowed, although the estimator cannot model it"."""
    for op in ("==", ">=", "equal"):
        assert (str(LintCode.INVALID_VALUE), "direction") in _codes(
            {**CRYPTO_CLOSE, "direction": op}
        )


def test_defect_lint_stops_at_unsupported_category() -> None:
    """seed §1.20 step 1: "If category ≠ crypto_threshold, return immediately with
    unsupported_category" — the other planned categories now have schemas."""
    for sample in (RATES, EVENT_OPS, WEATHER):
        assert lint_contract(sample).ok
    assert _codes({**CRYPTO_CLOSE, "category": "sports"}) == {
        (str(LintCode.UNKNOWN_CATEGORY), "category")
    }


def test_touch_needs_window_close_forbids_one() -> None:
    touch = {k: v for k, v in CRYPTO_TOUCH.items() if k != "window_start_ms"}
    assert _codes(touch) == {(str(LintCode.MISSING_FIELD), "window_start_ms")}
    late = {**CRYPTO_TOUCH, "window_start_ms": CRYPTO_TOUCH["cutoff_ms"]}
    assert _codes(late) == {(str(LintCode.INVALID_WINDOW), "window_start_ms")}
    windowed_close = {**CRYPTO_CLOSE, "window_start_ms": "2026-03-10T16:00:00Z"}
    assert _codes(windowed_close) == {(str(LintCode.WINDOW_NOT_ALLOWED), "window_start_ms")}


def test_category_cross_rules() -> None:
    assert (str(LintCode.INCONSISTENT), "change_bps") in _codes({**RATES, "action": "hold"})
    assert (str(LintCode.INCONSISTENT), "change_bps") in _codes({**RATES, "change_bps": 0})
    assert lint_contract({**RATES, "action": "hold", "change_bps": 0}).ok
    assert (str(LintCode.INCONSISTENT), "unit") in _codes({**WEATHER, "unit": "mm"})
    assert (str(LintCode.NOT_AN_OBJECT), "") in _codes(["not", "a", "mapping"])
    assert (str(LintCode.MISSING_FIELD), "category") in _codes({})


def test_contract_from_mapping_names_every_problem() -> None:
    with pytest.raises(ContractError) as caught:
        contract_from_mapping({**CRYPTO_CLOSE, "strike": 1.5, "rounding": "bankers_round"})
    assert caught.value.result.detail() == "invalid_type:strike|invalid_value:rounding"


def test_lint_codes_are_central_reason_strings() -> None:
    """seed §5.6 B-38: lint had inline strings; every code is a LintCode from reasons.py."""
    corrupted = {**CRYPTO_CLOSE, "strike": 1.5, "extra": 1, "underlying": "DOGE"}
    problems = lint_contract(corrupted).problems
    assert len(problems) == 3
    assert all(type(p.code) is LintCode for p in problems)
