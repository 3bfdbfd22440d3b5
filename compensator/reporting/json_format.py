"""The report as JSON: every figure as a number, times in the venue's time zone, money in minor units."""

from __future__ import annotations

import dataclasses
import functools
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from compensator.reporting import layout
from compensator.services.report_data import DailyReportData


def as_data(report: DailyReportData) -> dict[str, Any]:
    """The report as JSON-ready data."""
    tz = ZoneInfo(report.timezone)
    # A busy day has tens of thousands of times, most of them shared (an outage's start is the
    # dark start of every seat it darkened): each is converted once.
    times: dict[datetime, str] = {}

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            shown = times.get(value)
            if shown is None:
                shown = times[value] = value.astimezone(tz).isoformat()
            return shown
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [convert(item) for item in value]
        if dataclasses.is_dataclass(value):
            # As ``dataclasses.asdict`` gives it, without its deep copy of every value.
            return {name: convert(getattr(value, name)) for name in _field_names(type(value))}
        return value

    # The timeline has a shape of its own; the rest is every field as it is.
    data = {name: None if name == "timeline" else convert(getattr(report, name))
            for name in _field_names(type(report))}
    data["timeline"] = [
        {"seat": row.seat_id, "zone": row.zone_id,
         "sessions": [{"start": convert(start), "end": convert(end)} for start, end in row.sessions],
         "dark": [{"start": convert(start), "end": convert(end)} for start, end in row.dark]}
        for row in report.timeline
    ]
    for item, shown in zip(data["anomalies"], report.anomalies, strict=True):
        item["text"] = layout.anomaly(shown)
    return data


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def render(report: DailyReportData) -> str:
    """The report as a JSON document."""
    return json.dumps(as_data(report), indent=2, ensure_ascii=False)
