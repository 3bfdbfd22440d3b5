"""The report as JSON: every figure, with times in the venue's time zone and money in minor units."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from compensator.services.report import DailyReport


def as_data(report: DailyReport) -> dict[str, Any]:
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
    data["outage_bands"] = [{"outage": outage, "start": start, "end": end} for outage, start, end in data["outage_bands"]]
    data["timeline"] = [
        {"seat": row["seat_id"], "sessions": [{"start": a, "end": b} for a, b in row["sessions"]],
         "dark": [{"start": a, "end": b} for a, b in row["dark"]]}
        for row in data["timeline"]
    ]
    return data


def render(report: DailyReport) -> str:
    """The report as a JSON document."""
    return json.dumps(as_data(report), indent=2, ensure_ascii=False)
