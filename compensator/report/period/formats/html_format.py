"""The period report as a standalone HTML page: print-friendly on A4, styles inline, its charts inline SVG."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from compensator.report.formats.html_format import environment
from compensator.report.period.data import PeriodReportData
from compensator.report.period.formats import charts, layout

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(report: PeriodReportData) -> str:
    """The report as an HTML document."""
    drawn = [Markup(charts.svg(report, chart))
             for chart in charts.charts(report, lambda amount: layout.money(report, amount))]
    return environment(TEMPLATES).get_template("period.html").render(report=report, layout=layout, charts=drawn)
