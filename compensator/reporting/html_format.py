"""The report as a standalone HTML page, print-friendly on A4, with the timeline inline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from compensator.notices import format_money
from compensator.reporting.timeline import render_svg
from compensator.services.report import DailyReport

TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                           trim_blocks=True, lstrip_blocks=True)


def render(report: DailyReport) -> str:
    """The report as an HTML document."""
    tz = ZoneInfo(report.timezone)

    def local(moment: datetime | None, pattern: str = "%H:%M") -> str:
        return moment.astimezone(tz).strftime(pattern) if moment else "—"

    def money(amount_minor: int) -> str:
        return format_money(amount_minor, report.currency)

    return _environment.get_template("report.html").render(
        report=report, local=local, money=money, timeline=Markup(render_svg(report)))
