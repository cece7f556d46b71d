"""One round of REST resolution checks (docs/settlement.md).

For each market: Gamma's view (batched), then CLOB's `/markets/{id}` when Gamma did not say
the market is open; each source is read on its own and the readings are combined by
`astra.domain.resolution.decide` into a settlement, a named veto, or "still open". A held
market this run has no `MarketInfo` for (it left the universe, or resolved while the trader
was down) is read against the token ids the sources give, which must include the held ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from astra.adapters.polymarket.resolution_rest import ResolutionRest
from astra.domain.market import MarketInfo
from astra.domain.resolution import (
    ResolutionAnswer,
    ResolutionTarget,
    ResolutionVeto,
    SourceReading,
    SourceView,
    decide,
    read_source,
    target_from_views,
)


async def check_resolutions(
    rest: ResolutionRest,
    known: Sequence[MarketInfo],
    held_only: Mapping[str, Sequence[str]],
    now_ms: int,
) -> list[ResolutionAnswer]:
    """`known`: markets with their info; `held_only`: market -> held token ids, for markets
    known only from the journal."""
    known_ids = [m.condition_id for m in known]
    ids = known_ids + sorted(set(held_only) - set(known_ids))
    gamma = await rest.gamma_views(ids)
    answers = []
    for info in known:
        view = gamma.get(info.condition_id)
        answers.append(await _answer(rest, ResolutionTarget.of(info), view, now_ms))
    for market in ids[len(known) :]:
        view = gamma.get(market)
        clob = await rest.clob_view(market) if view is None or view.closed is not False else None
        target = target_from_views(market, held_only[market], [view, clob])
        if target is None:
            detail = "no source named this market's tokens"
            answers.append(ResolutionAnswer(market, veto=ResolutionVeto.UNAVAILABLE, detail=detail))
            continue
        readings = [None if v is None else read_source(target, v) for v in (view, clob)]
        answers.append(decide(target, readings, now_ms))
    return answers


async def _answer(
    rest: ResolutionRest, target: ResolutionTarget, view: SourceView | None, now_ms: int
) -> ResolutionAnswer:
    readings: list[SourceReading | None] = [None if view is None else read_source(target, view)]
    if view is None or view.closed is not False:
        clob = await rest.clob_view(target.market)
        readings.append(None if clob is None else read_source(target, clob))
    return decide(target, readings, now_ms)
