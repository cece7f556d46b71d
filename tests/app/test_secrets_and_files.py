"""Secrets never leave the process; backups are one file each.

Before: the alert webhook URL (the credential itself for Slack-style hooks) was stored in
plain text in every run manifest and so in every backup, and printed by `astra config show`;
every backup left `.partial-wal`/`.partial-shm` files behind.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from astra.adapters.journal.backup import backup, list_backups, restore
from astra.adapters.journal.runs import config_hash, list_runs, open_run
from astra.adapters.journal.store import JournalStore
from astra.adapters.logging_setup import Redactor
from astra.app.recovery_start import recover_and_open
from astra.cli.paper import _register_secrets
from astra.settings import Settings, load_settings
from tests.app.live_venue import ASTRA

WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
CLOB_WITH_KEY = "https://trader:pa55word@clob.example:8443/api?apikey=k3y-value"
SECRET_PARTS = ("XXXXsecretXXXX", "pa55word", "k3y-value")


def _settings(tmp_path: Path) -> Settings:
    return load_settings(
        overrides={
            "data": {"dir": str(tmp_path)},
            "alerts": {"webhook_url": WEBHOOK},
            "venue": {"clob_url": CLOB_WITH_KEY},
        }
    )


def _no_secret(text: str) -> None:
    for part in SECRET_PARTS:
        assert part not in text


def test_the_webhook_is_marked_secret_in_one_place() -> None:
    from astra.settings import secret_settings

    assert ("alerts", "webhook_url") in secret_settings()


def test_config_show_redacts_text_and_json(tmp_path: Path) -> None:
    env = {"ASTRA_ALERTS__WEBHOOK_URL": WEBHOOK, "ASTRA_VENUE__CLOB_URL": CLOB_WITH_KEY}
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [*ASTRA, "config", "show", *extra],
            capture_output=True, text=True, timeout=60, check=True,
            env={**_base_env(), **env},
        )  # fmt: skip
        _no_secret(done.stdout)
        assert "<redacted>" in done.stdout
        assert "clob.example:8443/api" in done.stdout  # the rest of the URL is still shown


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("ASTRA_")}


def test_run_manifest_holds_no_secret(tmp_path: Path) -> None:
    with JournalStore.open(tmp_path / "astra.sqlite3") as store:
        start = recover_and_open(store, _settings(tmp_path), 1_780_000_000_000, run_id="r1")
        _no_secret(start.run.config_json)
        with store.reading() as conn:
            (stored,) = list_runs(conn)
        _no_secret(stored.config_json)
        assert json.loads(start.run.config_json)["settings"]["alerts"]["webhook_url"] == (
            "<redacted>"
        )


def test_a_backup_is_one_file_without_sidecars(tmp_path: Path) -> None:
    db = tmp_path / "astra.sqlite3"
    with JournalStore.open(db) as store:
        open_run(store, run_id="r", started_ms=1, code_version="x", config={"settings": {}})
        first = backup(db, tmp_path / "backups")
        second = backup(db, tmp_path / "backups")
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [first.name, second.name]


def test_backup_scrubs_an_old_plain_manifest_and_leaves_no_sidecars(tmp_path: Path) -> None:
    db = tmp_path / "astra.sqlite3"
    with JournalStore.open(db) as store:  # a journal written before redaction existed
        plain = {"settings": _settings(tmp_path).to_dict()}
        open_run(store, run_id="old", started_ms=1, code_version="x", config=plain)
        made = backup(db, tmp_path / "backups", secrets=(("alerts", "webhook_url"),))
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [made.name]
    assert list_backups(tmp_path / "backups") == [made]
    assert b"XXXXsecretXXXX" not in made.read_bytes()
    conn = sqlite3.connect(made)
    try:
        (run,) = list_runs(conn)
    finally:
        conn.close()
    assert run.config_hash == config_hash(run.config_json)  # recomputed over the scrubbed form
    restored = tmp_path / "restored" / "astra.sqlite3"
    restore(made, restored)
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [made.name]


def test_every_secret_setting_is_masked_in_logs(tmp_path: Path) -> None:
    redactor = Redactor()
    _register_secrets(redactor, _settings(tmp_path))
    line = redactor.redact(f"posting to {WEBHOOK} after GET {CLOB_WITH_KEY}/book")
    _no_secret(line)
