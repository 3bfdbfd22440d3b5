"""The period report's formats: JSON, CSV, HTML (print-friendly A4, charts in inline SVG) and PDF (fpdf2 drawing)."""

from __future__ import annotations

from compensator.report.formats import RenderedReport, Renderers, ReportFormat
from compensator.report.period.data import PeriodReportData
from compensator.report.period.formats import csv_format, html_format, json_format, pdf_format

PERIOD = Renderers(json_format.render, csv_format.render, html_format.render, pdf_format.render)


def render(report: PeriodReportData, report_format: ReportFormat) -> RenderedReport:
    """The period report in ``report_format``, with its type and file name."""
    return PERIOD.render(report, report_format, f"compensator-report-{report.first_day.isoformat()}-to-"
                                                f"{report.last_day.isoformat()}")
