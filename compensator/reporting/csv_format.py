"""The report as one sectioned CSV file.

Each section starts with a line ``# name`` (figures, reliability, outages, compensations,
anomalies), then a header row and its rows; a blank line ends it. Spreadsheets open it as is,
and a program can split it on the ``#`` lines. Times are local; money is in minor units.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from compensator.services.report import DailyReport


def render(report: DailyReport) -> str:
    """The report as sectioned CSV text."""
    tz = ZoneInfo(report.timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def cell(value: object) -> object:
        if isinstance(value, datetime):
            return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        return "" if value is None else value

    def section(name: str, header: list[str], rows: list[list[object]]) -> None:
        writer.writerow([f"# {name}"])
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(value) for value in row])
        writer.writerow([])

    section("report", ["venue", "date", "from", "to", "complete", "currency"],
            [[report.venue_name, report.venue_date.isoformat(), report.window_start, report.window_end,
              report.complete, report.currency]])
    section("figures", ["figure", "value"], [[key, value] for key, value in dataclasses.asdict(report.figures).items()])
    section("reliability", ["figure", "value"],
            [[key, value] for key, value in dataclasses.asdict(report.reliability).items()])
    outage_fields = [field.name for field in dataclasses.fields(report.outages[0])] if report.outages else \
        ["id", "kind", "scope", "source", "status", "started_at", "ended_at", "minutes_in_day", "logged_by",
         "corrections", "compensations", "note"]
    section("outages", outage_fields, [[getattr(row, name) for name in outage_fields] for row in report.outages])
    compensation_fields = ["id", "outage_id", "session_id", "seat_id", "lost_minutes", "credit_minutes",
                           "granted_minutes", "waived_minutes", "form", "status", "value_minor", "notice_status",
                           "explanation"]
    section("compensations", compensation_fields,
            [[getattr(row, name) for name in compensation_fields] for row in report.compensations])
    section("anomalies", ["kind", "text"], [[item.kind, item.text] for item in report.anomalies])
    return buffer.getvalue()
