"""The report as JSON: every figure as a number, times in the venue's time zone, money in minor units."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from compensator.reporting import layout
from compensator.services.report_data import DailyReportData


def as_data(report: DailyReportData) -> dict[str, Any]:
    """The report as JSON-ready data."""
    tz = ZoneInfo(report.timezone)

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(tz).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [convert(item) for item in value]
        return value

    data = convert(dataclasses.asdict(report))
    data["timeline"] = [
        {"seat": row["seat_id"], "zone": row["zone_id"],
         "sessions": [{"start": start, "end": end} for start, end in row["sessions"]],
         "dark": [{"start": start, "end": end} for start, end in row["dark"]]}
        for row in data["timeline"]
    ]
    for item, shown in zip(data["anomalies"], report.anomalies, strict=True):
        item["text"] = layout.anomaly(shown)
    return data


def render(report: DailyReportData) -> str:
    """The report as a JSON document."""
    return json.dumps(as_data(report), indent=2, ensure_ascii=False)
