"""`astra record` against loopback Gamma and market-channel servers; the result replays."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from astra.adapters.recording.replay import open_replay
from astra.cli.main import main
from astra.domain.events import BookSnapshot
from tests.adapters.loopback_http import LoopbackVenue, VenueState, synthetic_markets
from tests.adapters.loopback_ws import LoopbackMarketWs, Pause, Raw, burst_books


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
