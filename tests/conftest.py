"""Suite-wide fixtures."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from astra.adapters.logging_setup import _AstraHandler


@pytest.fixture(autouse=True)
def _no_leaked_log_handler() -> Iterator[None]:
    """A command run in-process (`main(["demo", ...])`) installs Astra's root log handler, as
    it does for a real process; it must not outlive the test and write into the next one's
    captured stderr."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if isinstance(h, _AstraHandler)]:
        root.removeHandler(handler)
    root.setLevel(level)
