"""A gate's answer: pass, or a veto with a named reason (never a silent pass)."""

from __future__ import annotations

from dataclasses import dataclass

from astra.domain.reasons import GateVeto


@dataclass(frozen=True, slots=True)
class Verdict:
    gate: str
    passed: bool
    reason: GateVeto | None = None
    detail: str = ""

    @classmethod
    def ok(cls, gate: str, detail: str = "") -> Verdict:
        return cls(gate=gate, passed=True, detail=detail)

    @classmethod
    def veto(cls, gate: str, reason: GateVeto, detail: str = "") -> Verdict:
        return cls(gate=gate, passed=False, reason=reason, detail=detail)
