"""Reports: the Reports page, one day's report as a page or a download, and the daily report API.

    GET /reports?date=YYYY-MM-DD                   the page: today so far or any past day, downloads
    GET /reports/<date>?format=html|csv|pdf|json   one day's report (the document, or a file)
    GET /api/v1/reports/daily/<date>?format=...    the same for devices and other programs
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request
from flask.typing import ResponseReturnValue

from compensator.collector import collector_held_off
from compensator.errors import InvalidInput, NotFound
from compensator.report.build import check_report_date, parse_report_date
from compensator.report.formats import ReportFormat, parse_format
from web.api_json import query
from web.auth import login_required, require_api_actor
from web.context import reading, runtime
from web.schemas.devices import ReportQuery
from web.security import CONTENT_SECURITY_POLICY

bp = Blueprint("reports", __name__)

# A spreadsheet or a PDF is always a file to save; JSON and HTML show in the browser unless asked.
ALWAYS_DOWNLOADED = (ReportFormat.CSV, ReportFormat.PDF)


@collector_held_off()
def _report_response(day: str, default_format: ReportFormat) -> Response:
    venue_date = parse_report_date(day)
    report_format = parse_format(request.args.get("format", default_format.value))
    with reading() as uow:
        rendered = runtime().reports.rendered(uow, venue_date, report_format)
    response = Response(rendered.content, content_type=rendered.content_type)
    disposition = "attachment" if report_format in ALWAYS_DOWNLOADED or request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{rendered.filename}"'
    # Today's report changes by the minute: a browser must not show a stale copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports")
@login_required
def page() -> str:
    """Choose a day and read or download its report."""
    today = runtime().clock.now().astimezone(runtime().settings.venue.tz).date().isoformat()
    chosen = request.args.get("date") or today
    error = None
    try:
        with reading() as uow:
            chosen = check_report_date(uow, chosen).isoformat()
    except (InvalidInput, NotFound) as problem:
        error = problem.message
    return render_template("reports.html", today=today, chosen=chosen, error=error,
                           formats=[report_format.value for report_format in ReportFormat])


@bp.get("/reports/<day>")
@login_required
def day_report(day: str) -> ResponseReturnValue:
    """One day's report: the document itself, or a file in the format asked for."""
    response = make_response(_report_response(day, ReportFormat.HTML))
    # The reports page shows this document in a frame of its own: only this site may frame it.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/api/v1/reports/daily/<date>")
def api_daily(date: str) -> ResponseReturnValue:
    """The end-of-day report of a venue day, JSON unless another format is asked for."""
    require_api_actor()
    query(ReportQuery)
    return _report_response(date, ReportFormat.JSON)
