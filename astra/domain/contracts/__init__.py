"""Definition contracts: what a market resolves on, linted, hashed, registered and gated."""

from astra.domain.contracts.canonical import canonical_json, canonical_mapping, definition_hash
from astra.domain.contracts.contract import (
    Category,
    CryptoThresholdContract,
    DefinitionContract,
    Direction,
    EventOpsContract,
    Kind,
    RateAction,
    RatesEventContract,
    WeatherExceedanceContract,
    to_mapping,
)
from astra.domain.contracts.definition_gate import definition_gate
from astra.domain.contracts.instants import format_instant, parse_instant
from astra.domain.contracts.lint import (
    ContractError,
    LintProblem,
    LintResult,
    contract_from_mapping,
    lint_contract,
)
from astra.domain.contracts.registry import (
    ContractRegistry,
    EntryProblem,
    RegistryError,
    parse_contract_entries,
    parse_contract_list,
)

__all__ = [
    "Category",
    "ContractError",
    "ContractRegistry",
    "CryptoThresholdContract",
    "DefinitionContract",
    "Direction",
    "EntryProblem",
    "EventOpsContract",
    "Kind",
    "LintProblem",
    "LintResult",
    "RateAction",
    "RatesEventContract",
    "RegistryError",
    "WeatherExceedanceContract",
    "canonical_json",
    "canonical_mapping",
    "contract_from_mapping",
    "definition_gate",
    "definition_hash",
    "format_instant",
    "lint_contract",
    "parse_contract_entries",
    "parse_contract_list",
    "parse_instant",
    "to_mapping",
]
