"""Where the journal lives, so every command and the paper trader agree on one file."""

from __future__ import annotations

from pathlib import Path

DEFAULT_DATA_DIR = Path("data")
JOURNAL_FILENAME = "astra.sqlite3"
BACKUP_DIRNAME = "backups"


def journal_path(data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    """The journal file inside a data directory: `<data-dir>/astra.sqlite3`."""
    return Path(data_dir) / JOURNAL_FILENAME


def backup_dir(data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    """Rotated backups live beside the journal, in `<data-dir>/backups/`."""
    return Path(data_dir) / BACKUP_DIRNAME
