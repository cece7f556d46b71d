"""ContractRegistry: linted contracts by market condition id.

Only a contract that lints clean gets in. Registering a *different* contract for an id that
is already present is refused (the original silently overwrote, B-19); registering the
same contract again is a no-op. Loading a JSON list is all-or-nothing: every problem in
every entry is collected, and nothing is registered unless all entries are clean (the
original kept the entries before the first error, B-21/§1.22).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from astra.domain.contracts.canonical import definition_hash
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.lint import LintProblem, contract_from_mapping, lint_contract
from astra.domain.reasons import LintCode


@dataclass(frozen=True, slots=True)
class EntryProblem:
    index: int  # position in the JSON list (-1: the file as a whole)
    market_id: str
    problem: LintProblem

    def __str__(self) -> str:
        where = "file" if self.index < 0 else f"entry {self.index}"
        ident = f" ({self.market_id})" if self.market_id else ""
        return f"{where}{ident}: {self.problem} ({self.problem.message})"


class RegistryError(ValueError):
    def __init__(self, problems: tuple[EntryProblem, ...]) -> None:
        super().__init__(f"{len(problems)} contract problem(s): " + "; ".join(map(str, problems)))
        self.problems = problems


class ContractRegistry:
    def __init__(self) -> None:
        self._by_market: dict[str, DefinitionContract] = {}

    def register(self, contract: DefinitionContract) -> str:
        """Add a lint-clean contract; returns its definition hash."""
        result = lint_contract(contract)
        if not result.ok:
            raise RegistryError(
                tuple(EntryProblem(-1, contract.market_id, p) for p in result.problems)
            )
        existing = self._by_market.get(contract.market_id)
        if existing is not None and existing != contract:
            duplicate = LintProblem(
                LintCode.DUPLICATE_MARKET, "market_id", "a different contract is registered"
            )
            raise RegistryError((EntryProblem(-1, contract.market_id, duplicate),))
        self._by_market[contract.market_id] = contract
        return definition_hash(contract)

    def get(self, market_id: str) -> DefinitionContract | None:
        return self._by_market.get(market_id)

    def __contains__(self, market_id: object) -> bool:
        return market_id in self._by_market

    def __len__(self) -> int:
        return len(self._by_market)

    def __iter__(self) -> Iterator[DefinitionContract]:
        return iter(tuple(self._by_market.values()))

    @classmethod
    def from_json_list(cls, text: str) -> ContractRegistry:
        """A registry from a JSON list of contract objects, or RegistryError with every problem."""
        registry = cls()
        for contract in parse_contract_list(text):
            registry.register(contract)
        return registry


def parse_contract_list(text: str) -> tuple[DefinitionContract, ...]:
    """Every entry of a JSON list as a contract; RegistryError lists all problems of all entries."""
    return parse_contract_entries(_load_list(text))


def parse_contract_entries(entries: list[object]) -> tuple[DefinitionContract, ...]:
    """Every entry (already decoded: JSON or TOML) as a contract, or RegistryError listing
    all problems of all entries (nothing is half-loaded)."""
    problems: list[EntryProblem] = []
    contracts: list[DefinitionContract] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        ident = _market_id_of(entry)
        result = lint_contract(entry)
        problems += [EntryProblem(index, ident, p) for p in result.problems]
        if ident and ident in seen:
            problems.append(EntryProblem(index, ident, _duplicate(seen[ident])))
        seen.setdefault(ident, index)
        if result.ok and isinstance(entry, Mapping):
            contracts.append(contract_from_mapping(entry))
    if problems:
        raise RegistryError(tuple(problems))
    return tuple(contracts)


def _duplicate(first_index: int) -> LintProblem:
    return LintProblem(
        LintCode.DUPLICATE_MARKET, "market_id", f"market already defined by entry {first_index}"
    )


def _market_id_of(entry: object) -> str:
    if isinstance(entry, Mapping):
        value = entry.get("market_id")
        if isinstance(value, str):
            return value
    return ""


def _load_list(text: str) -> list[object]:
    try:
        loaded = json.loads(text)
    except ValueError as exc:
        problem = LintProblem(LintCode.INVALID_JSON, "", f"not JSON: {exc}")
        raise RegistryError((EntryProblem(-1, "", problem),)) from exc
    if not isinstance(loaded, list):
        problem = LintProblem(
            LintCode.INVALID_JSON, "", f"expected a JSON list, got {type(loaded).__name__}"
        )
        raise RegistryError((EntryProblem(-1, "", problem),))
    return loaded
