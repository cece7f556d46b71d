"""The definition gate as a market applies it, and the token view a strategy sees.

`definition_verdict`: with contracts required (the default), no contract is a veto
`no_contract` whose detail is the builder's named reason when there is one; a contract is
linted and its trading cutoff checked on every evaluation (`definition_gate`). Without the
requirement (an explicit opt-out) a market without a contract passes as "no contract
required". `skip_decision` is the SKIP a market journals while its gate is closed: the
strategy is not asked at all, so it cannot propose an order that the gate would refuse.
"""

from __future__ import annotations

from astra.domain.book import TokenBook
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.definition_gate import definition_gate
from astra.domain.reasons import GateVeto
from astra.domain.strategies import DecisionAction, StrategyDecision, TokenView
from astra.domain.toxicity import ToxicityConfig, classify_touch
from astra.domain.verdict import Verdict

# A Verdict is immutable: the answer for a market without a contract is built once.
_NO_CONTRACT_REQUIRED = Verdict.ok("definition", "no contract required")


def definition_verdict(
    contract: DefinitionContract | None, reason: str, required: bool, now_ms: int
) -> Verdict:
    if contract is None and not required:
        return _NO_CONTRACT_REQUIRED
    verdict = definition_gate(contract, now_ms=now_ms)
    if contract is None and reason:
        return Verdict.veto(verdict.gate, GateVeto.NO_CONTRACT, reason)
    return verdict


def skip_decision(strategy: str, definition: Verdict) -> StrategyDecision:
    return StrategyDecision(
        strategy, DecisionAction.SKIP, veto=definition.reason, detail=definition.detail
    )


def token_view(book: TokenBook, toxic: bool, config: ToxicityConfig, depth: int) -> TokenView:
    bid, ask, synced, tick = book.best_bid(), book.best_ask(), book.synced, book.tick
    regime = classify_touch(bid, ask, tick, synced, config)
    return TokenView(
        book.asset_id,
        synced,
        bid,
        ask,
        toxic,
        regime,
        book.last_update_ms,
        tick=tick,
        bids=book.top_bids(depth),
        asks=book.top_asks(depth),
    )
