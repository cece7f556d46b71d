"""`astra db backup|restore|check` and `astra decisions`, through the real entry point."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.store import JournalStore
from astra.cli.main import main
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.adapters.journal import factories as f


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ASTRA_CONFIG", raising=False)
    with JournalStore.open(journal_path(tmp_path)) as store:
        store.write_batch(f.healthy_session())
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_json_healthy_exits_zero(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "db", "check", "--data-dir", str(data_dir), "--json")
    report = json.loads(out)
    assert code == 0
    assert report["ok"] is True
    assert report["problems"] == []
    assert report["counts"]["fill"] == 2


def test_check_json_names_a_fill_without_order(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with JournalStore.open(journal_path(data_dir)) as store:
        store.write_batch([f.fill("market:m1", 7, "f9", "ghost-order")])
    code, out, _ = _run(capsys, "db", "check", "--data-dir", str(data_dir), "--json")
    problems = json.loads(out)["problems"]
    assert code == 3
    assert "fill_without_order" in {p["code"] for p in problems}
    assert any("ghost-order" in p["detail"] for p in problems)


def test_check_text_names_a_changed_ledger_value(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(journal_path(data_dir))
    conn.execute("UPDATE ledger_entries SET cash = cash + 1 WHERE seq = 3")
    conn.commit()
    conn.close()
    code, out, _ = _run(capsys, "db", "check", "--data-dir", str(data_dir))
    assert code == 3
    assert out.startswith("projection_mismatch: ledger_entries row ('risk', 3)")


def test_check_missing_journal_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "db", "check", "--data-dir", str(tmp_path / "empty"), "--json")
    assert code == 3
    assert json.loads(out)["problems"][0]["code"] == "missing"


def test_backup_then_restore_round_trip(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "db", "backup", "--data-dir", str(data_dir), "--json")
    made = Path(json.loads(out)["backup"])
    assert code == 0
    assert made.parent == data_dir / "backups"
    with JournalStore.open(journal_path(data_dir)) as store:
        store.write_batch([f.decision("late", 1)])
    code, out, _ = _run(capsys, "db", "restore", "--data-dir", str(data_dir))
    assert code == 0
    assert "restored" in out
    with JournalStore.open(journal_path(data_dir)) as store:
        assert store.max_seq("late") == 0
        assert store.max_seq("risk") == 5


def test_restore_without_backups_is_one_line_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "db", "restore", "--data-dir", str(data_dir))
    assert code == 1
    assert err.strip() == f"astra db: no backups in {data_dir / 'backups'}"


def test_decisions_filters_and_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with JournalStore.open(journal_path(data_dir)) as store:
        store.write_batch([f.decision("market:m2", 1, action="SKIP", market="m2")])
    code, out, _ = _run(capsys, "decisions", "--data-dir", str(data_dir), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(r["market"], r["action"]) for r in rows] == [("m1", "PLACE"), ("m2", "SKIP")]
    code, out, _ = _run(
        capsys, "decisions", "--data-dir", str(data_dir), "--action", "skip", "--last", "1"
    )
    assert code == 0
    assert out.splitlines() == ["1970-01-01T00:00:01.001Z m2 SKIP ev:ev run=run-1"]
    code, out, _ = _run(capsys, "decisions", "--data-dir", str(data_dir), "--market", "nope")
    assert (code, out) == (0, "")


def test_decisions_without_journal_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "decisions", "--data-dir", str(tmp_path))
    assert code == 1
    assert err.startswith("astra decisions: no journal at")


def test_backup_keeps_the_configured_number_unless_keep_overrides(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "astra.toml"
    config.write_text("[journal]\nbackups_keep = 2\n")
    args = ("db", "backup", "--config", str(config), "--data-dir", str(data_dir), "--json")
    for _ in range(3):
        code, out, _ = _run(capsys, *args)
        assert code == 0
    kept = json.loads(out)["kept"]
    assert len(kept) == 2
    assert len(list((data_dir / "backups").glob("astra-*.sqlite3"))) == 2
    for _ in range(2):
        code, out, _ = _run(capsys, *args, "--keep", "3")
        assert code == 0
    assert len(json.loads(out)["kept"]) == 3


def _replay_journal(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "replay.sqlite3"
    path.parent.mkdir()
    with JournalStore.open(path) as store:
        store.write_batch(f.healthy_session())
        store.write_batch([f.decision("market:m2", 1, action="SKIP", market="m2")])
    return path


def test_check_and_decisions_read_the_journal_flag_over_the_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASTRA_CONFIG", raising=False)
    path = _replay_journal(tmp_path)
    empty = str(tmp_path / "empty")
    code, out, _ = _run(capsys, "db", "check", "--data-dir", empty, "--journal", str(path))
    assert code == 0
    assert out.startswith(f"ok: {path} (")
    code, out, _ = _run(capsys, "decisions", "--data-dir", empty, "--journal", str(path), "--json")
    assert code == 0
    assert [json.loads(line)["market"] for line in out.splitlines()] == ["m1", "m2"]
    assert not (tmp_path / "empty").exists()


@pytest.mark.parametrize("command", [("db", "check"), ("decisions",)])
def test_a_missing_journal_flag_file_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    missing = tmp_path / "nope.sqlite3"
    code, out, err = _run(capsys, *command, "--journal", str(missing))
    assert code == 1
    assert out == ""
    assert err == f"astra {command[0]}: journal not found: {missing}\n"
    assert not missing.exists()


def test_decisions_name_the_builders_reason_for_a_skipped_market(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A market without a contract journals SKIP `no_contract` with the builder's reason as
    its detail and as the definition gate's detail (what MarketState writes)."""
    record = f.decision("market:m3", 1, action="skip", market="m3")
    why = "no_end_date: Gamma gives no endDate"
    payload = record.data() | {
        "gates": [],
        "veto": "no_contract",
        "detail": why,
        "definition": {
            "gate": "definition",
            "passed": False,
            "reason": "no_contract",
            "detail": why,
        },
    }
    skipped = JournalRecord.build("market:m3", 1, RecordKind.DECISION, 1_001, "m3", payload)
    with JournalStore.open(journal_path(data_dir)) as store:
        store.write_batch([skipped])
    code, out, _ = _run(
        capsys, "decisions", "--data-dir", str(data_dir), "--market", "m3", "--json"
    )
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["action"], row["veto"], row["detail"]) == ("skip", "no_contract", why)
    assert row["definition"]["detail"] == why
