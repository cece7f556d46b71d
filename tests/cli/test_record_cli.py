"""`astra record` against loopback Gamma and market-channel servers; the result replays."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from astra.adapters.recording.replay import open_replay
from astra.cli.main import main
from astra.domain.events import BookSnapshot
from astra.domain.models.frames import DAY_MS, RatesPrior, WeatherForecast
from tests.adapters.loopback_http import LoopbackVenue, VenueState, synthetic_markets
from tests.adapters.loopback_models import fixture, fred_routes, nws_routes, serve
from tests.adapters.loopback_ws import LoopbackMarketWs, Pause, Raw, burst_books
from tests.app.test_model_replay import decisions
from tests.app.test_model_replay import replay as replay_journal


def test_record_discovers_subscribes_and_writes_a_replayable_file(tmp_path: Path) -> None:
    out = tmp_path / "session.jsonl.gz"
    venue_state = VenueState(markets=synthetic_markets(30, tag_every=5))
    with (
        LoopbackVenue(venue_state) as venue,
        LoopbackMarketWs([], [Raw("PONG"), Pause(5)], book_template=burst_books()[0]) as ws,
    ):
        code = main(
            [
                "record",
                "--out",
                str(out),
                "--gamma-url",
                venue.url,
                "--ws-url",
                ws.url,
                "--tag",
                "21",
                "--max-markets",
                "3",
                "--duration",
                "0.6",
            ]
        )
    assert code == 0
    (subscription,) = ws.subscriptions()
    assert len(subscription["assets_ids"]) == 6
    header = json.loads(gzip.decompress(out.read_bytes()).splitlines()[0])
    assert len(header["markets"]) == 3
    replay = open_replay(out)
    assert len(replay.markets) == 3
    tokens = {t for m in replay.markets for t in m.tokens}
    assert tokens == set(subscription["assets_ids"])
    books = [e for _, ch, e in replay.events() if isinstance(e, BookSnapshot) and ch == "market"]
    assert {b.asset_id for b in books} == tokens
    assert replay.rejects == []


def test_record_veto_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "never.jsonl.gz"
    with LoopbackVenue(VenueState(markets=[])) as venue:
        code = main(["record", "--out", str(out), "--gamma-url", venue.url, "--duration", "1"])
    assert code == 3
    assert not out.exists()


def test_record_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "exists.jsonl.gz"
    out.write_bytes(b"precious")
    assert main(["record", "--out", str(out), "--duration", "1"]) == 2
    assert out.read_bytes() == b"precious"


def test_record_walks_every_configured_tag_like_the_paper_trader(tmp_path: Path) -> None:
    """Discovery is `app.discovery`'s: the union of every `[discovery] tags` walk."""
    markets = synthetic_markets(9)
    for index, market in enumerate(markets[:6]):
        tag = "21" if index < 3 else "7"
        market["tags"] = [{"id": tag, "label": tag, "slug": tag}]
    config = tmp_path / "astra.toml"
    config.write_text('[discovery]\ntags = ["21", "7"]\n', encoding="utf-8")
    out = tmp_path / "session.jsonl.gz"
    with (
        LoopbackVenue(VenueState(markets=markets)) as venue,
        LoopbackMarketWs([], [Raw("PONG"), Pause(5)], book_template=burst_books()[0]) as ws,
    ):
        code = main(
            ["record", "--config", str(config), "--out", str(out), "--gamma-url", venue.url,
             "--ws-url", ws.url, "--duration", "0.3"]
        )  # fmt: skip
    assert code == 0
    header = json.loads(gzip.decompress(out.read_bytes()).splitlines()[0])
    recorded = {m["condition_id"] for m in header["markets"]}
    assert recorded == {m["conditionId"] for m in markets[:6]}


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def _words(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%B %d, %Y")


def _model_markets(day_start_ms: int, meeting_ms: int) -> list[dict[str, Any]]:
    """A weather market at KLGA for the day starting `day_start_ms` and a Fed market decided
    the day after `meeting_ms`, in Gamma's shape (real fixture objects, reworded)."""
    weather, rates = synthetic_markets(2, tag_every=1)
    for market in (weather, rates):
        market["outcomes"] = json.dumps(["Yes", "No"])
    weather.update(
        question=f"Will the highest temperature at LaGuardia (KLGA) be 80°F or higher on"
        f" {_words(day_start_ms)}?",
        description='This market will resolve to "Yes" if the highest temperature recorded at'
        ' LaGuardia (KLGA) on the day is 80°F or higher. Otherwise it resolves to "No".',
        resolutionSource="https://www.weather.gov/",
        endDate=_iso(day_start_ms + DAY_MS),
        category="weather",
    )
    rates.update(
        question=f"Will the Fed cut rates by 25 bps after the {_words(meeting_ms)} meeting?",
        description='This market will resolve to "Yes" if the Federal Reserve announces a cut'
        ' of 25 basis points after its meeting. Otherwise it resolves to "No".',
        resolutionSource="https://www.federalreserve.gov/",
        endDate=_iso(meeting_ms + DAY_MS),
        category="economics",
    )
    return [weather, rates]


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _books(markets: list[dict[str, Any]], now_ms: int) -> list[dict[str, Any]]:
    """Each market's two books, one tick wide and complementary (YES 0.41/0.42, NO
    0.58/0.59), as of `now_ms`, in the market channel's `book` shape."""
    books = []
    for market in markets:
        yes_token, no_token = json.loads(market["clobTokenIds"])
        for token, bid, ask in ((yes_token, "0.41", "0.42"), (no_token, "0.58", "0.59")):
            books.append(
                {"event_type": "book", "market": market["conditionId"], "asset_id": token,
                 "timestamp": str(now_ms), "hash": "loopback", "tick_size": "0.01",
                 "bids": [{"price": bid, "size": "500"}], "asks": [{"price": ask, "size": "500"}]}
            )  # fmt: skip
    return books


def _gridpoint(day_start_ms: int, now_ms: int) -> dict[str, Any]:
    """The documented gridpoint fixture moved to the recorded day, issued just now."""
    grid = fixture("nws/gridpoint_OKX_37_38.json")
    props = grid["properties"]
    props["updateTime"] = _iso(now_ms).replace("Z", "+00:00")
    props["maxTemperature"]["values"] = [
        {"validTime": f"{_iso(day_start_ms + 11 * 3_600_000)[:-1]}+00:00/PT13H", "value": 27.5}
    ]
    return grid


def test_record_captures_the_model_frames_it_polls_and_replays_them_deterministically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18: a live recording carries the NWS forecast and the rates prior it polled
    (model channel, at their poll time), and replaying it twice gives the same journal,
    with the weather and rates decisions reading exactly the recorded frames."""
    now = int(time.time() * 1000)
    day_start = (now // DAY_MS + 1) * DAY_MS  # tomorrow (UTC): a forecast, no observations
    meeting = day_start + 9 * DAY_MS
    monkeypatch.setenv("ASTRA_FRED_API_KEY", "loopback-key")
    routes = nws_routes() | fred_routes()
    routes["/gridpoints/OKX/37,38"] = _gridpoint(day_start, now)
    out = tmp_path / "live.jsonl.gz"
    markets = _model_markets(day_start, meeting)
    with (
        serve(routes) as sources,
        LoopbackVenue(VenueState(markets=markets)) as venue,
        LoopbackMarketWs(_books(markets, now), [Raw("PONG"), Pause(5)]) as ws,
    ):
        config = tmp_path / "astra.toml"
        config.write_text(
            f'[models]\nnws_base_url = "{sources.base_url}"\nfred_base_url = "{sources.base_url}"\n'
            f'rates_prior_body = "fed"\nrates_prior_meeting = "{_day(meeting)}"\n'
            "rates_prior = [[-25, 0.3], [0, 0.7]]\n",
            encoding="utf-8",
        )
        code = main(
            ["record", "--config", str(config), "--out", str(out), "--gamma-url", venue.url,
             "--ws-url", ws.url, "--tag", "21", "--duration", "1.5"]
        )  # fmt: skip
    assert code == 0
    fred_keys = {q["api_key"][0] for r in sources.requests if (q := r.query).get("api_key")}
    assert fred_keys == {"loopback-key"}
    replay = open_replay(out)
    frames = [e for _, ch, e in replay.events() if ch == "model"]
    assert replay.rejects == []
    forecast = next(f for f in frames if isinstance(f, WeatherForecast))
    prior = next(f for f in frames if isinstance(f, RatesPrior))
    assert (forecast.station, forecast.day_start_ms, forecast.value_f) == ("KLGA", day_start, 81.5)
    assert forecast.observed_f is None
    assert (prior.lower_bp, prior.upper_bp, prior.source) == (425, 450, "settings+fred")
    assert prior.outcomes == ((-25, 0.3), (0, 0.7))

    first, second = replay_journal(out, tmp_path / "a"), replay_journal(out, tmp_path / "b")
    assert first["journal_digest"] == second["journal_digest"]
    recorded = {json.dumps(f.as_dict(), sort_keys=True) for f in frames}
    weather = decisions(tmp_path / "a", "weather_exceedance")
    rates = decisions(tmp_path / "a", "rates_event")
    used = [d["analysis"]["forecast"] for d in weather if "forecast" in d["analysis"]]
    used_prior = [d["analysis"]["prior"] for d in rates if "prior" in d["analysis"]]
    assert used
    assert used_prior
    assert {json.dumps(f, sort_keys=True) for f in used + used_prior} <= recorded
    # Before its frame arrived a market skipped by name; never guessed a fair value.
    assert {d["veto"] for d in weather if "forecast" not in d["analysis"]} <= {
        "no_forecast", "book_not_synced"
    }  # fmt: skip
