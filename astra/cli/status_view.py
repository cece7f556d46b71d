"""`astra status` as tables a person reads (rich): trading state and why, the marked
account, positions with their market question and mark, open orders, feed health and the
last halt. Money in dollars and cents, prices per share, sizes in shares, UTC times.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from astra.adapters.report import fmt
from astra.domain.prices import notional_micros


def status_view(status: dict[str, Any]) -> Group:
    parts: list[Any] = [_trading(status)]
    book = status.get("portfolio") or {}
    if "unavailable" in book:
        parts.append(Text(f"portfolio unavailable: {book['unavailable']}", style="red"))
    else:
        parts += [_account(book.get("account")), _positions(book), _orders(book)]
    parts.append(_feed(status))
    return Group(*parts)


def print_status(status: dict[str, Any], console: Console | None = None) -> None:
    (console or Console()).print(status_view(status))


def _pairs(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, value)
    return table


def _trading(status: dict[str, Any]) -> Table:
    state = str(status.get("state", "unknown")).upper()
    reasons = ", ".join(status.get("halt_reasons") or []) or "-"
    halt = (status.get("portfolio") or {}).get("last_halt") or {}
    last = "none" if not halt else f"{halt.get('reason')} at {fmt.utc(halt.get('ts_ms'))}"
    return _pairs(
        "Trading",
        [
            ("state", state),
            ("why", reasons if state != "ACTIVE" else "trading open"),
            ("run", str(status.get("run_id", "-"))),
            ("markets", str(status.get("markets", "-"))),
            ("actors healthy", "yes" if status.get("healthy") else "NO"),
            ("last halt", last),
        ],
    )


def _account(account: dict[str, Any] | None) -> Table:
    if not account:
        return _pairs("Account", [("equity", "no ledger record yet")])
    equity = account.get("equity")
    peak = account.get("peak_equity")
    drawdown = None if not peak or equity is None else (peak - equity) / peak
    rows = [
        ("equity (marked)" if "equity" in account else "equity", fmt.usd(equity)),
        ("cash", fmt.usd(account.get("cash"))),
        ("day P&L", fmt.usd(account.get("daily_pnl"))),
        ("drawdown from peak", fmt.pct(drawdown)),
        ("realised", fmt.usd(account.get("realised"))),
        ("unrealised", fmt.usd(account.get("unrealised"))),
        ("fees", fmt.usd(account.get("fees"))),
        ("as of", fmt.utc(account.get("ts_ms"))),
    ]
    return _pairs("Account", rows)


def _positions(book: dict[str, Any]) -> Table | Text:
    positions = book.get("positions") or []
    if not positions:
        return Text("Positions: none")
    table = Table(title="Positions", title_justify="left")
    for name in ("market", "outcome", "shares", "cost", "mark", "value"):
        table.add_column(
            name, justify="right" if name in {"shares", "cost", "mark", "value"} else "left"
        )
    for p in positions:
        mark = p.get("mark")
        value = p["cost"] if mark is None else notional_micros(int(mark), int(p["size"]))
        table.add_row(p["question"], p["outcome"], fmt.shares(int(p["size"])), fmt.usd(p["cost"]),
                      fmt.price(mark), fmt.usd(value))  # fmt: skip
    return table


def _orders(book: dict[str, Any]) -> Table | Text:
    orders = book.get("open_orders") or []
    if not orders:
        return Text("Open orders: none")
    table = Table(title=f"Open orders ({len(orders)})", title_justify="left")
    for name in ("market", "outcome", "side", "price", "filled / shares", "state", "since"):
        table.add_column(name, justify="right" if name in {"price", "filled / shares"} else "left")
    for o in orders:
        table.add_row(o["question"], o["outcome"], o["side"], fmt.price(o["price"]),
                      f"{fmt.shares(o['filled'])} / {fmt.shares(o['size'])}", o["state"],
                      fmt.utc(o["ts_ms"]))  # fmt: skip
    return table


def _feed(status: dict[str, Any]) -> Table:
    feed = status.get("feed") or {}
    rows = [
        ("tokens synced", f"{feed.get('synced', '-')} of {feed.get('assets', '-')}"),
        ("desyncs", str(feed.get("desyncs", "-"))),
        ("spot symbols", ", ".join((status.get("spot") or {}).get("symbols") or []) or "-"),
        ("burn-in rounds left", str(status.get("burn_in_rounds_left", "-"))),
        ("uptime", fmt.duration(int(1000 * status["uptime_s"])) if "uptime_s" in status else "-"),
    ]
    return _pairs("Feed", rows)
