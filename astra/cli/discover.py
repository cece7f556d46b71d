"""`astra discover`: list the markets Gamma discovery finds, or say why it refused.

Exit 0 with the whole filtered universe; exit 3 on a veto (HTTP error, timeout, invalid body,
broken pagination, exhausted page budget) — then no market is printed, because a partial
universe is not an answer.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import anyio

from astra.adapters.http_client import HttpSettings
from astra.adapters.polymarket.discovery_result import DiscoveryFilters, DiscoveryResult
from astra.adapters.polymarket.gamma import GammaClient
from astra.adapters.recording.market_json import market_info_to_json
from astra.cli.common import add_settings_args, settings_from_args
from astra.cli.main import CommandError
from astra.domain.market import MarketInfo
from astra.domain.prices import format_size
from astra.settings import Settings

VETO_EXIT = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("discover", help="discover markets on Gamma (fail-closed)")
    add_settings_args(parser)
    parser.add_argument("--gamma-url", metavar="URL", help="Gamma base URL (default: config)")
    tags = parser.add_mutually_exclusive_group()
    tags.add_argument(
        "--tag", metavar="T", action="append", help="Gamma tag id, repeatable (default: config)"
    )
    tags.add_argument("--no-tag", action="store_true", help="no tag filter")
    parser.add_argument("--search", metavar="Q", help="use /public-search with this query")
    parser.add_argument(
        "--limit-pages", metavar="N", type=int, help="page budget (default: config)"
    )
    parser.add_argument(
        "--pagination", choices=("auto", "keyset", "offset"), default="auto", help="page walk"
    )
    parser.add_argument("--include-closed", action="store_true", help="do not send closed=false")
    parser.add_argument("--timeout", metavar="S", type=float, help="HTTP timeout in seconds")
    parser.add_argument("--retries", metavar="N", type=int, help="HTTP retries per request")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(func=_discover)


def _discover(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    try:
        http = HttpSettings(
            timeout_s=args.timeout or settings.venue.http_timeout_s,
            retries=settings.venue.http_retries if args.retries is None else args.retries,
        )
    except ValueError as exc:
        raise CommandError(str(exc), exit_code=2) from exc
    client = GammaClient(args.gamma_url or settings.venue.gamma_url, http=http)
    result = _merge([anyio.run(client.discover, f) for f in _filters(args, settings)])
    if args.json:
        print(json.dumps(_as_json(result)))
        return VETO_EXIT if result.veto is not None else 0
    if result.veto is not None:
        raise CommandError(
            f"discovery vetoed ({result.veto.reason}): {result.veto.detail}", VETO_EXIT
        )
    for market in result.markets:
        print(_line(market))
    print(_summary(result))
    return 0


def _filters(args: argparse.Namespace, settings: Settings) -> list[DiscoveryFilters]:
    pages = args.limit_pages or settings.discovery.page_budget
    search = args.search or settings.discovery.search or None
    if args.no_tag or search is not None:
        tags: list[str | None] = [None]
    else:
        tags = list(args.tag or settings.discovery.tags) or [None]
    try:
        return [
            DiscoveryFilters(
                closed=None if args.include_closed else False,
                tag_id=tag,
                search=search,
                pagination=args.pagination,
                max_pages=pages,
            )
            for tag in tags
        ]
    except ValueError as exc:
        raise CommandError(str(exc), exit_code=2) from exc


def _merge(results: list[DiscoveryResult]) -> DiscoveryResult:
    """One result per tag -> their union; any veto vetoes the whole run."""
    pages = sum(r.pages for r in results)
    for result in results:
        if result.veto is not None:
            return DiscoveryResult((), (), pages, result.veto, result.pagination)
    markets = {m.condition_id: m for r in results for m in r.markets}
    rejected = tuple(x for r in results for x in r.rejected)
    walks = ",".join(sorted({r.pagination for r in results}))
    return DiscoveryResult(tuple(markets.values()), rejected, pages, None, walks)


def _end(market: MarketInfo) -> str:
    if market.end_date_ms is None:
        return "-"
    moment = datetime.fromtimestamp(market.end_date_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def _line(market: MarketInfo) -> str:
    flags = ("neg-risk " if market.neg_risk else "") + (
        "accepting" if market.accepting_orders else "not-accepting"
    )
    return (
        f"{market.condition_id}  tick={market.tick}  min={format_size(market.min_size)}  "
        f"fee={market.fees.rate}  end={_end(market)}  {market.category}  {flags}  "
        f"{market.question}"
    )


def _summary(result: DiscoveryResult) -> str:
    reasons = Counter(str(r.reason) for r in result.rejected)
    detail = ", ".join(f"{reason}={count}" for reason, count in sorted(reasons.items()))
    return (
        f"# {len(result.markets)} markets, {len(result.rejected)} rejected"
        f"{f' ({detail})' if detail else ''}, {result.pages} pages ({result.pagination})"
    )


# The recording header's market fields that discover prints, in its order (no description/tags).
_MARKET_KEYS = (
    "condition_id",
    "question",
    "yes_token",
    "no_token",
    "outcomes",
    "tick",
    "min_size",
    "fees",
    "neg_risk",
    "end_date_ms",
    "accepting_orders",
    "category",
    "slug",
    "group_item_title",
    "resolution_source",
)


def _market_json(market: MarketInfo) -> dict[str, object]:
    full = market_info_to_json(market)
    fields: dict[str, object] = {key: full[key] for key in _MARKET_KEYS}
    fields["min_size"] = format_size(market.min_size)  # shares for people, not micro-shares
    return fields


def _as_json(result: DiscoveryResult) -> dict[str, object]:
    veto = result.veto
    return {
        "ok": veto is None,
        "veto": None
        if veto is None
        else {"reason": str(veto.reason), "detail": veto.detail, "status": veto.status},
        "pages": result.pages,
        "pagination": result.pagination,
        "markets": [_market_json(m) for m in result.markets],
        "rejected": [
            {"id": r.market_id, "reason": str(r.reason), "detail": r.detail}
            for r in result.rejected
        ],
    }
