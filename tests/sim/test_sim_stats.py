"""Simulator output: deterministic bytes, readable crypto questions, believable statistics."""

from __future__ import annotations

import gzip
import statistics
from pathlib import Path

import orjson

from astra.adapters.sim.session_writer import write_session
from astra.domain.events import Trade
from astra.domain.question_parser.parser import parse_market
from astra.domain.sim.session import MarketFrame, SessionConfig, SimSession


def test_same_seed_gives_byte_identical_files_anywhere(tmp_path: Path) -> None:
    config = SessionConfig(markets=4, minutes=2, seed=42)
    first = write_session(config, tmp_path / "a.jsonl.gz")
    second = write_session(config, tmp_path / "elsewhere.gz")
    assert first == second
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "elsewhere.gz").read_bytes()
    write_session(SessionConfig(markets=4, minutes=2, seed=43), tmp_path / "c.gz")
    assert (tmp_path / "c.gz").read_bytes() != (tmp_path / "a.jsonl.gz").read_bytes()


def test_the_file_is_the_recording_format(tmp_path: Path) -> None:
    config = SessionConfig(markets=3, minutes=1, seed=9)
    stats = write_session(config, tmp_path / "s.gz")
    lines = gzip.decompress((tmp_path / "s.gz").read_bytes()).splitlines()
    header = orjson.loads(lines[0])
    assert header["type"] == "header"
    assert header["format"] == "astra.recording"
    assert header["version"] == 1
    assert header["source"] == "synthetic"
    assert header["seed"] == 9
    assert header["created_ms"] == config.start_ms
    assert len(header["markets"]) == 3
    frames = [orjson.loads(line) for line in lines[1:]]
    assert len(frames) == stats.frames
    assert {f["channel"] for f in frames} == {"market", "spot"}
    recv = [f["recv_ms"] for f in frames]
    assert recv == sorted(recv)
    assert all(isinstance(f["data"], str) for f in frames)


def test_crypto_markets_parse_into_contracts_matching_the_simulation() -> None:
    session = SimSession(SessionConfig(markets=9, minutes=1, seed=3))
    crypto = [m for m in session.markets if m.crypto is not None]
    assert len(crypto) == 3
    for market in crypto:
        result = parse_market(market.info)
        assert result.contract is not None, (market.info.question, result.veto, result.detail)
        assert result.contract.strike * 100 == market.crypto.strike_cents
        assert result.contract.cutoff_ms == market.crypto.cutoff_ms == market.info.end_date_ms
    others = [m for m in session.markets if m.crypto is None]
    assert all(parse_market(m.info).contract is None for m in others)


def test_spreads_and_trade_rates_are_believable() -> None:
    minutes = 20
    session = SimSession(SessionConfig(markets=12, minutes=minutes, seed=21))
    spreads: list[int] = []
    trades = 0
    book_events = 0
    sims = {sim.market.info.condition_id: sim for sim in session.sims}
    for frame in session.frames():
        if not isinstance(frame, MarketFrame):
            continue
        trades += sum(isinstance(m, Trade) for m in frame.messages)
        book_events += 1
        book = sims[frame.messages[0].market].book
        bid, ask = book.best_bid(), book.best_ask()
        if bid is not None and ask is not None:
            spreads.append((ask - bid) // book.tick.pips)
    per_market_minute = trades / (len(session.sims) * minutes)
    assert 1 <= per_market_minute <= 30
    assert 20 <= book_events / (len(session.sims) * minutes) <= 300
    assert all(s >= 1 for s in spreads)  # never locked or crossed
    assert 1 <= statistics.median(spreads) <= 8
