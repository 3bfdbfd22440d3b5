"""The end-of-day report's formats: JSON, CSV, HTML (print-friendly A4) and PDF, from one ``DailyReportData``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

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


R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Renderers(Generic[R]):
    """How one kind of report is written in each format: text for JSON, CSV and HTML, bytes for the PDF."""

    json: Callable[[R], str]
    csv: Callable[[R], str]
    html: Callable[[R], str]
    pdf: Callable[[R], bytes]

    def render(self, report: R, report_format: ReportFormat, stem: str) -> RenderedReport:
        """``report`` in ``report_format``, its file named ``stem`` and the format's extension."""
        if report_format is ReportFormat.JSON:
            content = self.json(report).encode("utf-8")
        elif report_format is ReportFormat.CSV:
            content = self.csv(report).encode("utf-8")
        elif report_format is ReportFormat.HTML:
            content = self.html(report).encode("utf-8")
        else:
            content = self.pdf(report)
        return named(stem, report_format, content)


def named(stem: str, report_format: ReportFormat, content: bytes) -> RenderedReport:
    """``content`` in ``report_format`` with its type, its file named ``stem`` and the format's extension."""
    return RenderedReport(content, CONTENT_TYPES[report_format], f"{stem}.{report_format.value}")


DAILY = Renderers(json_format.render, csv_format.render, html_format.render, pdf_format.render)


def rendered_as(venue_date: date, report_format: ReportFormat, content: bytes) -> RenderedReport:
    """``content``, the report of ``venue_date`` in ``report_format``, with its type and file name."""
    return named(f"compensator-report-{venue_date.isoformat()}", report_format, content)


def render(report: DailyReportData, report_format: ReportFormat) -> RenderedReport:
    """The report in ``report_format``."""
    return DAILY.render(report, report_format, f"compensator-report-{report.venue_date.isoformat()}")
