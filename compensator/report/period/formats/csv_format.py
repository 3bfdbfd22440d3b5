"""The period report as CSV: one section per table, each under a ``# title`` line, a blank line between.

Money is in minor units and figures use the JSON's keys; as in the day's CSV, text a spreadsheet
would take for a formula (a zone or an attendant named ``=...``) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from compensator.report.formats.csv_format import FORMULA_STARTS
from compensator.report.period.data import PeriodReportData
from compensator.report.period.formats.json_format import INDEX_FIELDS


def _cell(value: object) -> object:
    """A value as the CSV writes it: nothing for None, text a spreadsheet would run as a formula behind ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _section(out: io.StringIO, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    out.write(f"# {title}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    out.write("\n")


def render(report: PeriodReportData) -> str:
    """The report as CSV text (with a byte-order mark, so that spreadsheets read it as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    _section(out, "Period", ("from", "to", "days", "complete", "currency"),
             [(report.first_day.isoformat(), report.last_day.isoformat(), len(report.days), report.complete,
               report.currency)])
    _section(out, "Power and credits per seat", ("zone", *INDEX_FIELDS),
             [(row.zone or "venue", *(getattr(row, name) for name in INDEX_FIELDS))
              for row in (*report.zones, report.venue)])
    _section(out, "Margins", ("zone", "ups_minutes", "median_restore_minutes", "short_minutes", "short_cuts", "cuts"),
             [(row.zone, row.margin.ups_minutes, row.margin.median_restore_minutes, row.margin.short_minutes,
               row.margin.short_cuts, row.margin.cuts) for row in report.zones if row.margin is not None])
    _section(out, "Restore minutes", ("cuts", "median", "p90"),
             [(report.restore.cuts, report.restore.median, report.restore.p90)])
    _section(out, "Days", ("date", "cuts", "minutes_lost_per_seat", "credit_minutes", "credit_value_minor"),
             [(point.day.isoformat(), point.cuts, point.minutes_lost_per_seat, point.credit_minutes,
               point.credit_value_minor) for point in report.days])
    owed = report.owed
    _section(out, "Vouchers", ("outstanding_count", "outstanding_minutes", "outstanding_value_minor",
                               "expiring_7_days_count", "expiring_7_days_value_minor", "issued", "redeemed",
                               "expired", "expired_value_minor"),
             [(owed.outstanding_count, owed.outstanding_minutes, owed.outstanding_value_minor,
               owed.expiring_7_days_count, owed.expiring_7_days_value_minor, owed.issued, owed.redeemed,
               owed.expired, owed.expired_value_minor)])
    _section(out, "Vouchers outstanding by age", ("age", "count", "minutes", "value_minor"),
             [(band.label, band.count, band.minutes, band.value_minor) for band in owed.by_age])
    _section(out, "Care", ("attendant", "letters", "shown", "printed", "declined", "median_minutes_to_handover",
                           "happy", "neutral", "unhappy"),
             [(row.attendant, row.letters, row.shown, row.printed, row.declined, row.median_minutes_to_handover,
               row.happy, row.neutral, row.unhappy) for row in report.care.attendants])
    _section(out, "Letters pending", ("letters", "value_minor"),
             [(report.care.letters_pending, report.care.pending_value_minor)])
    kept = report.retention
    _section(out, "Retention", ("issued", "redeemed_within_7_days", "redeemed_within_30_days"),
             [(kept.issued, kept.redeemed_within_7_days, kept.redeemed_within_30_days)])
    _section(out, "Findings", ("finding", "cost_minor"),
             [(finding.text, finding.cost_minor) for finding in report.findings])
    return out.getvalue().rstrip("\n") + "\n"
