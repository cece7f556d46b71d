"""The definition gate: no clean contract, no trade.

Lint runs again here on purpose: a contract can reach a market without the registry (a
test, a restart path), and the gate must not trust where it came from. The veto names
every problem at once, e.g. "missing_field:oracle_feed|missing_field:finality".
"""

from __future__ import annotations

from astra.domain.contracts.canonical import definition_hash
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.lint import lint_contract
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

GATE = "definition"


def definition_gate(contract: DefinitionContract | None, *, now_ms: int | None = None) -> Verdict:
    """ok with the definition hash as detail, or a veto naming every missing piece.

    With `now_ms`, a contract whose cutoff has passed is vetoed as MARKET_CLOSED.
    """
    if contract is None:
        return Verdict.veto(GATE, GateVeto.NO_CONTRACT, "no definition contract for this market")
    result = lint_contract(contract)
    if not result.ok:
        return Verdict.veto(GATE, GateVeto.CONTRACT_LINT_FAILED, result.detail())
    if now_ms is not None and contract.cutoff_ms <= now_ms:
        return Verdict.veto(GATE, GateVeto.MARKET_CLOSED, f"cutoff {contract.cutoff_ms} passed")
    return Verdict.ok(GATE, definition_hash(contract))
