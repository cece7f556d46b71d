"""`astra inspect` rebuilds a token's book from a recording or a fixture message array."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra.adapters.recording.recorder import RecordingHeader, RecordingWriter
from astra.cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket"
BURST = FIXTURES / "ws_market" / "price_change_crossing_burst_2026-09.json"
TOKEN_A = "76670567130917723816490572615540605537878462672464291990940067659127658071111"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["inspect", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_prints_exactly_the_closing_book(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(BURST), "--asset", TOKEN_A, "--json")
    assert code == 0
    closing = json.loads(BURST.read_text())[-1]
    assert closing["event_type"] == "book"
    assert json.loads(out) == {
        "asset_id": TOKEN_A,
        "bids": closing["bids"],
        "asks": closing["asks"],
    }


def test_inspect_at_a_time_shows_the_opening_book(capsys: pytest.CaptureFixture[str]) -> None:
    opening = json.loads(BURST.read_text())[0]
    code, out, _ = _run(
        capsys, str(BURST), "--asset", TOKEN_A, "--at", opening["timestamp"], "--json"
    )
    assert code == 0
    assert json.loads(out)["bids"] == opening["bids"]
    assert json.loads(out)["asks"] == opening["asks"]


def test_inspect_reads_recordings_and_prints_a_ladder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.jsonl.gz"
    with RecordingWriter(path, RecordingHeader(created_ms=0, source="live")) as writer:
        for i, message in enumerate(json.loads(BURST.read_text())):
            writer.write_frame(i, "market", json.dumps(message))
    code, out, _ = _run(capsys, str(path), "--asset", TOKEN_A)
    assert code == 0
    assert "ask     0.301            45.83" in out
    assert "bid      0.29             2005" in out


def test_inspect_unknown_asset_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(BURST), "--asset", "42")
    assert code == 3
    assert out == ""
    assert err.startswith("astra inspect: no book for asset 42")
    code, _, err = _run(capsys, "/nonexistent/file.json", "--asset", "42")
    assert code == 2
    assert "cannot read" in err


def test_list_assets_names_every_token_with_its_event_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    messages = json.loads(BURST.read_text())
    expected: dict[str, int] = {}
    for message in messages:
        if message["event_type"] == "book":
            expected[message["asset_id"]] = expected.get(message["asset_id"], 0) + 1
        elif message["event_type"] == "price_change":
            for change in message["price_changes"]:
                expected[change["asset_id"]] = expected.get(change["asset_id"], 0) + 1
    code, out, _ = _run(capsys, str(BURST), "--list-assets", "--json")
    assert code == 0
    listed = {a["asset_id"]: a["events"] for a in json.loads(out)["assets"]}
    assert listed == expected
    assert TOKEN_A in listed


def test_asset_or_list_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        _run(capsys, str(BURST))
    assert caught.value.code == 2
