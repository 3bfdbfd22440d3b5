"""The report as a standalone HTML page: print-friendly on A4, styles inline, the timeline inline.

Jinja2 is used directly (not through Flask) so the engine can render the report for the CLI and
the scheduler as well as for the web app.
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from compensator.reporting import layout
from compensator.reporting.timeline import render_svg
from compensator.services.report_data import DailyReportData

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    # Built on first use and kept: templates are compiled once per process.
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def render(report: DailyReportData) -> str:
    """The report as an HTML document."""
    return _environment().get_template("report.html").render(
        report=report, layout=layout, headline=layout.headline(report), reliability=layout.reliability(report),
        takings=layout.takings(report), timeline=Markup(render_svg(report)))
