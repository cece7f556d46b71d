"""The HTML run report: inline-SVG charts from plain rows (`write_report`)."""

from astra.adapters.report.html import write_report

__all__ = ["write_report"]
