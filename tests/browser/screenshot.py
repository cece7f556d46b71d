"""Regenerate the report screenshot in docs/: `python -m tests.browser.screenshot [OUT]`.

Runs the demo into a temporary directory and photographs its report in headless Chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from astra.cli.main import main as astra
from tests.browser.chromium import render

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "report-screenshot.png"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    with tempfile.TemporaryDirectory(prefix="astra-shot-") as tmp:
        if astra(["demo", "--data-dir", tmp]) != 0:
            return 1
        facts = render(Path(tmp) / "demo-report.html", "document.title")
    out.write_bytes(facts.screenshot)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
