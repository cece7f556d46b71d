"""Each market's definition contract, parsed from its own question, and the strategy plan.

Only contracts that parse *and* lint clean are handed to the engine (`EngineParts.contracts`);
a market whose question does not parse, or parses into something that fails lint, gets no
contract, so strategy routing falls to its category (the maker by default) and a strategy
that needs a contract skips it with `no_contract`. One market without a contract never stops
the start: it is logged with its named reason and the rest trade as configured.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.lint import lint_contract
from astra.domain.market import MarketInfo
from astra.domain.question_parser import parse_market
from astra.domain.reasons import ParseVeto

_log = logging.getLogger("astra.app.contracts")


@dataclass(frozen=True, slots=True)
class ContractPlan:
    """Linted contracts by condition id, and why every other market has none."""

    contracts: dict[str, DefinitionContract] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # condition id -> named reason

    def facts(self) -> dict[str, object]:
        reasons: dict[str, int] = {}
        for reason in self.missing.values():
            name = reason.split(":", 1)[0]
            reasons[name] = reasons.get(name, 0) + 1
        return {"with_contract": len(self.contracts), "without": dict(sorted(reasons.items()))}


def linted_contracts(markets: Sequence[MarketInfo]) -> ContractPlan:
    plan = ContractPlan()
    for info in markets:
        try:
            result = parse_market(info)
        except (ValueError, ArithmeticError) as exc:  # a question the parser chokes on
            plan.missing[info.condition_id] = f"parse_error: {type(exc).__name__}: {exc}"
            continue
        contract = result.contract
        if contract is None:
            veto = result.veto or ParseVeto.LINT_FAILED
            plan.missing[info.condition_id] = f"{veto}: {result.detail}"
            continue
        lint = lint_contract(contract)
        if not lint.ok:
            plan.missing[info.condition_id] = f"{ParseVeto.LINT_FAILED}: {lint.detail()}"
            continue
        plan.contracts[info.condition_id] = contract
    for info in markets:
        reason = plan.missing.get(info.condition_id)
        if reason is not None:
            # Crypto markets are expected to parse: say why one did not, at INFO.
            level = logging.INFO if info.category == "crypto" else logging.DEBUG
            _log.log(level, "no contract for %s (%s): %s", info.condition_id, info.category, reason)
    _log.info("definition contracts: %s", plan.facts())
    return plan
