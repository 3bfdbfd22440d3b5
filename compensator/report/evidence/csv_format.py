"""The evidence as one sectioned CSV file, as the daily report's CSV is.

Each section starts with a line ``# name`` (``evidence``, ``totals``, ``outages``, ``recorded_by``,
``corrections``, ``compensations``, ``adjustments``, ``seats``), then a header row and its rows;
a blank line ends it. The file starts with a UTF-8 byte order mark; times are the venue's local
time to the second (``YYYY-MM-DD HH:MM:SS``), money is in minor units, and text a spreadsheet
would run as a formula is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime

from compensator.report.evidence import layout
from compensator.report.evidence.data import Evidence
from compensator.report.evidence.witness import stamp

BYTE_ORDER_MARK = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OUTAGE_COLUMNS = ["id", "kind", "scope", "source", "status", "standing", "dismissed_reason", "started_at", "ended_at",
                  "minutes", "flaps", "opened_by", "note"]
TRACE_COLUMNS = ["outage_id", "at", "kind", "actor", "text"]
CORRECTION_COLUMNS = ["outage_id", "at", "actor", "started_before", "ended_before", "started_after", "ended_after",
                      "reason"]
COMPENSATION_COLUMNS = ["compensation_id", "outage_id", "session_id", "seat_id", "dark_start", "dark_end",
                        "lost_minutes", "credit_minutes", "granted_minutes", "form", "value_minor", "status",
                        "decided_by", "decision_reason", "explanation"]
ADJUSTMENT_COLUMNS = ["compensation_id", "outage_id", "at", "previous_credit_minutes", "credit_minutes",
                      "topup_minutes", "waived_minutes", "explanation"]
SEAT_COLUMNS = ["seat_id", "zone", "outages", "lost_minutes", "granted_minutes", "value_minor"]


def render(evidence: Evidence) -> str:
    """The evidence as sectioned CSV text."""
    tz = layout.tz_of(evidence)
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, lineterminator="\n")

    def cell(value: object) -> object:
        if isinstance(value, datetime):
            return stamp(value, tz)
        if value is None:
            return ""
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value

    def section(name: str, header: list[str], rows: list[list[object]]) -> None:
        writer.writerow([f"# {name}"])
        writer.writerow(header)
        writer.writerows([cell(value) for value in row] for row in rows)
        writer.writerow([])

    outages = evidence.outages
    credits = [credit for outage in outages for credit in outage.credits]
    section("evidence", ["venue", "from", "to", "window_start", "window_end", "timezone", "currency", "generated_at"],
            [[evidence.venue_name, evidence.first_day.isoformat(), evidence.last_day.isoformat(),
              evidence.window_start, evidence.window_end, evidence.timezone, evidence.currency,
              evidence.generated_at]])
    section("totals", ["figure", "value"], [list(pair) for pair in dataclasses.asdict(evidence.totals).items()])
    section("outages", OUTAGE_COLUMNS, [
        [outage.id, outage.kind.value, layout.scope(outage), outage.source.value, outage.status.value,
         outage.standing.value, outage.dismissed_reason, outage.started_at, outage.ended_at, outage.minutes,
         outage.flaps, outage.actor, outage.note]
        for outage in outages])
    section("recorded_by", TRACE_COLUMNS, [[outage.id, trace.at, trace.kind.value, trace.actor, trace.text]
                                           for outage in outages for trace in outage.traces])
    section("corrections", CORRECTION_COLUMNS, [
        [outage.id, item.at, item.actor, item.started_before, item.ended_before, item.started_after, item.ended_after,
         item.reason]
        for outage in outages for item in outage.corrections])
    section("compensations", COMPENSATION_COLUMNS, [
        [credit.compensation_id, credit.outage_id, credit.session_id, credit.seat_id, credit.dark_start,
         credit.dark_end, credit.lost_minutes, credit.credit_minutes, credit.granted_minutes, credit.form.value,
         credit.value_minor, credit.status.value, credit.decided_by, credit.decision_reason, credit.explanation]
        for credit in credits])
    section("adjustments", ADJUSTMENT_COLUMNS, [
        [credit.compensation_id, credit.outage_id, item.at, item.previous_credit_minutes, item.credit_minutes,
         item.topup_minutes, item.waived_minutes, item.explanation]
        for credit in credits for item in credit.adjustments])
    section("seats", SEAT_COLUMNS, [[seat.seat_id, seat.zone_name, seat.outages, seat.lost_minutes,
                                     seat.granted_minutes, seat.value_minor] for seat in evidence.seats])
    return buffer.getvalue()
