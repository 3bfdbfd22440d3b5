"""The end-of-day report's formats: JSON, CSV, HTML (print-friendly A4) and PDF, from one ``DailyReportData``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from compensator.collector import collector_held_off
from compensator.errors import InvalidInput
from compensator.reporting import csv_format, html_format, json_format, pdf_format
from compensator.services.report_data import DailyReportData


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


@collector_held_off()
def render(report: DailyReportData, report_format: ReportFormat) -> RenderedReport:
    """The report in ``report_format`` (the garbage collector held off: see ``compensator.collector``)."""
    filename = f"compensator-report-{report.venue_date.isoformat()}.{report_format.value}"
    if report_format is ReportFormat.JSON:
        return RenderedReport(json_format.render(report).encode("utf-8"), "application/json", filename)
    if report_format is ReportFormat.CSV:
        return RenderedReport(csv_format.render(report).encode("utf-8"), "text/csv; charset=utf-8", filename)
    if report_format is ReportFormat.HTML:
        return RenderedReport(html_format.render(report).encode("utf-8"), "text/html; charset=utf-8", filename)
    return RenderedReport(pdf_format.render(report), "application/pdf", filename)
