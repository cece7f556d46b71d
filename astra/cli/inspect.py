"""`astra inspect FILE --asset ID [--at MS] [--json]`: the reconstructed book of one token.

FILE is a recording (gzip JSON lines) or a JSON array of WebSocket messages (the fixtures).
Events go through the live decoder and the domain book; `--at` stops at that receive time.
Levels print in the venue's own order (bids ascending, asks descending: best level last) with
prices and sizes as the venue's decimal strings, so the output compares with a `book` message.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from astra.adapters.recording.recorder import RecordingError
from astra.adapters.recording.replay import open_replay
from astra.cli.main import CommandError
from astra.domain.book import TokenBook
from astra.domain.events import BookSnapshot, Level, PriceChange, TickSizeChange
from astra.domain.prices import format_price, format_size

NOT_FOUND_EXIT = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("inspect", help="print one token's book from a recording")
    parser.add_argument("file", metavar="FILE", type=Path, help="recording or JSON message array")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--asset", metavar="ID", help="token (asset) id")
    which.add_argument(
        "--list-assets", action="store_true", help="list every token in FILE with its event count"
    )
    parser.add_argument(
        "--at", metavar="TIMESTAMP_MS", type=int, help="replay up to this receive time (ms)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(func=_inspect)


def rebuild_book(path: Path, asset_id: str, at_ms: int | None = None) -> tuple[TokenBook, int]:
    """Replay `path` into the book of `asset_id`; returns it and the number of events applied."""
    try:
        replay = open_replay(path)
    except (OSError, RecordingError) as exc:
        raise CommandError(f"cannot read {path}: {exc}", exit_code=2) from exc
    book = TokenBook(asset_id)
    applied = 0
    for recv_ms, _channel, event in replay.events():
        if at_ms is not None and recv_ms > at_ms:
            break
        if isinstance(event, BookSnapshot) and event.asset_id == asset_id:
            book.apply_snapshot(event)
            applied += 1
        elif isinstance(event, TickSizeChange) and event.asset_id == asset_id:
            book.on_tick_size_change(event)
            applied += 1
        elif isinstance(event, PriceChange):
            for change in event.changes:
                if change.asset_id == asset_id and book.apply_change(change, event.ts_ms):
                    applied += 1
    return book, applied


def book_json(book: TokenBook) -> dict[str, object]:
    return {
        "asset_id": book.asset_id,
        "bids": _levels(book.bids()[::-1]),
        "asks": _levels(book.asks()[::-1]),
    }


def _levels(levels: list[Level]) -> list[dict[str, str]]:
    return [{"price": format_price(p), "size": format_size(s)} for p, s in levels]


def asset_counts(path: Path) -> dict[str, int]:
    """Every token id seen in `path` and how many book events name it (snapshots, level
    changes, tick changes), in first-seen order."""
    try:
        replay = open_replay(path)
    except (OSError, RecordingError) as exc:
        raise CommandError(f"cannot read {path}: {exc}", exit_code=2) from exc
    counts: dict[str, int] = {}
    for _recv_ms, _channel, event in replay.events():
        if isinstance(event, BookSnapshot | TickSizeChange):
            counts[event.asset_id] = counts.get(event.asset_id, 0) + 1
        elif isinstance(event, PriceChange):
            for change in event.changes:
                counts[change.asset_id] = counts.get(change.asset_id, 0) + 1
    return counts


def _list_assets(args: argparse.Namespace) -> int:
    counts = asset_counts(args.file)
    if args.json:
        print(json.dumps({"assets": [{"asset_id": a, "events": n} for a, n in counts.items()]}))
        return 0
    for asset, events in counts.items():
        print(f"{asset}  {events} events")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    if args.list_assets:
        return _list_assets(args)
    book, applied = rebuild_book(args.file, args.asset, args.at)
    if not book.synced:
        raise CommandError(
            f"no book for asset {args.asset} in {args.file}"
            + (f" up to {args.at}" if args.at is not None else "")
            + f" ({applied} updates seen, no snapshot to apply them to)",
            NOT_FOUND_EXIT,
        )
    if args.json:
        print(json.dumps(book_json(book)))
        return 0
    print(f"asset {book.asset_id}  tick={book.tick or '-'}  updated_ms={book.last_update_ms}")
    print(f"{'side':<4} {'price':>8} {'size':>16}")
    for level in _levels(book.asks()[::-1]):  # the ladder: asks high to low, then bids
        print(f"{'ask':<4} {level['price']:>8} {level['size']:>16}")
    print("-" * 30)
    for level in _levels(book.bids()):
        print(f"{'bid':<4} {level['price']:>8} {level['size']:>16}")
    return 0
