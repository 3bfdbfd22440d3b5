"""The report as a standalone HTML page: print-friendly on A4, styles inline, the timeline inline.

Jinja2 is used directly (not through Flask) so the engine can render the report for the CLI and
the scheduler as well as for the web app. The page is the template's, but for its two long
lists, a busy day's thousands of compensations and of notices never delivered: their rows are
written here in Python (every value escaped as the template escapes it), since a Jinja loop
costs several times as much per row.
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from compensator.report.data import DailyReportData
from compensator.report.formats import layout
from compensator.report.formats.svg_timeline import render_svg

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=4)
def environment(templates: Path = TEMPLATES) -> Environment:
    """The Jinja2 environment of the report templates in ``templates`` (the day's, or the period's)."""
    # Built on first use and kept: templates are compiled once per process.
    return Environment(loader=FileSystemLoader(templates), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def render(report: DailyReportData) -> str:
    """The report as an HTML document."""
    return environment().get_template("report.html").render(
        report=report, layout=layout, headline=layout.headline(report), reliability=layout.reliability(report),
        takings=layout.takings(report), ups=layout.ups(report), equipment=layout.equipment(report),
        timeline=Markup(render_svg(report)),
        compensation_rows=_compensation_rows(report), anomaly_items=_anomaly_items(report))


def _compensation_rows(report: DailyReportData) -> Markup:
    """The compensations table's rows, one ``<tr>`` of ten cells each, its lines indented as the template's."""
    rows = []
    for row in report.compensations:
        figures = row.figures
        waived = f" ({row.waived_minutes} waived)" if row.waived_minutes else ""
        notice = row.notice.value if row.notice else layout.NOTHING
        adjustments = "".join(f"<br>Then {escape(adjustment)}" for adjustment in row.adjustments)
        rows.append(
            f'  <tr>\n'
            f'    <td>{escape(row.seat_id)}</td><td>{row.outage_id}</td><td class="num">{figures.lost_minutes}</td>\n'
            f'    <td class="num">{figures.credit_minutes}</td>\n'
            f'    <td class="num">{row.granted_minutes}{waived}</td>\n'
            f'    <td>{escape(row.forms_given)}</td>'
            f'<td class="num">{escape(layout.money(report, row.given_value_minor))}</td>\n'
            f'    <td>{escape(row.status.value.replace("_", " "))}</td><td>{escape(notice)}</td>\n'
            f'    <td class="explanation">{escape(row.explanation)}{adjustments}</td>\n'
            f'  </tr>\n')
    return Markup("".join(rows))


def _anomaly_items(report: DailyReportData) -> Markup:
    """The list of what to look at, one ``<li>`` each."""
    return Markup("".join(f'  <li class="anomaly">{escape(layout.anomaly(item))}</li>\n' for item in report.anomalies))
