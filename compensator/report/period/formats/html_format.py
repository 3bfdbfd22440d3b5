"""The period report as a standalone HTML page: print-friendly on A4, styles inline, its charts inline SVG."""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from compensator.report.period.data import PeriodReportData
from compensator.report.period.formats import charts, layout

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def render(report: PeriodReportData) -> str:
    """The report as an HTML document."""
    drawn = [Markup(charts.svg(report, chart))
             for chart in charts.charts(report, lambda amount: layout.money(report, amount))]
    return _environment().get_template("period.html").render(report=report, layout=layout, charts=drawn)
