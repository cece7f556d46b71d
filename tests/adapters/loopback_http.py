"""A real HTTP server on 127.0.0.1 speaking Gamma and CLOB REST, fed from the recorded fixtures.

It paginates a configurable synthetic universe (copies of real Gamma market objects with unique
ids, condition ids and token ids) by keyset (`/markets/keyset`, `after_cursor`/`next_cursor`)
and by offset (`/markets?limit&offset`, limit capped at 100, offset > 10000 -> 422), serves
`/events`, `/public-search`, `/book`, `POST /books`, `/tick-size`, `/fee-rate` and CLOB's
`/markets/{condition_id}` (from `clob_markets`; Gamma's `/markets` honours `condition_ids`
and `closed` as the venue does), and injects
faults on chosen requests: an HTTP status (5xx, 429, ...), a hang (forces a client timeout),
invalid JSON, or a body of the wrong shape. Every request is recorded for assertions.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket"
GAMMA = FIXTURES / "gamma"
CLOB = FIXTURES / "clob_rest"

FaultKind = Literal["status", "hang", "invalid_json", "wrong_shape"]
JsonDict = dict[str, Any]

# Gamma market fixtures that are open, CLOB-tradable and map cleanly: the synthetic universe's
# templates.
TEMPLATE_FILES = (
    "market_btc_updown_5m_2026-03.json",
    "market_btc_updown_5m_twap_2026-08_reduced.json",
    "market_newsom_2028_neg_risk_fees_enabled.json",
)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def template_markets() -> list[JsonDict]:
    templates = [load_json(GAMMA / name) for name in TEMPLATE_FILES]
    event = load_json(GAMMA / "event_democratic_nominee_2028.json")[0]
    templates.extend(event["markets"])
    search = load_json(GAMMA / "public_search_bitcoin_above_on_march_11.json")
    templates.extend(m for e in search["events"] for m in e["markets"])
    return templates


def synthetic_markets(count: int, *, tag_every: int = 0, tag_id: str = "21") -> list[JsonDict]:
    """`count` distinct open markets copied from real fixture objects.

    Every `tag_every`-th market (when > 0) carries tag `tag_id` so tag filtering can be checked.
    """
    templates = template_markets()
    markets = []
    for index in range(count):
        market = copy.deepcopy(templates[index % len(templates)])
        digest = hashlib.sha256(f"astra-synthetic-{index}".encode()).hexdigest()
        base = 10**76 + index * 2
        market.update(
            id=str(9_000_000 + index),
            conditionId=f"0x{digest}",
            slug=f"synthetic-{index}",
            clobTokenIds=json.dumps([str(base), str(base + 1)]),
            active=True,
            closed=False,
        )
        if tag_every and index % tag_every == 0:
            market["tags"] = [{"id": tag_id, "label": "Crypto", "slug": "crypto"}]
        markets.append(market)
    return markets


def fixture_books() -> dict[str, JsonDict]:
    books = {}
    for name in ("book_2024-10.json", "book_empty_ask_neg_risk_2026-08.json"):
        book = load_json(CLOB / name)
        books[book["asset_id"]] = book
    return books


@dataclass
class Fault:
    """Fire on requests to `path` (and `page`, 1-based, when given); `times` None = always."""

    path: str
    kind: FaultKind = "status"
    page: int | None = None
    status: int = 503
    times: int | None = None


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any = None


@dataclass
class VenueState:
    markets: list[JsonDict] = field(default_factory=list)
    events: list[JsonDict] = field(default_factory=list)
    search_pages: list[JsonDict] = field(default_factory=list)
    books: dict[str, JsonDict] = field(default_factory=fixture_books)
    fee_rates: dict[str, Any] = field(default_factory=dict)
    clob_markets: dict[str, JsonDict] = field(default_factory=dict)  # condition id -> object
    faults: list[Fault] = field(default_factory=list)
    keyset_enabled: bool = True
    repeat_cursor: bool = False  # the known server bug: next_cursor never advances
    honour_filters: bool = True  # False: serve closed/inactive markets despite the filter
    endless: bool = False  # offset pages are always full (a universe too big to walk)
    hang_s: float = 5.0
    requests: list[Recorded] = field(default_factory=list)

    def paths(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on recorded requests instead."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        body = self._read_body() if method == "POST" else None
        venue = self.server.venue
        with venue.lock:
            venue.state.requests.append(Recorded(method, url.path, query, body))
        try:
            status, payload = venue.route(method, url.path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            return
        self._send(status, payload)

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return None

    def _send(self, status: int, payload: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    venue: LoopbackVenue


class LoopbackVenue:
    """Start with `with LoopbackVenue(state) as venue:`; `venue.url` is the base URL."""

    def __init__(self, state: VenueState | None = None) -> None:
        self.state = state or VenueState()
        self.lock = threading.Lock()
        self._release = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.venue = self
        # A short poll interval keeps shutdown (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> LoopbackVenue:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._release.set()  # free any handler hanging on purpose
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- routing -----------------------------------------------------------------------------

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Response:
        routes = {
            ("GET", "/markets/keyset"): lambda: self._keyset("markets", query),
            ("GET", "/events/keyset"): lambda: self._keyset("events", query),
            ("GET", "/markets"): lambda: self._offset("markets", query),
            ("GET", "/events"): lambda: self._offset("events", query),
            ("GET", "/public-search"): lambda: self._search(query),
            ("GET", "/book"): lambda: self._book(query),
            ("POST", "/books"): lambda: self._books(body),
            ("GET", "/tick-size"): lambda: self._tick_size(query),
            ("GET", "/fee-rate"): lambda: self._fee_rate(query),
        }
        handler = routes.get((method, path))
        if handler is None and method == "GET" and path.startswith("/markets/0x"):
            handler = lambda: self._clob_market(path.removeprefix("/markets/"))  # noqa: E731
        if handler is None or (path.endswith("/keyset") and not self.state.keyset_enabled):
            return 404, _dumps({"error": "not found"})
        fault = self._fault(path, self._page_of(path, query))
        if fault is not None:
            return self._fire(fault)
        return handler()

    def _page_of(self, path: str, query: dict[str, list[str]]) -> int:
        limit = _limit(query)
        if path.endswith("/keyset"):
            return _decode_cursor(_one(query, "after_cursor")) // limit + 1
        if path in ("/markets", "/events"):
            return int(_one(query, "offset") or 0) // limit + 1
        return int(_one(query, "page") or 1)

    def _fault(self, path: str, page: int) -> Fault | None:
        with self.lock:
            for fault in self.state.faults:
                if fault.path != path or (fault.page is not None and fault.page != page):
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault
        return None

    def _fire(self, fault: Fault) -> Response:
        if fault.kind == "hang":
            self._release.wait(self.state.hang_s)
            return 503, _dumps({"error": "hung"})
        if fault.kind == "invalid_json":
            return 200, b'{"markets": [{"id": "1", '
        if fault.kind == "wrong_shape":
            return 200, _dumps({"unexpected": True})
        return fault.status, _dumps({"error": f"injected HTTP {fault.status}"})

    def _collection(self, key: str, query: dict[str, list[str]]) -> list[JsonDict]:
        items = self.state.markets if key == "markets" else self.state.events
        if not self.state.honour_filters:
            return items
        return [item for item in items if _matches(item, query)]

    def _keyset(self, key: str, query: dict[str, list[str]]) -> Response:
        if "offset" in query:
            return 422, _dumps({"error": "keyset endpoints reject offset"})
        items = self._collection(key, query)
        limit = _limit(query)
        start = _decode_cursor(_one(query, "after_cursor"))
        page: JsonDict = {key: items[start : start + limit]}
        if start + limit < len(items):
            page["next_cursor"] = _encode_cursor(
                start if self.state.repeat_cursor else start + limit
            )
        return 200, _dumps(page)

    def _offset(self, key: str, query: dict[str, list[str]]) -> Response:
        offset = int(_one(query, "offset") or 0)
        if offset > 10_000:
            return 422, _dumps({"error": "offset must be <= 10000"})
        items = self._collection(key, query)
        limit = _limit(query)
        if self.state.endless:
            return 200, _dumps([items[(offset + i) % len(items)] for i in range(limit)])
        return 200, _dumps(items[offset : offset + limit])

    def _search(self, query: dict[str, list[str]]) -> Response:
        page = int(_one(query, "page") or 1)
        pages = self.state.search_pages
        if not 1 <= page <= len(pages):
            return 200, _dumps({"events": [], "pagination": {"hasMore": False}})
        return 200, _dumps(pages[page - 1])

    def _book(self, query: dict[str, list[str]]) -> Response:
        book = self.state.books.get(_one(query, "token_id") or "")
        if book is None:
            return 404, _dumps({"error": "No orderbook exists for the requested token id"})
        return 200, _dumps(book)

    def _books(self, body: Any) -> Response:
        if not isinstance(body, list):
            return 400, _dumps({"error": "body must be an array"})
        wanted = [item.get("token_id") for item in body if isinstance(item, dict)]
        return 200, _dumps([self.state.books[t] for t in wanted if t in self.state.books])

    def _tick_size(self, query: dict[str, list[str]]) -> Response:
        book = self.state.books.get(_one(query, "token_id") or "")
        if book is None:
            return 404, _dumps({"error": "market not found"})
        return 200, _dumps({"minimum_tick_size": float(book.get("tick_size") or "0.01")})

    def _clob_market(self, condition_id: str) -> Response:
        with self.lock:
            market = self.state.clob_markets.get(condition_id)
        if market is None:
            return 404, _dumps({"error": "market not found"})
        return 200, _dumps(market)

    def _fee_rate(self, query: dict[str, list[str]]) -> Response:
        token = _one(query, "token_id") or ""
        return 200, _dumps({"base_fee": self.state.fee_rates.get(token, 0)})


Response = tuple[int, bytes]


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _limit(query: dict[str, list[str]]) -> int:
    # Gamma silently caps pages at 100.
    return max(1, min(100, int(_one(query, "limit") or 100)))


def _encode_cursor(position: int) -> str:
    return base64.b64encode(str(position).encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    return int(base64.b64decode(cursor).decode()) if cursor else 0


def _matches(item: JsonDict, query: dict[str, list[str]]) -> bool:
    for flag in ("active", "closed"):
        wanted = _one(query, flag)
        if wanted is not None and bool(item.get(flag)) != (wanted == "true"):
            return False
    wanted_ids = query.get("condition_ids")
    if wanted_ids is not None and item.get("conditionId") not in wanted_ids:
        return False
    tag = _one(query, "tag_id")
    return tag is None or tag in set(_tag_ids(item))


def _tag_ids(item: JsonDict) -> Iterator[str]:
    for tag in item.get("tags") or []:
        yield str(tag.get("id"))
    for event in item.get("events") or []:
        for tag in event.get("tags") or []:
            yield str(tag.get("id"))
