"""`astra arb poll-kalshi` and `arb list --cross-venue` over a real loopback HTTP server
serving Gamma (the real Newsom market fixture), CLOB `/book` (the real 2024 book shape) and
Kalshi's orderbook (built from its documented shape: tests/fixtures/kalshi/SOURCES.md)."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from astra.adapters.http_client import RequestVeto
from astra.adapters.kalshi import parse_orderbook
from astra.cli.main import main
from astra.domain.metrics_port import ARB_CROSS_VENUE_REJECTED_TOTAL, CountingMetrics
from tests.adapters.loopback_http import CLOB, FIXTURES, GAMMA, load_json

KALSHI = FIXTURES.parent / "kalshi"
TICKER = "KXNEWSOM-28"


def _newsom() -> dict[str, Any]:
    raw: dict[str, Any] = load_json(GAMMA / "market_newsom_2028_neg_risk_fees_enabled.json")
    return raw


def _routes() -> dict[str, tuple[int, object]]:
    market = _newsom()
    yes_token = json.loads(market["clobTokenIds"])[0]
    book = copy.deepcopy(load_json(CLOB / "book_2024-10.json"))
    book["asset_id"] = yes_token
    book["market"] = market["conditionId"]
    book["bids"] = [{"price": "0.38", "size": "10"}, {"price": "0.40", "size": "50"}]
    book["asks"] = [{"price": "0.45", "size": "10"}, {"price": "0.41", "size": "30"}]
    return {
        "/markets": (200, [market]),
        "/book": (200, book),
        f"/markets/{TICKER}/orderbook": (
            200,
            load_json(KALSHI / "orderbook_documented_shape.json"),
        ),
    }


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, object]]] = {}
    seen: ClassVar[list[tuple[str, dict[str, list[str]]]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.seen.append((url.path, parse_qs(url.query)))
        status, body = self.routes.get(url.path, (404, {"error": "not found"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def venue() -> Iterator[str]:
    _Handler.routes = _routes()
    _Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "astra.toml"
    config.write_text(
        f'[venue]\ngamma_url = "{url}"\nclob_url = "{url}"\nhttp_retries = 0\n'
        f'[arb]\nkalshi_url = "{url}"\n',
        encoding="utf-8",
    )
    return config


def _map(tmp_path: Path, ticker: str = TICKER) -> Path:
    path = tmp_path / "pairs.toml"
    cid = _newsom()["conditionId"]
    path.write_text(f'[[pair]]\ncondition_id = "{cid}"\nkalshi_ticker = "{ticker}"\n')
    return path


def test_poll_logs_both_prices_and_the_fee_adjusted_gap(
    tmp_path: Path, venue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(_config(tmp_path, venue)), "--data-dir", str(tmp_path / "d")]
    assert main(["arb", "poll-kalshi", "--map", str(_map(tmp_path)), *args]) == 0
    capsys.readouterr()
    journal = tmp_path / "d" / "astra.sqlite3"
    assert main(["arb", "list", "--journal", str(journal), "--cross-venue", "--json"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    assert row["action"] == "xvenue_quote"
    assert row["polymarket"] == {"yes_bid": 4000, "yes_ask": 4100}
    # Kalshi: best YES bid 0.42, best NO bid 0.55 -> YES ask 0.45.
    assert row["kalshi"] == {"yes_bid": 4200, "yes_ask": 4500}
    by_dir = {g["direction"]: g["gap"] for g in row["gaps"]}
    assert by_dir == {
        "buy_pm_yes_kalshi_no": 1_000_000 - 990_000 - 9_680 - 20_000,
        "buy_kalshi_yes_pm_no": 1_000_000 - 1_050_000 - 9_600 - 20_000,
    }
    paths = [p for p, _ in _Handler.seen]
    assert paths == ["/markets", "/book", f"/markets/{TICKER}/orderbook"]
    # The regular opportunity log does not mix the price log in.
    assert main(["arb", "list", "--journal", str(journal), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])["summary"]
    assert summary["opportunities"] == 0


def test_an_unknown_ticker_is_journaled_as_a_named_veto(
    tmp_path: Path, venue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(_config(tmp_path, venue)), "--data-dir", str(tmp_path / "d")]
    assert main(["arb", "poll-kalshi", "--map", str(_map(tmp_path, "KXNONE")), *args]) == 0
    out = capsys.readouterr().out
    assert "veto kalshi:" in out
    journal = tmp_path / "d" / "astra.sqlite3"
    assert main(["arb", "list", "--journal", str(journal), "--cross-venue", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["action"] == "xvenue_veto"
    assert row["venue"] == "kalshi"
    assert row["reason"] == "http_status"


def test_a_bad_mapping_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "pairs.toml"
    bad.write_text('[[pair]]\ncondition_id = "0x12"\nkalshi_ticker = "K"\n')
    assert main(["arb", "poll-kalshi", "--map", str(bad), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "condition_id" in err[0]


@pytest.mark.parametrize(
    ("body", "needle", "reason"),
    [
        ([], "not an object", "invalid_shape"),
        ({"orderbook": {}}, "'orderbook_fp' missing", "invalid_shape"),
        ({"orderbook_fp": {"yes_dollars": [["1.5", "1"]]}}, "outside (0, 1)", "out_of_range"),
        ({"orderbook_fp": {"yes_dollars": [["0.5"]]}}, "not [price, count]", "invalid_shape"),
        ({"orderbook_fp": {"no_dollars": [["0.5", "1e999"]]}}, "no_dollars count", "out_of_range"),
        ({"orderbook_fp": {"yes_dollars": [["abc", "1"]]}}, "not a decimal", "bad_number"),
        (
            {"orderbook_fp": {"yes_dollars": [["0.5", "1"], ["0.5000", "2"]]}},
            "twice",
            "invalid_shape",
        ),
    ],
)
def test_bad_kalshi_bodies_are_named_counted_vetoes(body: object, needle: str, reason: str) -> None:
    metrics = CountingMetrics()
    result = parse_orderbook("T", body, metrics)
    assert isinstance(result, RequestVeto)
    assert needle in result.detail
    assert result.detail.startswith(f"{reason}: ")
    labels = {"venue": "kalshi", "reason": reason}
    assert metrics.counter(ARB_CROSS_VENUE_REJECTED_TOTAL, labels) == 1
    assert metrics.counter_sum(ARB_CROSS_VENUE_REJECTED_TOTAL) == 1


def test_the_documented_shape_parses_best_first() -> None:
    book = parse_orderbook("T", load_json(KALSHI / "orderbook_documented_shape.json"))
    assert not isinstance(book, RequestVeto)
    assert book.yes_bids[0] == (4200, 13_000_000)
    assert book.no_bids == ((5500, 40_000_000), (5000, 20_000_000))
    assert book.quote().yes_ask == 4500


def test_a_malformed_kalshi_body_is_a_counted_named_veto_over_loopback(
    tmp_path: Path, venue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"orderbook_fp": {"yes_dollars": [["0.42", "13.00"]], "no_dollars": [["0.55", "1e999"]]}}
    _Handler.routes[f"/markets/{TICKER}/orderbook"] = (200, body)
    args = ["--config", str(_config(tmp_path, venue)), "--data-dir", str(tmp_path / "d")]
    assert main(["arb", "poll-kalshi", "--map", str(_map(tmp_path)), *args]) == 0
    captured = capsys.readouterr()
    assert "veto kalshi:invalid_body out_of_range:" in captured.out
    assert (
        captured.err.strip().splitlines()[-1] == "rejected at the boundary: kalshi out_of_range 1"
    )
    journal = tmp_path / "d" / "astra.sqlite3"
    assert main(["arb", "list", "--journal", str(journal), "--cross-venue", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["action"] == "xvenue_veto"
    assert row["reason"] == "invalid_body"
    assert row["detail"].startswith("out_of_range: kalshi orderbook")
