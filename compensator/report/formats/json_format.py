"""The report as JSON: every figure as a number, times in the venue's time zone, money in minor units."""

from __future__ import annotations

import dataclasses
import functools
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from compensator.report.data import DailyReportData
from compensator.report.formats import layout


def _encoder(report: DailyReportData) -> json.JSONEncoder:
    """A compact encoder (the C one) that gives the report's records as ``dataclasses.asdict`` would, times local."""
    tz = ZoneInfo(report.timezone)
    # A busy day has tens of thousands of times, most of them shared (an outage's start is the
    # dark start of every seat it darkened): each is converted once.
    times: dict[datetime, str] = {}

    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            shown = times.get(value)
            if shown is None:
                shown = times[value] = value.astimezone(tz).isoformat()
            return shown
        if isinstance(value, date):
            return value.isoformat()
        if dataclasses.is_dataclass(value):
            # Each record is made a dict when the encoder reaches it; what it holds is encoded in turn.
            return _fields(value)
        raise TypeError(f"{type(value).__name__} is not part of a report")

    # Without indentation Python's encoder runs in C; it calls ``default`` only for the records and times.
    return json.JSONEncoder(ensure_ascii=False, default=default)


def _document(report: DailyReportData) -> dict[str, Any]:
    """The report's document, its records and times left for the encoder of ``_encoder`` to make plain."""
    # The timeline has a shape of its own, and each anomaly gets its sentence; the rest is every field as it is.
    data = _fields(report)
    data["timeline"] = [
        {"seat": row.seat_id, "zone": row.zone_id,
         "sessions": [{"start": start, "end": end} for start, end in row.sessions],
         "dark": [{"start": start, "end": end} for start, end in row.dark],
         "faults": [{"start": start, "end": end} for start, end in row.faults]}
        for row in report.timeline
    ]
    data["anomalies"] = [{**_fields(item), "text": layout.anomaly(item)} for item in report.anomalies]
    return data


def _fields(record: object) -> dict[str, Any]:
    """A record's fields by name, as they are (``dataclasses.asdict`` without its deep copy)."""
    # Typed as a bare class: mypy does not take a ``type[...]`` for Hashable (python/mypy#11470).
    kind: type = type(record)
    return {name: getattr(record, name) for name in _field_names(kind)}


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def render(report: DailyReportData) -> str:
    """The report as a compact JSON document."""
    return _encoder(report).encode(_document(report))
