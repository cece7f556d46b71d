"""The decision log query: filters by market and action, newest N, oldest first."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra.adapters.journal.decisions_query import query_decisions
from astra.adapters.journal.store import JournalStore
from tests.adapters.journal import factories as f


def test_filters_and_last_n(tmp_path: Path) -> None:
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        store.write_batch(
            [
                f.decision("market:m1", 1, action="SKIP"),
                f.decision("market:m1", 2, action="PLACE", definition_hash="h1"),
                f.decision("market:m2", 1, action="SKIP", market="m2"),
                f.decision("market:m1", 3, action="SKIP"),
                f.fill("market:m1", 4, "f1", "o1"),
            ]
        )
        with store.reading() as conn:
            everything = query_decisions(conn)
            m1_skips = query_decisions(conn, market="m1", action="SKIP")
            last_two = query_decisions(conn, last=2)
            places = query_decisions(conn, action="PLACE")
            assert query_decisions(conn, last=0) == []
            with pytest.raises(ValueError, match="last"):
                query_decisions(conn, last=-1)
    assert [(d.market, d.seq) for d in everything] == [("m1", 1), ("m1", 2), ("m2", 1), ("m1", 3)]
    assert [d.seq for d in m1_skips] == [1, 3]
    assert [(d.market, d.seq) for d in last_two] == [("m2", 1), ("m1", 3)]
    assert places[0].definition_hash == "h1"
    assert places[0].payload["gates"][0]["gate"] == "ev"
    assert places[0].to_dict()["action"] == "PLACE"
