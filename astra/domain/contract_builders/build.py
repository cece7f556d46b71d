"""Route a market to its builder: crypto threshold, rates, weather, else a binary event.

A market that names a crypto underlying (or is in the crypto category) must be read by the
crypto threshold parser; when that parser refuses it, its veto stands (a price market that
is not understood as one is not quietly traded as a generic event).
"""

from __future__ import annotations

from astra.domain.contract_builders import event_ops, rates, weather
from astra.domain.contract_builders.common import BuildResult, Veto, finish
from astra.domain.market import MarketInfo
from astra.domain.question_parser import parse_market
from astra.domain.question_parser.words import detect_underlying
from astra.domain.reasons import BuildVeto, ParseVeto

__all__ = ["BuildResult", "build_contract"]
CRYPTO = "crypto_threshold"


def build_contract(info: MarketInfo) -> BuildResult:
    name = _builder(info)
    try:
        if name == CRYPTO:
            return _crypto(info)
        if name == rates.NAME:
            return rates.build(info)
        if name == weather.NAME:
            return weather.build(info)
        return event_ops.build(info)
    except Veto as veto:
        return BuildResult(None, veto.reason, veto.detail, name)
    except (ValueError, ArithmeticError) as exc:  # text a parser chokes on: named, not raised
        return BuildResult(None, BuildVeto.LINT_FAILED, f"{type(exc).__name__}: {exc}", name)


def _builder(info: MarketInfo) -> str:
    if info.category == "crypto" or detect_underlying(info.question) is not ParseVeto.NO_UNDERLYING:
        return CRYPTO
    if rates.looks_like(info):
        return rates.NAME
    if weather.looks_like(info):
        return weather.NAME
    return event_ops.NAME


def _crypto(info: MarketInfo) -> BuildResult:
    parsed = parse_market(info)
    if parsed.contract is None:
        return BuildResult(None, parsed.veto or ParseVeto.LINT_FAILED, parsed.detail, CRYPTO)
    return finish(CRYPTO, parsed.contract)
