"""DefinitionContract immutability and the definition hash."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.contracts import (
    Category,
    CryptoThresholdContract,
    DefinitionContract,
    Direction,
    Kind,
    canonical_json,
    contract_from_mapping,
    definition_hash,
    format_instant,
    parse_instant,
    to_mapping,
)
from tests.domain.contracts.samples import ALL_VALID, CRYPTO_CLOSE, OTHER_MARKET

SCALARS = (str, int, Decimal, bool)


def _btc_close() -> DefinitionContract:
    return contract_from_mapping(CRYPTO_CLOSE)


@pytest.mark.parametrize("name", sorted(ALL_VALID))
def test_every_category_builds_a_hashable_scalar_only_contract(name: str) -> None:
    contract = contract_from_mapping(ALL_VALID[name])
    assert contract.category is Category(ALL_VALID[name]["category"])
    assert hash(contract) == hash(contract_from_mapping(dict(ALL_VALID[name])))
    for item in dataclasses.fields(contract):
        value = getattr(contract, item.name)
        assert value is None or isinstance(value, SCALARS), item.name


def test_defect_mutable_dict_inside_frozen_contract() -> None:
    """seed §5.6 B-18: "The dict fields stay mutable after hashing, and hash(contract) raises
    TypeError." Every field is a scalar; assignment is refused; hash() works."""
    contract = _btc_close()
    with pytest.raises(dataclasses.FrozenInstanceError):
        contract.strike = Decimal(1)  # type: ignore[misc]
    assert {contract: 1}[contract] == 1
    assert not any(isinstance(v, dict | list | set) for v in to_mapping(contract).values())


def test_crypto_contract_fields_are_typed() -> None:
    contract = _btc_close()
    assert isinstance(contract, CryptoThresholdContract)
    assert contract.strike == Decimal(64000)
    assert contract.kind is Kind.CLOSE
    assert contract.direction is Direction.ABOVE
    assert contract.cutoff_ms == 1_773_244_800_000
    assert contract.window_start_ms is None


def test_hash_is_sha256_of_sorted_compact_json() -> None:
    contract = _btc_close()
    text = canonical_json(contract)
    assert " " not in text
    assert text.startswith('{"category":"crypto_threshold","cutoff_ms":1773244800000,')
    assert '"strike":"64000"' in text
    assert re.fullmatch(r"[0-9a-f]{64}", definition_hash(contract))
    assert definition_hash(contract) == definition_hash(CRYPTO_CLOSE)


def test_defect_hash_depends_on_iso_spelling() -> None:
    """seed §5.6 B-18: "ISO spelling changes the hash (`Z` vs `+00:00`)"."""
    spellings = [
        "2026-03-11T16:00:00Z",
        "2026-03-11T16:00:00+00:00",
        "2026-03-11T12:00:00-04:00",
        "2026-03-11T16:00:00.000Z",
        1_773_244_800_000,
    ]
    hashes = {definition_hash({**CRYPTO_CLOSE, "cutoff_ms": s}) for s in spellings}
    assert len(hashes) == 1


def test_defect_int_and_float_level_hash_differently() -> None:
    """seed §1.18 caveat: "an int level and an equal float level give different JSON". Equal
    exact spellings hash equal; the float spelling is not accepted at all (lint fails)."""
    spellings = [64000, "64000", "64000.0", "64000.00", Decimal("6.4E+4")]
    assert len({definition_hash({**CRYPTO_CLOSE, "strike": s}) for s in spellings}) == 1
    with pytest.raises(ValueError, match="invalid_type:strike"):
        contract_from_mapping({**CRYPTO_CLOSE, "strike": 64000.0})


@given(st.permutations(sorted(CRYPTO_CLOSE)))
def test_hash_invariant_under_key_order(order: list[str]) -> None:
    shuffled = {key: CRYPTO_CLOSE[key] for key in order}
    assert definition_hash(shuffled) == definition_hash(CRYPTO_CLOSE)


@given(
    st.integers(min_value=1_300_000_000_000, max_value=4_000_000_000_000),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_hash_invariant_under_timestamp_spelling(millis: int, offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    spelled = moment.astimezone(zone).isoformat()
    assert parse_instant(spelled) == millis
    base = {**CRYPTO_CLOSE, "cutoff_ms": millis}
    assert definition_hash({**base, "cutoff_ms": spelled}) == definition_hash(base)
    assert parse_instant(format_instant(millis)) == millis


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("market_id", OTHER_MARKET),
        ("strike", 64001),
        ("direction", "below"),
        ("kind", "touch"),
        ("cutoff_ms", "2026-03-11T16:00:00.001Z"),
        ("oracle_feed", "binance:BTCUSDT:1m_high"),
        ("inclusive", True),
    ],
)
def test_hash_changes_with_every_meaningful_field(field: str, value: object) -> None:
    assert definition_hash({**CRYPTO_CLOSE, field: value}) != definition_hash(CRYPTO_CLOSE)


def test_contract_round_trips_through_its_mapping() -> None:
    for mapping in ALL_VALID.values():
        contract = contract_from_mapping(mapping)
        again = contract_from_mapping(to_mapping(contract))
        assert again == contract
        assert definition_hash(again) == definition_hash(mapping)
