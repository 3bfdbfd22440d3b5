"""Reports: the Reports page, a day's report as a page, and ``GET /api/v1/reports/daily/<date>``.

    GET /reports                                   today so far, any past day, download buttons
    GET /reports/<date>?format=html|csv|pdf|json   one day's report (the page, or a download)
    GET /api/v1/reports/daily/<date>?format=...    the same for devices and other programs
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from compensator.reporting import ReportFormat, parse_format, render
from compensator.services.report import build_daily_report, parse_report_date
from web.auth import login_required, require_api_actor
from web.context import runtime, unit_of_work

bp = Blueprint("reports", __name__)


def _report_response(day: str, default_format: ReportFormat) -> Response:
    venue_date = parse_report_date(day)
    report_format = parse_format(request.args.get("format", default_format.value))
    with unit_of_work() as uow:
        rendered = render(build_daily_report(uow, venue_date), report_format)
    response = Response(rendered.content, content_type=rendered.content_type)
    if report_format is not ReportFormat.HTML or request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response


@bp.get("/reports")
@login_required
def page() -> str:
    """Choose a day and open or download its report."""
    today = runtime().clock.now().astimezone(runtime().settings.venue.tz).date()
    chosen = request.args.get("date") or today.isoformat()
    return render_template("reports.html", today=today.isoformat(), chosen=chosen)


@bp.get("/reports/<day>")
@login_required
def day_report(day: str) -> ResponseReturnValue:
    """One day's report: the page itself, or a file in the format asked for."""
    return _report_response(day, ReportFormat.HTML)


@bp.get("/api/v1/reports/daily/<date>")
def api_daily(date: str) -> ResponseReturnValue:  # noqa: A002 - the path names it as SPEC appendix C does
    """The end-of-day report of a venue day, JSON by default."""
    require_api_actor()
    return _report_response(date, ReportFormat.JSON)
