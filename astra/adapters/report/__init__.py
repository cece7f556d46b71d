"""The HTML run report: a `ReportModel` rendered as one self-contained page."""

from astra.adapters.report.html import render_report, write_report
from astra.adapters.report.model import ReportModel

__all__ = ["ReportModel", "render_report", "write_report"]
