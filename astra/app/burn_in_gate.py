"""Monitor-only burn-in for the live paper trader, as a strategy wrapper (no actor change).

During burn-in the RiskActor's startup halt is still in force, so without help every decision
would only say `halted`. `BurnInGate` holds the domain `BurnIn` countdown; every market's
strategy is wrapped by `monitored`, which, while the gate *monitors*, evaluates the strategy on
the view as if trading were open and then applies `BurnIn.gate`: a QUOTE becomes a SKIP
vetoed `burn_in` whose detail says what the strategy wanted, so the decision record shows the
strategy's real behaviour. Nothing can be placed: QUOTE is the only action that places, it
never leaves the wrapper, and the market's own halt gate and the RiskActor still veto.

The gate monitors only while burn-in is active and the startup halt is the only halt: with a
durable halt from a previous run, or after an operator or risk halt, decisions see the halt
and record `halted` as usual (`end_monitoring`). Round bookkeeping runs on the paper runner's
thread; the market threads only read one immutable `BurnIn` and a flag.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from astra.app.strategies import ContractStrategyFactory
from astra.domain.burn_in import BurnIn
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.market import MarketInfo
from astra.domain.strategies import Strategy
from astra.domain.strategies.protocol import MarketView, StrategyDecision


class BurnInGate:
    def __init__(self, rounds: int, max_failures: int = 10, *, monitoring: bool = True) -> None:
        self._burn_in = BurnIn(rounds, max_failures)
        self._monitoring = monitoring and self._burn_in.active
        self._lock = threading.Lock()

    @property
    def state(self) -> BurnIn:
        return self._burn_in

    @property
    def monitoring(self) -> bool:
        return self._monitoring and self._burn_in.active

    def after_round(self, healthy: bool) -> BurnIn:
        with self._lock:
            self._burn_in = self._burn_in.after_round(healthy)
            return self._burn_in

    def end_monitoring(self) -> None:
        """Another halt is in force: decisions must see it (and say `halted`)."""
        self._monitoring = False

    def monitor_state(self) -> BurnIn | None:
        """The countdown to gate one decision with, or None when not monitoring (one read, so
        a decision evaluated as monitored is always gated)."""
        burn_in = self._burn_in
        return burn_in if self._monitoring and burn_in.active else None

    def to_dict(self) -> dict[str, Any]:
        return {**self._burn_in.to_dict(), "rounds": self._burn_in.rounds} | {
            "monitoring": self.monitoring
        }


class _Monitored:
    """A strategy whose quotes the burn-in gate turns into SKIP/`burn_in` while it monitors."""

    def __init__(self, inner: Strategy, gate: BurnInGate) -> None:
        self._inner = inner
        self._gate = gate

    @property
    def name(self) -> str:
        return self._inner.name

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        burn_in = self._gate.monitor_state()
        if burn_in is None:
            return self._inner.evaluate(view, now_ms)
        return burn_in.gate(self._inner.evaluate(replace(view, halted=False), now_ms))


def monitored(factory: ContractStrategyFactory, gate: BurnInGate) -> ContractStrategyFactory:
    def make(info: MarketInfo, contract: DefinitionContract | None) -> Strategy:
        return _Monitored(factory(info, contract), gate)

    return make
