"""Canonical JSON and the definition hash.

definition_hash = SHA-256 hex of the canonical JSON: sorted keys, no spaces, values in
normal form (times as int ms UTC, exact numbers as plain decimal text, enums as their
value). Equivalent spellings of the same contract (key order, "Z" vs "+00:00", 64000 vs
"64000.0") therefore hash the same (the original's did not, B-18).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.lint import normalised_fields


def _plain(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return value


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        return str(value)
    text = f"{value.normalize():f}"
    return text


def canonical_mapping(contract: DefinitionContract | Mapping[str, object]) -> dict[str, object]:
    return {key: _plain(value) for key, value in normalised_fields(contract).items()}


def canonical_json(contract: DefinitionContract | Mapping[str, object]) -> str:
    return json.dumps(
        canonical_mapping(contract),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=repr,  # anything exotic is hashed by its repr rather than crashing
    )


def definition_hash(contract: DefinitionContract | Mapping[str, object]) -> str:
    return hashlib.sha256(canonical_json(contract).encode("utf-8")).hexdigest()
