"""The contract and frame checks the weather and rates strategies share before their model.

A market reaches its model only with its own linted contract of the right category (before
its cutoff) and a model frame for that contract's key that is fresh enough; anything else
is a veto naming what is missing (`no_contract`, `unsupported_contract`, `no_forecast`,
`forecast_stale`, `no_prior`).
"""

from __future__ import annotations

from typing import TypeVar

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.definition_gate import definition_gate
from astra.domain.models.frames import ModelFrame, contract_model_key
from astra.domain.reasons import GateVeto
from astra.domain.strategies.protocol import MarketView
from astra.domain.verdict import Verdict

_C = TypeVar("_C", bound=DefinitionContract)


def checked_contract(
    contract: DefinitionContract | None, kind: type[_C], view: MarketView, now_ms: int, gate: str
) -> tuple[_C, str] | Verdict:
    """The market's own linted contract of `kind` and its definition hash."""
    verdict = definition_gate(contract, now_ms=now_ms)
    if not verdict.passed:
        return verdict
    if not isinstance(contract, kind):
        detail = f"{type(contract).__name__} is not a {kind.__name__}"
        return Verdict.veto(gate, GateVeto.UNSUPPORTED_CONTRACT, detail)
    if contract.market_id != view.info.condition_id:
        return Verdict.veto(gate, GateVeto.NO_CONTRACT, f"contract is for {contract.market_id}")
    return contract, verdict.detail


def frame_for(contract: DefinitionContract, view: MarketView) -> ModelFrame | None:
    """The view's model frame if it is the one this contract's key asks for."""
    frame = view.model_frame
    if frame is None or frame.key != contract_model_key(contract):
        return None
    return frame
