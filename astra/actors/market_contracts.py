"""Definition contracts per market and the spot symbols they route.

`resolve_contracts` takes the contracts the composition root supplies (keyed by condition
id) and, when asked, parses the rest from the market's own question
(`astra.domain.question_parser.parse_market`; a question it cannot read gives no contract).
A contract keyed under another market's id is a start-up error. Contracts are passed on as
they are: the definition gate lints every one on every decision, so an unlinted contract
vetoes its market's orders (`contract_lint_failed`) instead of being quietly dropped, and a
market without one is vetoed `no_contract` when contracts are required.

`SpotRoutes` maps a spot symbol (e.g. "btcusdt") to the markets whose crypto threshold
contract resolves on it; markets without such a contract never see spot.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from astra.domain.contracts.contract import CryptoThresholdContract, DefinitionContract
from astra.domain.market import MarketInfo
from astra.domain.question_parser import parse_market
from astra.domain.strategies.spot_state import spot_symbol

_log = logging.getLogger("astra.actors.contracts")


def resolve_contracts(
    markets: Sequence[MarketInfo],
    explicit: Mapping[str, DefinitionContract] | None = None,
    *,
    parse: bool = False,
) -> dict[str, DefinitionContract]:
    given = dict(explicit or {})
    for key, contract in given.items():
        if contract.market_id != key:
            raise ValueError(f"contract for {contract.market_id} supplied under {key}")
    resolved: dict[str, DefinitionContract] = {}
    for info in markets:
        found = given.get(info.condition_id)
        if found is None and parse:
            found = _parsed(info)
        if found is not None:
            resolved[info.condition_id] = found
    return resolved


def _parsed(info: MarketInfo) -> DefinitionContract | None:
    result = parse_market(info)
    if result.contract is None:
        _log.debug("no contract for %s: %s %s", info.condition_id, result.veto, result.detail)
    return result.contract


class SpotRoutes:
    def __init__(self, contracts: Mapping[str, DefinitionContract]) -> None:
        routes: dict[str, list[str]] = {}
        for market, contract in sorted(contracts.items()):
            if isinstance(contract, CryptoThresholdContract):
                routes.setdefault(spot_symbol(contract), []).append(market)
        self._routes = {symbol: tuple(ids) for symbol, ids in routes.items()}

    def markets(self, symbol: str) -> tuple[str, ...]:
        """Condition ids of the markets that resolve on `symbol` (case-insensitive)."""
        return self._routes.get(symbol.lower(), ())

    def market_ids(self) -> list[str]:
        return sorted({m for ids in self._routes.values() for m in ids})

    def symbols(self) -> list[str]:
        return sorted(self._routes)
