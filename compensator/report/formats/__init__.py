"""The end-of-day report's formats: JSON, CSV, HTML (print-friendly A4) and PDF, from one ``DailyReportData``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from compensator.errors import InvalidInput
from compensator.report.data import DailyReportData
from compensator.report.formats import csv_format, html_format, json_format, pdf_format


class ReportFormat(StrEnum):
    """The formats a report can be had in."""

    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """A report in one format, ready to save or send."""

    content: bytes
    content_type: str
    filename: str


def parse_format(value: object) -> ReportFormat:
    """The format named ``value``, or ``InvalidInput`` naming the field."""
    try:
        return ReportFormat(str(value).strip().lower())
    except ValueError:
        raise InvalidInput("the format must be json, csv, html or pdf", field="format") from None


CONTENT_TYPES = {
    ReportFormat.JSON: "application/json",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
}


def rendered_as(venue_date: date, report_format: ReportFormat, content: bytes) -> RenderedReport:
    """``content``, the report of ``venue_date`` in ``report_format``, with its type and file name."""
    filename = f"compensator-report-{venue_date.isoformat()}.{report_format.value}"
    return RenderedReport(content, CONTENT_TYPES[report_format], filename)


def render(report: DailyReportData, report_format: ReportFormat) -> RenderedReport:
    """The report in ``report_format``."""
    if report_format is ReportFormat.JSON:
        content = json_format.render(report).encode("utf-8")
    elif report_format is ReportFormat.CSV:
        content = csv_format.render(report).encode("utf-8")
    elif report_format is ReportFormat.HTML:
        content = html_format.render(report).encode("utf-8")
    else:
        content = pdf_format.render(report)
    return rendered_as(report.venue_date, report_format, content)
