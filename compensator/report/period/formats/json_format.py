"""The period report as JSON: figures as numbers, money in minor units, days as ISO dates, times local."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from compensator.report.period.data import Indices, PeriodReportData

INDEX_FIELDS = ("seats", "cuts", "saifi", "saidi_minutes", "caidi_minutes", "maifi", "asai_percent", "sessions",
                "sessions_interrupted", "interrupted_percent", "credit_minutes", "credit_value_minor", "takings_minor",
                "credit_share_percent")


def _indices(row: Indices) -> dict[str, Any]:
    found: dict[str, Any] = {"zone": row.zone, "zone_name": row.zone_name}
    found.update((name, getattr(row, name)) for name in INDEX_FIELDS)
    if row.margin is not None:
        margin = row.margin
        found["margin"] = {"ups_minutes": margin.ups_minutes, "median_restore_minutes": margin.median_restore_minutes,
                           "short_minutes": margin.short_minutes, "short_cuts": margin.short_cuts,
                           "cuts": margin.cuts}
    return found


def document(report: PeriodReportData) -> dict[str, Any]:
    """The report as plain data, its top-level keys those of the API's ``PeriodReport``."""
    tz = ZoneInfo(report.timezone)
    owed = report.owed
    return {
        "period": {"from": report.first_day.isoformat(), "to": report.last_day.isoformat(),
                   "days": len(report.days), "start": report.window_start.astimezone(tz).isoformat(),
                   "end": report.window_end.astimezone(tz).isoformat(), "complete": report.complete,
                   "generated_at": report.generated_at.astimezone(tz).isoformat(), "venue_name": report.venue_name,
                   "currency": report.currency, "timezone": report.timezone},
        "venue": _indices(report.venue),
        "zones": [_indices(row) for row in report.zones],
        "days": [{"date": point.day.isoformat(), "cuts": point.cuts,
                  "minutes_lost_per_seat": point.minutes_lost_per_seat, "credit_minutes": point.credit_minutes,
                  "credit_value_minor": point.credit_value_minor} for point in report.days],
        "restore_minutes": {"cuts": report.restore.cuts, "median": report.restore.median, "p90": report.restore.p90},
        "vouchers": {
            "outstanding_count": owed.outstanding_count, "outstanding_minutes": owed.outstanding_minutes,
            "outstanding_value_minor": owed.outstanding_value_minor,
            "by_age": [{"age": band.label, "count": band.count, "minutes": band.minutes,
                        "value_minor": band.value_minor} for band in owed.by_age],
            "expiring_7_days_count": owed.expiring_7_days_count,
            "expiring_7_days_value_minor": owed.expiring_7_days_value_minor,
            "issued": owed.issued, "redeemed": owed.redeemed, "expired": owed.expired,
            "expired_value_minor": owed.expired_value_minor},
        "care": {"attendants": [{"attendant": row.attendant, "letters": row.letters, "shown": row.shown,
                                 "printed": row.printed, "declined": row.declined,
                                 "median_minutes_to_handover": row.median_minutes_to_handover,
                                 "happy": row.happy, "neutral": row.neutral, "unhappy": row.unhappy}
                                for row in report.care.attendants],
                 "letters_pending": report.care.letters_pending,
                 "pending_value_minor": report.care.pending_value_minor},
        "retention": {"issued": report.retention.issued,
                      "redeemed_within_7_days": report.retention.redeemed_within_7_days,
                      "redeemed_within_30_days": report.retention.redeemed_within_30_days},
        "findings": [{"text": finding.text, "cost_minor": finding.cost_minor} for finding in report.findings],
    }


def render(report: PeriodReportData) -> str:
    """The report as a compact JSON document."""
    return json.dumps(document(report), ensure_ascii=False, separators=(",", ":"))
