"""Category-aware lint of a contract (object or mapping): every problem, each named.

Lint never stops at the first problem (except when the category itself is unknown, since
then no schema applies), so a veto can name every missing piece at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from astra.domain.contracts.contract import (
    CONTRACT_TYPES,
    Category,
    DefinitionContract,
    to_mapping,
)
from astra.domain.contracts.rules import RULES
from astra.domain.contracts.schemas import SCHEMAS
from astra.domain.reasons import LintCode


@dataclass(frozen=True, slots=True)
class LintProblem:
    code: LintCode
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}:{self.field}"


@dataclass(frozen=True, slots=True)
class LintResult:
    problems: tuple[LintProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def detail(self) -> str:
        """Every problem as code:field, joined by '|' (empty when ok)."""
        return "|".join(str(problem) for problem in self.problems)


@dataclass(frozen=True, slots=True)
class _Checked:
    result: LintResult
    category: Category | None
    values: dict[str, object]  # normalised values of the fields that passed


class ContractError(ValueError):
    """A mapping that does not lint clean cannot become a contract."""

    def __init__(self, result: LintResult) -> None:
        super().__init__(f"contract failed lint: {result.detail()}")
        self.result = result


def lint_contract(contract: DefinitionContract | Mapping[str, object] | object) -> LintResult:
    return _check(contract).result


def normalised_fields(contract: DefinitionContract | Mapping[str, object]) -> dict[str, object]:
    """Fields in normalised form where they check out, raw otherwise (for hashing)."""
    raw = _as_mapping(contract)
    checked = _check(contract)
    merged = dict(raw) if raw is not None else {}
    merged.update(checked.values)
    return {key: value for key, value in merged.items() if value is not None}


def contract_from_mapping(mapping: Mapping[str, object]) -> DefinitionContract:
    """Build the typed contract; raises ContractError naming every problem."""
    checked = _check(mapping)
    if not checked.result.ok or checked.category is None:
        raise ContractError(checked.result)
    values = {key: value for key, value in checked.values.items() if key != "category"}
    return CONTRACT_TYPES[checked.category](**values)  # type: ignore[arg-type]


def _as_mapping(contract: object) -> Mapping[str, object] | None:
    if isinstance(contract, DefinitionContract):
        return to_mapping(contract)
    if isinstance(contract, Mapping) and all(isinstance(key, str) for key in contract):
        return contract
    return None


def _problem(code: LintCode, field: str, message: str) -> LintProblem:
    return LintProblem(code, field, message)


def _check(contract: object) -> _Checked:
    mapping = _as_mapping(contract)
    if mapping is None:
        problem = _problem(LintCode.NOT_AN_OBJECT, "", "a contract is an object of named fields")
        return _Checked(LintResult((problem,)), None, {})
    raw_category = mapping.get("category")
    if raw_category is None:
        problem = _problem(LintCode.MISSING_FIELD, "category", "missing category")
        return _Checked(LintResult((problem,)), None, {})
    if not isinstance(raw_category, str) or raw_category not in set(Category):
        problem = _problem(LintCode.UNKNOWN_CATEGORY, "category", f"{raw_category!r}")
        return _Checked(LintResult((problem,)), None, {})
    category = Category(raw_category)
    problems, values = _check_fields(category, mapping)
    for code, field, message in RULES[category](values):
        problems.append(_problem(code, field, message))
    return _Checked(LintResult(tuple(problems)), category, values)


def _check_fields(
    category: Category, mapping: Mapping[str, object]
) -> tuple[list[LintProblem], dict[str, object]]:
    schema = SCHEMAS[category]
    problems = [
        _problem(LintCode.UNKNOWN_FIELD, key, f"{key} is not a {category} field")
        for key in sorted(set(mapping) - set(schema))
    ]
    values: dict[str, object] = {}
    for name, spec in schema.items():
        value = mapping.get(name)
        if value is None:
            if spec.required:
                problems.append(_problem(LintCode.MISSING_FIELD, name, f"missing: {spec.meaning}"))
            continue
        checked = spec.check(value)
        if isinstance(checked, LintCode):
            problems.append(_problem(checked, name, f"{name}={value!r}: {spec.meaning}"))
        else:
            values[name] = checked
    return problems, values
