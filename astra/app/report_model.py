"""The run report's content (`ReportModel`) from the committed journal alone.

- Markets are named by their question and outcome from the run manifest's market list.
- Equity: the risk producer's LEDGER records. A record that carries `equity` is marked (see
  docs/accounting.md); one without is valued at cost (cash + what the positions cost), and
  the page says which basis it shows. Exposure is the positions' value on the same basis.
- Per strategy: the funnel's orders, fills, realised P&L and fees (`astra.app.funnel`).
- The decision funnel counts evaluations down to "passed definition", then orders: every
  placement chain in a decision's gates is one order sent through them, so "passed risk"
  is exactly the run's placed orders.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from astra.adapters.journal.runs import RunManifest
from astra.adapters.report.model import (
    FillRow,
    MarkoutRow,
    PositionRow,
    ReportModel,
    RunDetails,
    StrategyRow,
)
from astra.app.arb_summary import arb_report, is_arb_record
from astra.app.funnel import UNKNOWN, funnel, pnl_by_market, strategy_of_markets
from astra.app.performance_summary import equity_of, performance_summary
from astra.app.summary import RISK_PRODUCER, journal_digest
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.prices import notional_micros

Labels = dict[str, tuple[str, str]]  # asset id -> (question, outcome)


def build_report(
    records: Sequence[JournalRecord],
    title: str,
    manifest: RunManifest | None = None,
    *,
    returns_interval_ms: int = 300_000,
) -> ReportModel:
    config = _config(manifest)
    questions, labels = _names(config.get("markets") or [])
    ledgers = [
        r.data() | {"ts_ms": r.ts_ms}
        for r in records
        if r.kind is RecordKind.LEDGER and r.producer == RISK_PRODUCER
    ]
    basis = "marked" if ledgers and all("equity" in row for row in ledgers) else "cost"
    owners = strategy_of_markets(records)
    return ReportModel(
        title=title,
        run=_run(manifest, config, records),
        equity_basis=basis,
        opening_cash=int(ledgers[0]["opening_cash"]) if ledgers else None,
        equity=[(int(row["ts_ms"]), _equity(row)) for row in ledgers],
        exposure=[(int(row["ts_ms"]), _exposure(row)) for row in ledgers],
        strategies=_strategies(records),
        positions=_positions(ledgers[-1] if ledgers else None, labels),
        fills=_fills(records, labels, owners),
        market_pnl=sorted(
            ((questions.get(m, m), v) for m, v in pnl_by_market(records).items()),
            key=lambda item: item[1],
        ),
        funnel=decision_funnel(records),
        orders_placed=_placed(records),
        markouts=markout_rows(records),
        performance=journal_performance(records, returns_interval_ms),
        halts=[
            (r.ts_ms, str(r.data().get("reason"))) for r in records if r.kind is RecordKind.HALT
        ],
        arbitrage=arb_report(records),
    )


def journal_performance(
    records: Sequence[JournalRecord], returns_interval_ms: int = 300_000
) -> dict[str, Any] | None:
    """Sharpe, Sortino, Calmar, drawdown, win rate, profit factor and Brier, overall and per
    strategy (`performance_summary`), with the marked equity summary; None without marks."""
    equity = equity_summary(records)
    if equity is None:
        return None
    summary = performance_summary(records, returns_interval_ms=returns_interval_ms)
    summary["equity"] = equity
    return summary


def equity_summary(records: Sequence[JournalRecord]) -> dict[str, Any] | None:
    """First and last marked equity, the peak, the deepest drawdown (fraction), the last
    record's cash, marked value, realised, unrealised and fees (micro-USD)."""
    marked = [r.data() for r in records if equity_of(r) is not None]
    if not marked:
        return None
    peak, worst = 0, 0.0
    for data in marked:
        peak = max(peak, int(data["equity"]))
        if peak > 0:
            worst = max(worst, (peak - int(data["equity"])) / peak)
    last = marked[-1]
    return {
        "first": int(marked[0]["equity"]),
        "last": int(last["equity"]),
        "peak": peak,
        "max_drawdown": worst,
        "records": len(marked),
        **{k: last.get(k) for k in ("cash", "marked_value", "realised", "unrealised", "fees")},
    }


def _config(manifest: RunManifest | None) -> dict[str, Any]:
    if manifest is None:
        return {}
    try:
        parsed = json.loads(manifest.config_json)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _names(markets: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], Labels]:
    questions: dict[str, str] = {}
    labels: Labels = {}
    for market in markets:
        question = str(market.get("question") or market.get("condition_id"))
        questions[str(market.get("condition_id"))] = question
        outcomes = list(market.get("outcomes") or ["Yes", "No"])
        for token, outcome in zip(
            (market.get("yes_token"), market.get("no_token")), outcomes, strict=False
        ):
            labels[str(token)] = (question, str(outcome))
    return questions, labels


def _run(
    manifest: RunManifest | None, config: Mapping[str, Any], records: Sequence[JournalRecord]
) -> RunDetails | None:
    if manifest is None:
        return None
    settings = config.get("settings") or {}
    strategy = settings.get("strategy") or {}
    strategies = {str(c): str(s) for c, s in strategy.get("by_category") or []}
    strategies["*"] = str(strategy.get("default", "?"))
    seed = config.get("seed", (settings.get("run") or {}).get("seed"))
    return RunDetails(
        run_id=manifest.run_id,
        status=str(manifest.status.value),
        started_ms=manifest.started_ms,
        ended_ms=manifest.ended_ms,
        code_version=manifest.code_version,
        seed=int(seed) if isinstance(seed, int) else None,
        settings_hash=config.get("settings_hash"),
        strategies=strategies,
        journal_digest=journal_digest(records),
    )


def _equity(row: Mapping[str, Any]) -> int:
    if "equity" in row:
        return int(row["equity"])
    return int(row["cash"]) + _cost(row)


def _exposure(row: Mapping[str, Any]) -> int:
    if "marked_value" in row:
        return int(row["marked_value"])
    return _cost(row)


def _cost(row: Mapping[str, Any]) -> int:
    positions = row.get("positions") or {}
    return sum(int(p.get("cost", 0)) for p in positions.values())


def _marks(row: Mapping[str, Any]) -> dict[str, int]:
    """Per-token marks (pips) the record carries, wherever the ledger puts them."""
    risk = row.get("risk")
    for source in (row.get("marks"), risk.get("marks") if isinstance(risk, Mapping) else None):
        if isinstance(source, Mapping):
            return {str(k): int(v) for k, v in source.items() if isinstance(v, int)}
    return {}


def _positions(row: Mapping[str, Any] | None, labels: Labels) -> list[PositionRow]:
    if row is None:
        return []
    marks = _marks(row)
    out = []
    for asset, position in sorted((row.get("positions") or {}).items()):
        size, cost = int(position["size"]), int(position.get("cost", 0))
        if size == 0:
            continue
        mark = marks.get(asset)
        value = cost if mark is None else notional_micros(mark, size)
        question, outcome = labels.get(asset, (asset, "?"))
        out.append(PositionRow(question, outcome, size, cost, mark, value))
    return out


def _fills(
    records: Sequence[JournalRecord], labels: Labels, owners: Mapping[str, str]
) -> list[FillRow]:
    seen: set[str] = set()
    rows = []
    for record in records:
        if record.kind is not RecordKind.FILL:
            continue
        data = record.data()
        if data["fill_id"] in seen:
            continue
        seen.add(data["fill_id"])
        question, outcome = labels.get(str(data["asset_id"]), (str(record.market), "?"))
        mid = data.get("mid")
        rows.append(
            FillRow(
                ts_ms=record.ts_ms,
                market=question,
                outcome=outcome,
                side=str(data["side"]),
                price=int(data["price"]),
                size=int(data["size"]),
                fee=int(data.get("fee", 0)),
                liquidity=str(data.get("liquidity", "?")),
                mid=int(mid) if isinstance(mid, int) else None,
                strategy=owners.get(str(record.market), UNKNOWN),
            )
        )
    return rows


def _strategies(records: Sequence[JournalRecord]) -> list[StrategyRow]:
    rows = []
    for name, entry in funnel(records).items():
        pnl = entry["pnl"]
        rows.append(
            StrategyRow(
                strategy=name,
                markets=int(entry["markets"]),
                evaluations=int(entry["evaluations"]),
                orders=int(entry["orders"]),
                fills=int(entry["fills"]),
                realised=_micros(pnl.get("realised_usd")),
                fees=_micros(pnl.get("fees_usd")),
                open_cost=_micros(pnl.get("open_cost_usd")),
            )
        )
    return rows


def _micros(text: object) -> int:
    from decimal import Decimal

    return 0 if text is None else int(Decimal(str(text)) * 1_000_000)


FUNNEL_STAGES = (
    "evaluations",
    "wanted to quote",
    "passed definition",
    "orders sent to the gates",
    "orders past EV",
    "orders past risk (placed)",
)


def decision_funnel(records: Sequence[JournalRecord]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for record in records:
        if record.kind is not RecordKind.DECISION or is_arb_record(record):
            continue
        data = record.data()
        counts["evaluations"] += 1
        if str(data.get("action", "")).lower() not in {"quote", "place"}:
            continue
        counts["wanted to quote"] += 1
        definition = data.get("definition") or {}
        if not definition.get("passed", True):
            continue
        counts["passed definition"] += 1
        for chain in _chains(data.get("gates") or []):
            counts["orders sent to the gates"] += 1
            passed = {g.get("gate") for g in _passed_prefix(chain)}
            counts["orders past EV"] += "ev" in passed
            counts["orders past risk (placed)"] += "risk" in passed
    return [(stage, counts[stage]) for stage in FUNNEL_STAGES]


def _chains(gates: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    chains: list[list[Mapping[str, Any]]] = []
    for gate in gates:
        if gate.get("gate") == "definition" or not chains:
            chains.append([])
        chains[-1].append(gate)
    return chains


def _passed_prefix(chain: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    out = []
    for verdict in chain:
        if not verdict.get("passed"):
            break
        out.append(verdict)
    return out


def markout_rows(records: Sequence[JournalRecord]) -> list[MarkoutRow]:
    """Per (strategy, horizon): the MARKOUT records' count, total and adverse share."""
    groups: dict[tuple[str, int], list[int | None]] = {}
    for record in records:
        if record.kind is not RecordKind.MARKOUT:
            continue
        data = record.data()
        value = data.get("markout")
        key = (str(data.get("strategy") or UNKNOWN), int(data.get("horizon_ms", 0)))
        groups.setdefault(key, []).append(value if isinstance(value, int) else None)
    rows = []
    for (strategy, horizon), values in sorted(groups.items()):
        known = [v for v in values if v is not None]
        rows.append(
            MarkoutRow(
                strategy,
                horizon,
                len(known),
                len(values) - len(known),
                sum(known),
                sum(1 for v in known if v < 0),
            )
        )
    return rows


def _placed(records: Sequence[JournalRecord]) -> int:
    final: dict[str, str] = {}
    for record in records:
        if record.kind is RecordKind.ORDER_EVENT:
            data = record.data()
            final[str(data["order_id"])] = str(data["state"])
    return sum(1 for state in final.values() if state != "rejected")
