"""The demo's HTML report in headless Chromium (Debian's `chromium`; `.ci/run` installs it
when it can): no console errors, no exceptions, no network, every main section present."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra.cli.main import main
from tests.browser.chromium import chromium_path, render

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="chromium not installed (apt-get install chromium)"
    ),
]

SECTIONS = [
    "Run", "Summary", "Performance", "Equity and drawdown", "Exposure", "By strategy",
    "Fill markouts", "Open positions", "P&L by market", "Fills", "Decision funnel",
    "Arbitrage (measured, not traded)",
]  # fmt: skip
QUERY = (
    "({headings: Array.from(document.querySelectorAll('section > h2')).map(e => e.textContent),"
    " svgs: document.querySelectorAll('svg').length,"
    " fills: document.querySelectorAll('#fills tbody tr').length,"
    " width: document.documentElement.scrollWidth})"
)


def test_demo_report_renders_cleanly_in_chromium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    facts = render(tmp_path / "demo-report.html", QUERY)
    assert facts.console_errors == []
    assert facts.exceptions == []
    assert facts.failed_requests == []
    assert facts.query["headings"] == SECTIONS
    assert facts.query["svgs"] == 5
    assert facts.query["fills"] > 0
    assert facts.screenshot.startswith(b"\x89PNG\r\n\x1a\n")
