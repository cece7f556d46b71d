"""Central-bank decision markets -> `RatesEventContract`: body, action, bp bucket, meeting.

"Will the Fed cut rates by 25 bps after the June meeting?": the body (Fed/FOMC, ECB, BoE,
BoJ), exactly one action word (cut, hike or hold), the size in whole basis points ("25+ bps"
or "or more" is at least; a hold is 0), and a meeting (the contract is decided at the end
date, the decision's announcement). A cut or hike without its bp bucket is a veto.
"""

from __future__ import annotations

import re

from astra.domain.contract_builders.common import (
    BuildResult,
    Veto,
    check_wording,
    end_date,
    finish,
    resolution_source,
    resolves_to,
)
from astra.domain.contracts.contract import RateAction, RatesEventContract
from astra.domain.market import MarketInfo
from astra.domain.reasons import BuildVeto

NAME = "rates_event"
FINALITY = "official_statement"
_BODIES = (
    ("fed", re.compile(r"\b(?:fed|fomc|federal\s+reserve)\b", re.I)),
    ("ecb", re.compile(r"\b(?:ecb|european\s+central\s+bank)\b", re.I)),
    ("boe", re.compile(r"\b(?:boe|bank\s+of\s+england)\b", re.I)),
    ("boj", re.compile(r"\b(?:boj|bank\s+of\s+japan)\b", re.I)),
)
_RATE_WORDS = re.compile(r"\b(?:rates?|bps|bp|basis\s+points?|hikes?|cuts?)\b", re.I)
_ACTIONS = (
    (RateAction.CUT, re.compile(r"\b(?:cuts?|decrease[sd]?|lower(?:s|ed)?|reduce[sd]?)\b", re.I)),
    (RateAction.HIKE, re.compile(r"\b(?:hikes?|raises?|increase[sd]?)\b", re.I)),
    (RateAction.HOLD, re.compile(r"\b(?:no\s+change|holds?|pause[sd]?|unchanged)\b", re.I)),
)
_BPS = re.compile(
    r"(?P<n>\d{1,3})\s*(?P<plus>\+)?\s*(?:bps|bp|basis\s+points?)(?P<more>\s+or\s+more)?", re.I
)
_AT_LEAST = re.compile(r"\bat\s+least\b", re.I)
_MEETING = re.compile(r"\bmeeting\b", re.I)


def looks_like(info: MarketInfo) -> bool:
    body = any(p.search(info.question) for _, p in _BODIES)
    return body and _RATE_WORDS.search(info.question) is not None


def build(info: MarketInfo) -> BuildResult:
    check_wording(info)
    if tuple(o.lower() for o in info.outcomes) != ("yes", "no") or not resolves_to(
        info.description, "Yes"
    ):
        raise Veto(BuildVeto.NO_RESOLUTION_RULE, 'a rates market resolves "Yes" or "No"')
    bodies = sorted({name for name, p in _BODIES if p.search(info.question)})
    if len(bodies) != 1:
        raise Veto(BuildVeto.NO_BODY, f"central banks named: {bodies}")
    actions = [action for action, p in _ACTIONS if p.search(info.question)]
    if not actions:
        raise Veto(BuildVeto.NO_ACTION, "no cut, hike or hold in the question")
    if len(actions) > 1:
        raise Veto(BuildVeto.AMBIGUOUS_ACTION, ", ".join(actions))
    action = actions[0]
    change, comparison = _bucket(info.question, action)
    if not (_MEETING.search(info.question) or _MEETING.search(info.description)):
        raise Veto(BuildVeto.NO_MEETING, "no meeting named")
    contract = RatesEventContract(
        market_id=info.condition_id,
        cutoff_ms=end_date(info),
        body=bodies[0],
        action=action,
        change_bps=change,
        comparison=comparison,
        resolution_source=resolution_source(info),
        finality=FINALITY,
    )
    return finish(NAME, contract)


def _bucket(question: str, action: RateAction) -> tuple[int, str]:
    sizes = list(_BPS.finditer(question))
    if action is RateAction.HOLD and not sizes:
        return 0, "exact"
    if len(sizes) != 1:
        raise Veto(BuildVeto.NO_BP_BUCKET, f"{len(sizes)} basis-point sizes in the question")
    found = sizes[0]
    at_least = bool(found.group("plus") or found.group("more") or _AT_LEAST.search(question))
    return int(found.group("n")), "at_least" if at_least else "exact"
