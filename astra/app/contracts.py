"""Each market's definition contract, built from its Gamma metadata or given by the user.

At start the composition root builds a `ContractPlan`: the user's contracts file
(`[contracts] file`, TOML or JSON; validated as a whole, so one bad entry fails the start
with one line) is registered first and overrides; every other market gets the contract its
builder (`astra.domain.contract_builders`) makes, through the same `ContractRegistry` lint.
A market without one is not traded: the plan keeps the builder's named reason, which the
market journals in every decision (SKIP `no_contract`, detail `<reason>: <detail>`) and the
metrics count (`astra_contracts_missing{reason}`). One market without a contract never stops
the start.
"""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from astra.domain import metrics_port as mp
from astra.domain.contract_builders import build_contract
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.registry import ContractRegistry, RegistryError, parse_contract_entries
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import MetricsSink
from astra.settings import Settings, SettingsError

_log = logging.getLogger("astra.app.contracts")


@dataclass(frozen=True, slots=True)
class ContractPlan:
    """Linted contracts by condition id, and why every other market has none."""

    contracts: dict[str, DefinitionContract] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # condition id -> named reason
    from_file: frozenset[str] = frozenset()  # condition ids whose contract the user gave

    def facts(self) -> dict[str, object]:
        return {
            "with_contract": len(self.contracts),
            "from_file": len(self.from_file),
            "without": self.reason_counts(),
        }

    def reason_counts(self) -> dict[str, int]:
        reasons: dict[str, int] = {}
        for reason in self.missing.values():
            name = reason.split(":", 1)[0]
            reasons[name] = reasons.get(name, 0) + 1
        return dict(sorted(reasons.items()))


def load_contract_file(path: str) -> tuple[DefinitionContract, ...]:
    """The user's contracts: a JSON list, or TOML `[[contract]]` tables. Any problem (no such
    file, bad syntax, an entry that does not lint clean) is a SettingsError of one line."""
    if not path:
        return ()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"[contracts] file {path}: {exc.strerror or exc}") from exc
    try:
        entries = _entries(file, text)
        return parse_contract_entries(entries)
    except RegistryError as exc:
        raise SettingsError(f"[contracts] file {path}: {exc}") from exc
    except (ValueError, TypeError) as exc:  # TOMLDecodeError and JSONDecodeError included
        raise SettingsError(f"[contracts] file {path}: {' '.join(str(exc).split())}") from exc


def _entries(file: Path, text: str) -> list[object]:
    if file.suffix.lower() == ".toml":
        table = tomllib.loads(text)
        unknown = sorted(set(table) - {"contract"})
        if unknown:
            raise ValueError(f"unknown top-level keys {unknown} (expected [[contract]] tables)")
        entries = table.get("contract", [])
        if not isinstance(entries, list):
            raise TypeError("contract must be an array of tables ([[contract]])")
        return list(entries)
    loaded = json.loads(text)
    if not isinstance(loaded, list):
        raise TypeError(f"expected a JSON list, got {type(loaded).__name__}")
    return loaded


def contract_plan(
    markets: Sequence[MarketInfo], user: Sequence[DefinitionContract] = ()
) -> ContractPlan:
    registry = ContractRegistry()
    for contract in user:
        registry.register(contract)
    plan = ContractPlan(from_file=frozenset(c.market_id for c in user))
    for info in markets:
        if info.condition_id in registry:
            continue
        built = build_contract(info)
        if built.contract is None:
            plan.missing[info.condition_id] = built.why()
            continue
        try:
            registry.register(built.contract)
        except RegistryError as exc:
            plan.missing[info.condition_id] = f"lint_failed: {exc}"
    for info in markets:
        held = registry.get(info.condition_id)
        if held is not None:
            plan.contracts[info.condition_id] = held
        reason = plan.missing.get(info.condition_id)
        if reason is not None:
            _log.info("no contract for %s (%s): %s", info.condition_id, info.category, reason)
    _log.info("definition contracts: %s", plan.facts())
    return plan


def settings_contract_plan(
    settings: Settings, markets: Sequence[MarketInfo], metrics: MetricsSink | None = None
) -> ContractPlan:
    plan = contract_plan(markets, load_contract_file(settings.contracts.file))
    if metrics is not None:
        for reason, count in plan.reason_counts().items():
            metrics.set(mp.CONTRACTS_MISSING, float(count), {"reason": reason})
        user = len(plan.from_file & set(plan.contracts))
        metrics.set(mp.CONTRACTS, float(user), {"source": "file"})
        metrics.set(mp.CONTRACTS, float(len(plan.contracts) - user), {"source": "built"})
    return plan
