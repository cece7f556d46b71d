"""Text helpers shared by the builders: the resolution rule, source and clauses in Gamma's
rules text, and the result type."""

from __future__ import annotations

import re
from dataclasses import dataclass

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.contracts.lint import lint_contract
from astra.domain.market import MarketInfo
from astra.domain.reasons import BuildVeto, ParseVeto

_QUOTES = "\"'“”‘’"
_SOURCE = re.compile(
    r"(?:the\s+)?(?:primary\s+)?resolution\s+source\s+(?:for\s+this\s+market\s+)?"
    r"(?:is|will\s+be)\s+(?P<source>[^\n]+?)(?:\.\s|\.$|\n|$)",
    re.IGNORECASE,
)
_BASED_ON = re.compile(
    r"resolution\s+(?:of\s+this\s+market\s+)?will\s+be\s+based\s+(?:on|upon)\s+"
    r"(?P<source>[^\n;]+?)(?:[.;]\s|[.;]$|\n|$)",
    re.IGNORECASE,
)
_FIFTY = re.compile(r"\b50\s*[-/]\s*50\b|\bfifty[- ]fifty\b", re.IGNORECASE)
_EARLY = re.compile(
    r"resolve\s+(?:to\s+[" + _QUOTES + r"]?yes[" + _QUOTES + r"]?\s+)?immediately"
    r"|immediately\s+resolve|resolve\s+early|will\s+resolve\s+as\s+soon\s+as"
    r"|before\s+the\s+(?:resolution|end)\s+date,?\s+this\s+market\s+will\s+resolve\s+to\s+"
    r"[" + _QUOTES + r"]?yes",
    re.IGNORECASE,
)
# Wording that leaves the outcome to someone's judgement: no contract can pin it down.
_AMBIGUOUS = re.compile(
    r"\bat\s+(?:its|their|the)\s+(?:sole\s+)?discretion\b|\bsubjective\b"
    r"|\bto\s+be\s+determined\b|\bTBD\b|\bmay\s+resolve\s+(?:to\s+)?(?:either|any)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """A lint-clean contract, or why there is none (`reason` names it; `detail` says more)."""

    contract: DefinitionContract | None = None
    reason: BuildVeto | ParseVeto | None = None
    detail: str = ""
    builder: str = ""

    def why(self) -> str:
        """`reason: detail` (what `astra decisions` and the logs show for a skipped market)."""
        return f"{self.reason}: {self.detail}" if self.detail else str(self.reason)


class Veto(Exception):
    """Raised inside a builder; always turned into a BuildResult."""

    def __init__(self, reason: BuildVeto, detail: str = "") -> None:
        super().__init__(detail or str(reason))
        self.reason = reason
        self.detail = detail


def finish(builder: str, contract: DefinitionContract) -> BuildResult:
    """The lint gate every builder ends with: a contract that does not lint clean is a veto
    naming every problem."""
    lint = lint_contract(contract)
    if not lint.ok:
        return BuildResult(None, BuildVeto.LINT_FAILED, lint.detail(), builder)
    return BuildResult(contract, None, "", builder)


def one_line(text: str) -> str:
    return " ".join(text.split())


def resolution_source(info: MarketInfo) -> str:
    """Gamma's `resolutionSource`, else the rules' "resolution source ... is X" sentence."""
    if info.resolution_source.strip():
        return one_line(info.resolution_source)
    found = _SOURCE.search(info.description) or _BASED_ON.search(info.description)
    if found is None:
        raise Veto(BuildVeto.NO_RESOLUTION_SOURCE, "no resolutionSource and none in the rules")
    return one_line(found.group("source")).rstrip(".")


def fifty_fifty(description: str) -> bool:
    return _FIFTY.search(description) is not None


def early_resolution(description: str) -> bool:
    return _EARLY.search(description) is not None


def check_wording(info: MarketInfo) -> None:
    if not info.description.strip():
        raise Veto(BuildVeto.NO_DESCRIPTION, "no rules text")
    found = _AMBIGUOUS.search(info.description) or _AMBIGUOUS.search(info.question)
    if found is not None:
        raise Veto(BuildVeto.AMBIGUOUS_WORDING, repr(found.group()))


def resolves_to(description: str, outcome: str) -> bool:
    """The rules say the market resolves to `outcome` ("resolve to "Yes"", any quotes)."""
    pattern = (
        r"resolve[sd]?\s+(?:to\s+)?[" + _QUOTES + r"]?" + re.escape(outcome) + r"[" + _QUOTES + r"]"
    )
    return re.search(pattern, description, re.IGNORECASE) is not None


def end_date(info: MarketInfo) -> int:
    if info.end_date_ms is None:
        raise Veto(BuildVeto.NO_END_DATE, "Gamma gives no endDate")
    return info.end_date_ms


def trading_cutoff(info: MarketInfo) -> int:
    """The end date, or the game start when that is earlier (sports stop at kick-off)."""
    end = end_date(info)
    if info.game_start_ms is not None:
        return min(end, info.game_start_ms)
    return end
