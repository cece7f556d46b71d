"""The lint-gated registry, loading a JSON list, and the fail-closed definition gate."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from astra.domain.contracts import (
    ContractRegistry,
    CryptoThresholdContract,
    RegistryError,
    contract_from_mapping,
    definition_gate,
    definition_hash,
    parse_contract_list,
)
from astra.domain.reasons import GateVeto, LintCode
from tests.domain.contracts.samples import ALL_VALID, CRYPTO_CLOSE, CRYPTO_TOUCH, MARKET, RATES


def _btc() -> CryptoThresholdContract:
    contract = contract_from_mapping(CRYPTO_CLOSE)
    assert isinstance(contract, CryptoThresholdContract)
    return contract


def test_register_and_lookup_by_market_id() -> None:
    registry = ContractRegistry()
    contract = _btc()
    assert registry.register(contract) == definition_hash(contract)
    assert registry.get(MARKET) is contract
    assert MARKET in registry
    assert len(registry) == 1
    assert list(registry) == [contract]
    assert registry.get("0x" + "00" * 32) is None


def test_only_linted_contracts_get_in() -> None:
    registry = ContractRegistry()
    broken = dataclasses.replace(_btc(), strike=Decimal(-1), oracle_feed="")
    with pytest.raises(RegistryError) as caught:
        registry.register(broken)
    codes = {(str(p.problem.code), p.problem.field) for p in caught.value.problems}
    assert codes == {("not_positive", "strike"), ("invalid_value", "oracle_feed")}
    assert len(registry) == 0


def test_defect_registry_silently_overwrites_duplicates() -> None:
    """seed §5.6 B-19: "The registry silently overwrites duplicates"."""
    registry = ContractRegistry()
    registry.register(_btc())
    registry.register(_btc())  # the same contract again is idempotent
    other = dataclasses.replace(_btc(), strike=Decimal(70000))
    with pytest.raises(RegistryError, match="duplicate_market"):
        registry.register(other)
    contract = registry.get(MARKET)
    assert contract is not None
    assert isinstance(contract, CryptoThresholdContract)
    assert contract.strike == Decimal(64000)


def test_from_json_list_loads_every_category() -> None:
    entries = [CRYPTO_CLOSE, RATES]
    registry = ContractRegistry.from_json_list(json.dumps(entries))
    assert len(registry) == 2
    assert registry.get(str(RATES["market_id"])) == contract_from_mapping(RATES)


def test_defect_loader_keeps_entries_before_the_error() -> None:
    """seed §1.22: "Contracts registered before the error stay in the registry" — loading is
    all-or-nothing, and every problem of every entry is reported."""
    bad = {**RATES, "change_bps": 25.0, "surprise": 1}
    text = json.dumps([CRYPTO_CLOSE, bad, "nope"])
    with pytest.raises(RegistryError) as caught:
        ContractRegistry.from_json_list(text)
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith("entry 1") and "invalid_type:change_bps" in line for line in lines)
    assert any(line.startswith("entry 1") and "unknown_field:surprise" in line for line in lines)
    assert any(line.startswith("entry 2") and "not_an_object" in line for line in lines)
    assert len(lines) == 3


def test_duplicate_market_in_a_file_is_refused() -> None:
    text = json.dumps([CRYPTO_CLOSE, CRYPTO_TOUCH])
    with pytest.raises(RegistryError) as caught:
        parse_contract_list(text)
    assert [p.problem.code for p in caught.value.problems] == [LintCode.DUPLICATE_MARKET]
    assert caught.value.problems[0].index == 1


@pytest.mark.parametrize("text", ["{not json", '{"a": 1}', "3", ""])
def test_file_that_is_not_a_json_list(text: str) -> None:
    with pytest.raises(RegistryError) as caught:
        parse_contract_list(text)
    assert caught.value.problems[0].problem.code is LintCode.INVALID_JSON


def test_empty_list_is_an_empty_registry() -> None:
    assert len(ContractRegistry.from_json_list("[]")) == 0


def test_gate_vetoes_missing_contract() -> None:
    verdict = definition_gate(None)
    assert not verdict.passed
    assert verdict.gate == "definition"
    assert verdict.reason is GateVeto.NO_CONTRACT


@pytest.mark.parametrize("name", sorted(ALL_VALID))
def test_gate_passes_clean_contract_with_its_hash(name: str) -> None:
    contract = contract_from_mapping(ALL_VALID[name])
    verdict = definition_gate(contract)
    assert verdict.passed
    assert verdict.reason is None
    assert verdict.detail == definition_hash(contract)


def test_defect_gate_trusts_registered_contracts() -> None:
    """seed §1.23: "a contract inserted by bypassing `register` gives a reason starting with
    definition_incomplete" — the gate re-lints and names every missing piece."""
    broken = dataclasses.replace(
        _btc(), oracle_feed=None, finality=None, strike=85000.0, kind="touch"
    )  # type: ignore[arg-type]
    verdict = definition_gate(broken)
    assert not verdict.passed
    assert verdict.reason is GateVeto.CONTRACT_LINT_FAILED
    assert verdict.detail == (
        "invalid_type:strike|missing_field:oracle_feed|missing_field:finality"
        "|missing_field:window_start_ms"
    )


def test_gate_vetoes_a_contract_whose_cutoff_passed() -> None:
    contract = _btc()
    assert definition_gate(contract, now_ms=contract.cutoff_ms - 1).passed
    late = definition_gate(contract, now_ms=contract.cutoff_ms)
    assert late.reason is GateVeto.MARKET_CLOSED
