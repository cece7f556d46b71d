"""`astra --version`: the installed package's version and, from a git checkout, its revision."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path


def describe() -> str:
    try:
        version = metadata.version("astra")
    except metadata.PackageNotFoundError:
        version = "unknown"
    revision = git_revision(Path(__file__).resolve().parents[2])
    return f"astra {version}" + (f" (git {revision})" if revision else "")


def git_revision(root: Path) -> str | None:
    """The short commit of `root` with `-dirty` for uncommitted changes; None outside a checkout
    or without git (never an error: the version must always print)."""
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=10"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout.strip()
    return text if done.returncode == 0 and text else None
