"""`astra discover` against the loopback Gamma server: markets listed, or a veto and exit 3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from astra.cli.main import main
from tests.adapters.loopback_http import Fault, LoopbackVenue, VenueState, synthetic_markets

FAST = ["--timeout", "0.3", "--retries", "0"]


@pytest.fixture
def venue() -> Iterator[LoopbackVenue]:
    with LoopbackVenue(VenueState(markets=synthetic_markets(250, tag_every=5))) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("ASTRA_"):
            monkeypatch.delenv(key)


def test_lists_every_market_over_three_pages(
    venue: LoopbackVenue, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["discover", "--gamma-url", venue.url, "--no-tag", *FAST])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert len(out) == 251
    assert out[-1] == "# 250 markets, 0 rejected, 3 pages (keyset)"
    assert out[0].startswith("0x")
    assert "tick=0.01" in out[0]


def test_json_output(venue: LoopbackVenue, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["discover", "--gamma-url", venue.url, "--tag", "21", "--json", *FAST])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["ok"] is True
    assert doc["veto"] is None
    assert len(doc["markets"]) == 50
    first = doc["markets"][0]
    assert set(first) >= {"condition_id", "yes_token", "no_token", "tick", "min_size", "fees"}
    assert first["min_size"] == "5"
    assert all(r.query.get("tag_id") == ["21"] for r in venue.state.requests)


def test_default_tags_come_from_settings(
    venue: LoopbackVenue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discover", "--gamma-url", venue.url, "--json", *FAST]) == 0
    assert len(json.loads(capsys.readouterr().out)["markets"]) == 50  # default tag 21


def test_5xx_is_a_veto_with_reason_and_exit_3(
    venue: LoopbackVenue, capsys: pytest.CaptureFixture[str]
) -> None:
    venue.state.faults.append(Fault("/markets/keyset", page=2, status=503))
    code = main(["discover", "--gamma-url", venue.url, "--no-tag", *FAST])
    captured = capsys.readouterr()
    assert code == 3
    assert captured.out == ""  # no partial universe
    assert "discovery vetoed (http_status)" in captured.err
    assert "HTTP 503" in captured.err


def test_veto_in_json_mode(venue: LoopbackVenue, capsys: pytest.CaptureFixture[str]) -> None:
    venue.state.faults.append(Fault("/markets/keyset", page=3, kind="invalid_json"))
    code = main(["discover", "--gamma-url", venue.url, "--no-tag", "--json", *FAST])
    doc = json.loads(capsys.readouterr().out)
    assert code == 3
    assert doc["ok"] is False
    assert doc["veto"]["reason"] == "invalid_body"
    assert doc["markets"] == []


def test_page_budget_veto(venue: LoopbackVenue, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["discover", "--gamma-url", venue.url, "--no-tag", "--limit-pages", "2", *FAST])
    assert code == 3
    assert "page_budget_exhausted" in capsys.readouterr().err


def test_timeout_veto(venue: LoopbackVenue, capsys: pytest.CaptureFixture[str]) -> None:
    venue.state.faults.append(Fault("/markets/keyset", page=1, kind="hang"))
    code = main(["discover", "--gamma-url", venue.url, "--no-tag", *FAST])
    assert code == 3
    assert "discovery vetoed (timeout)" in capsys.readouterr().err


def test_real_process_exits_non_zero_on_a_veto(venue: LoopbackVenue) -> None:
    venue.state.faults.append(Fault("/markets/keyset", status=500))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTRA_")}
    proc = subprocess.run(
        [sys.executable, "-m", "astra", "discover", "--gamma-url", venue.url, *FAST],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
    assert proc.returncode == 3
    assert proc.stderr.strip().startswith("astra discover: discovery vetoed (http_status)")
    assert proc.stdout == ""
