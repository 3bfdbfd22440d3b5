"""Reports: the Reports page, one day's report as a page or a download, and the daily report API.

    GET /reports?date=YYYY-MM-DD                   the page: today so far or any past day, downloads
    GET /reports/<date>?format=html|csv|pdf|json   one day's report (the document, or a file)
    GET /api/v1/reports/daily/<date>?format=...    the same for devices and other programs
    GET /reports?from=YYYY-MM-DD&to=YYYY-MM-DD     the page with a period: this week, this month, last month, any
    GET /reports/period?from=&to=&format=...       a period's report (the document, or a file)
    GET /api/v1/reports/period?from=&to=&format=   the same for devices and other programs
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, make_response, render_template, request
from flask.typing import ResponseReturnValue

from compensator.collector import collector_held_off
from compensator.errors import InvalidInput, NotFound, TimeOutOfRange
from compensator.report.build import check_report_date, parse_report_date
from compensator.report.formats import RenderedReport, ReportFormat, parse_format
from compensator.report.period import formats as period_formats
from compensator.report.period.build import build_period_report, parse_period
from web.api_json import query
from web.auth import login_required, require_api_actor
from web.context import reading, runtime, venue_today
from web.downloads import file_response
from web.i18n import gettext
from web.schemas.devices import PeriodReportQuery, ReportQuery
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
    return _file_response(rendered, report_format)


@collector_held_off()
def _period_response(default_format: ReportFormat) -> Response:
    report_format = parse_format(request.args.get("format", default_format.value))
    with reading() as uow:
        report = build_period_report(uow, request.args.get("from", ""), request.args.get("to", ""))
    return _file_response(period_formats.render(report, report_format), report_format)


def _file_response(rendered: RenderedReport, report_format: ReportFormat) -> Response:
    attachment = report_format in ALWAYS_DOWNLOADED or bool(request.args.get("download"))
    return file_response(rendered.content, rendered.content_type, rendered.filename, attachment=attachment)


@bp.get("/reports")
@login_required
def page() -> str:
    """Choose a day or a period and read or download its report."""
    today = venue_today()
    chosen = request.args.get("date") or today.isoformat()
    period = None
    error = None
    try:
        with reading() as uow:
            if request.args.get("from") or request.args.get("to"):
                first, last = parse_period(uow, request.args.get("from", ""), request.args.get("to", ""))
                period = (first.isoformat(), last.isoformat())
            else:
                chosen = check_report_date(uow, chosen).isoformat()
    except (InvalidInput, NotFound, TimeOutOfRange) as problem:
        error = problem.message
    return render_template("reports.html", today=today.isoformat(), chosen=chosen, period=period, error=error,
                           periods=_periods(today), formats=[report_format.value for report_format in ReportFormat])


def _periods(today: date) -> list[tuple[str, str, str]]:
    """The periods offered in one click: (label, first day, last day) of this week, this month and last month."""
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    return [(gettext("This week"), (today - timedelta(days=today.weekday())).isoformat(), today.isoformat()),
            (gettext("This month"), month_start.isoformat(), today.isoformat()),
            (gettext("Last month"), last_month_end.replace(day=1).isoformat(), last_month_end.isoformat())]


@bp.get("/reports/period")
@login_required
def period_report() -> ResponseReturnValue:
    """A period's report: the document itself, or a file in the format asked for."""
    return _framable(make_response(_period_response(ReportFormat.HTML)))


@bp.get("/reports/<day>")
@login_required
def day_report(day: str) -> ResponseReturnValue:
    """One day's report: the document itself, or a file in the format asked for."""
    return _framable(make_response(_report_response(day, ReportFormat.HTML)))


def _framable(response: Response) -> Response:
    # The reports page shows the document in a frame of its own: only this site may frame it.
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


@bp.get("/api/v1/reports/period")
def api_period() -> ResponseReturnValue:
    """The report of a period of venue days, JSON unless another format is asked for."""
    require_api_actor()
    query(PeriodReportQuery)
    return _period_response(ReportFormat.JSON)
