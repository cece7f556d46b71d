"""Binary event markets -> `EventOpsContract`: "does <the event> happen by the end date".

Read from Gamma's metadata and rules text: the outcomes (Yes/No, or two named outcomes the
rules resolve to), the end date (the game start for sports, when earlier), the resolution
source, the early-resolution and 50/50 clauses, and for a neg-risk leg its event group and
the outcome it stands for. Vetoes: no rules text, ambiguous wording, a scalar market, a
multi-outcome question or rules that name outcomes the market does not have, no resolution
rule, no end date, no source.
"""

from __future__ import annotations

import re

from astra.domain.contract_builders.common import (
    BuildResult,
    Veto,
    check_wording,
    early_resolution,
    fifty_fifty,
    finish,
    one_line,
    resolution_source,
    resolves_to,
    trading_cutoff,
)
from astra.domain.contracts.contract import EventOpsContract
from astra.domain.market import MarketInfo
from astra.domain.reasons import BuildVeto

NAME = "event_ops"
FINALITY = "official_announcement"
_YES_NO = ("yes", "no")
_SCALAR = re.compile(r"\bscalar\b|\b(?:long|short)\s+tokens?\b", re.IGNORECASE)
_OPEN_QUESTION = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:who|which|what|how\s+(?:many|much))\b", re.I)
_RESOLVES_TO = re.compile(
    r"resolve[sd]?\s+(?:to\s+)?[\"“'‘](?P<name>[^\"”'’\n]{1,60})[\"”'’]", re.IGNORECASE
)
_FIFTY_NAME = re.compile(r"^50\s*[-/]\s*50$")


def build(info: MarketInfo) -> BuildResult:
    check_wording(info)
    if _SCALAR.search(info.description):
        raise Veto(BuildVeto.SCALAR_MARKET, "the rules describe a scalar market")
    outcome = _outcome(info)
    _check_outcomes(info)
    contract = EventOpsContract(
        market_id=info.condition_id,
        cutoff_ms=trading_cutoff(info),
        event=one_line(info.question),
        early_resolution=early_resolution(info.description),
        resolution_source=resolution_source(info),
        finality=FINALITY,
        fifty_fifty=fifty_fifty(info.description),
        neg_risk_event_id=info.event_id if info.neg_risk else None,
        outcome=outcome,
    )
    return finish(NAME, contract)


def _outcome(info: MarketInfo) -> str | None:
    """A neg-risk leg's outcome (Gamma's groupItemTitle) and event group, or a veto."""
    if not info.neg_risk:
        if _OPEN_QUESTION.search(info.question) and not info.group_item_title.strip():
            raise Veto(BuildVeto.MULTI_OUTCOME, f"open question {one_line(info.question)!r}")
        return None
    if not info.event_id:
        raise Veto(BuildVeto.MULTI_OUTCOME, "neg-risk market without its event id")
    title = one_line(info.group_item_title)
    if not title:
        raise Veto(BuildVeto.MULTI_OUTCOME, "neg-risk market without the outcome it stands for")
    return title


def _check_outcomes(info: MarketInfo) -> None:
    names = tuple(o.strip() for o in info.outcomes)
    lowered = tuple(n.lower() for n in names)
    if lowered == _YES_NO:
        if not resolves_to(info.description, "Yes"):
            raise Veto(BuildVeto.NO_RESOLUTION_RULE, 'the rules never say when it resolves "Yes"')
    elif not all(resolves_to(info.description, n) for n in names):
        raise Veto(BuildVeto.NOT_YES_NO, f"outcomes {list(names)} are not the rules' outcomes")
    for match in _RESOLVES_TO.finditer(info.description):
        said = match.group("name").strip().rstrip(".,;:!").strip()
        if said.lower() in lowered or _FIFTY_NAME.match(said):
            continue
        raise Veto(BuildVeto.MULTI_OUTCOME, f"the rules resolve to {said!r}, not {list(names)}")
