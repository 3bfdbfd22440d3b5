"""The period report's formats: JSON, CSV, HTML (print-friendly A4, charts in inline SVG) and PDF (fpdf2 drawing)."""

from __future__ import annotations

from compensator.report.formats import CONTENT_TYPES, RenderedReport, ReportFormat
from compensator.report.period.data import PeriodReportData
from compensator.report.period.formats import csv_format, html_format, json_format, pdf_format


def render(report: PeriodReportData, report_format: ReportFormat) -> RenderedReport:
    """The period report in ``report_format``, with its type and file name."""
    if report_format is ReportFormat.JSON:
        content = json_format.render(report).encode("utf-8")
    elif report_format is ReportFormat.CSV:
        content = csv_format.render(report).encode("utf-8")
    elif report_format is ReportFormat.HTML:
        content = html_format.render(report).encode("utf-8")
    else:
        content = pdf_format.render(report)
    filename = (f"compensator-report-{report.first_day.isoformat()}-to-{report.last_day.isoformat()}"
                f".{report_format.value}")
    return RenderedReport(content, CONTENT_TYPES[report_format], filename)
