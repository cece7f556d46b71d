"""`astra replay` on hostile files: one bad message is one rejection, a cut file replays.

Before: one message the JSON parser cannot hold (a `1e999` number, nesting past its depth
limit) made the whole array unreadable and `astra replay` refused the file (exit 3); a
recording cut mid-write replayed silently with exit 0.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from astra.adapters.recording.recorder import RecordingError
from astra.adapters.recording.replay import open_replay
from astra.adapters.sim.session_writer import write_session
from astra.domain.sim.session import SessionConfig
from tests.app.live_venue import ASTRA

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "fixtures/polymarket/ws_market/price_change_crossing_burst_2026-09.json"
)
BAD_NUMBER = '{"event_type":"last_trade_price","size":1e999}'
TOO_DEEP = "[" * 1100 + "]" * 1100


def run(path: Path, data_dir: Path, *extra: str) -> tuple[int, str]:
    done = subprocess.run(
        [*ASTRA, "replay", str(path), "--data-dir", str(data_dir), "--seed", "1", *extra],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _json(output: str) -> dict[str, Any]:
    line = next(line for line in output.splitlines() if line.startswith('{"'))
    summary: dict[str, Any] = json.loads(line)
    return summary


def _with_bad_messages(tmp_path: Path) -> Path:
    """The genuine burst with two unparseable messages spliced into the array."""
    messages = [json.dumps(m) for m in json.loads(FIXTURE.read_text())]
    messages.insert(3, BAD_NUMBER)
    messages.insert(10, TOO_DEEP)
    path = tmp_path / "burst_with_bad.json"
    path.write_text("[" + ",\n".join(messages) + "]")
    return path


def test_a_bad_message_in_an_array_is_one_rejection(tmp_path: Path) -> None:
    rc, out = run(_with_bad_messages(tmp_path), tmp_path / "d", "--json-summary")
    assert rc == 0, out
    summary = _json(out)
    assert summary["events"] == 51  # every genuine message still replays
    assert summary["rejected_frames"] == 2
    assert summary["truncated"] is None


def test_open_replay_counts_each_bad_element(tmp_path: Path) -> None:
    replay = open_replay(_with_bad_messages(tmp_path))
    events = list(replay.events())
    assert len(events) == 51
    assert [r.value for r, _ in replay.rejects] == ["malformed_json", "malformed_json"]
    assert replay.truncated is None


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "session.jsonl.gz"
    write_session(SessionConfig(markets=2, minutes=3, seed=5), path)
    return path


def test_a_cut_gzip_recording_replays_what_it_has_and_exits_non_zero(
    recording: Path, tmp_path: Path
) -> None:
    whole_rc, whole = run(recording, tmp_path / "whole", "--json-summary")
    assert whole_rc == 0, whole
    cut = tmp_path / "cut.jsonl.gz"
    data = recording.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    rc, out = run(cut, tmp_path / "a")
    assert rc == 5, out
    assert "TRUNCATED: the gzip stream ends before its end marker" in out
    rc, out = run(cut, tmp_path / "b", "--json-summary", "--allow-truncated")
    assert rc == 0, out
    summary = _json(out)
    assert summary["truncated"] == "the gzip stream ends before its end marker"
    assert 0 < summary["events"] < _json(whole)["events"]


def test_a_cut_last_line_is_truncation(recording: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.jsonl"
    lines = subprocess.run(
        ["gzip", "-dc", str(recording)], capture_output=True, check=True
    ).stdout.split(b"\n")
    plain.write_bytes(b"\n".join(lines[:-2]) + b"\n" + lines[-2][: len(lines[-2]) // 2])
    rc, out = run(plain, tmp_path / "a", "--json-summary")
    assert rc == 5, out
    summary = _json(out)
    assert summary["truncated"] == f"last line {len(lines) - 1} is cut"
    assert summary["events"] > 0


def _nested(depth: int) -> object:
    value: object = "t"
    for _ in range(depth):
        value = [value]
    return value


def _header_and_frames(recording: Path) -> tuple[dict[str, Any], list[bytes]]:
    lines = gzip.decompress(recording.read_bytes()).split(b"\n")
    return json.loads(lines[0]), [line for line in lines[1:] if line.strip()]


def test_a_frame_line_with_an_absurd_receive_time_is_one_rejection(
    recording: Path, tmp_path: Path
) -> None:
    header, frames = _header_and_frames(recording)
    bad = json.loads(frames[0]) | {"recv_ms": 2**62}
    path = tmp_path / "bad_recv.jsonl.gz"
    body = [json.dumps(header).encode(), json.dumps(bad).encode(), *frames[1:]]
    path.write_bytes(gzip.compress(b"\n".join(body) + b"\n"))
    replay = open_replay(path)
    assert len(list(replay.events())) > 0
    assert [d for _, d in replay.rejects] == ["line 2: recv_ms is not an int in range"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("min_size", 2**62), ("tags", _nested(40))],
)
def test_a_hostile_header_market_is_a_recording_error(
    recording: Path, tmp_path: Path, field: str, value: object
) -> None:
    header, frames = _header_and_frames(recording)
    header["markets"][0][field] = value
    path = tmp_path / "bad_header.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join([json.dumps(header).encode(), *frames]) + b"\n"))
    with pytest.raises(RecordingError):
        open_replay(path)
