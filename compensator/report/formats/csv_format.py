"""The report as one sectioned CSV file.

Each section starts with a line ``# name`` (``report``, ``figures``, ``reliability``, ``ups``,
``equipment``, ``equipment_findings``, ``takings``, ``outages``, ``seat_faults``, ``corrections``,
``compensations``, ``anomalies``),
then a header row and its rows; a blank line ends it. A program can split the file on the ``#`` lines. The file starts
with a UTF-8 byte order mark, without which Excel on Windows garbles accented names. Times are
the venue's local time (``YYYY-MM-DD HH:MM``); money is in minor units; figures use the
JSON's keys. Text that a spreadsheet would take for a formula is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime
from operator import attrgetter
from zoneinfo import ZoneInfo

from compensator.domain.figures import CompensationFigures
from compensator.report.data import CompensationRow, DailyReportData, GivenMinutes, OutageRow, ZoneTakings, ZoneUps
from compensator.report.equipment_data import EquipmentRow
from compensator.report.formats import layout

BYTE_ORDER_MARK = "\ufeff"
# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OUTAGE_COLUMNS = ["id", "kind", "scope", "source", "status", "started_at", "ended_at", "ongoing_at_end",
                  "minutes_in_day", "bridged_by_ups", "logged_by", "compensations", "corrections", "note",
                  "ups_carried", "flaps"]
CORRECTION_COLUMNS = ["outage_id", "at", "actor", "started_before", "ended_before", "started_after", "ended_after",
                      "reason"]
TAKINGS_COLUMNS = [field.name for field in dataclasses.fields(ZoneTakings)]
UPS_COLUMNS = [field.name for field in dataclasses.fields(ZoneUps)]
# A zone's UPSes, and the seats and zones a finding names, are one cell each, space-separated.
EQUIPMENT_COLUMNS = [field.name for field in dataclasses.fields(EquipmentRow)]
FINDING_COLUMNS = ["kind", "seats", "zones", "ups", "rated_minutes", "held_seconds", "short_in_last_cuts",
                   "last_cuts", "text"]
# A compensation's figures, and what it gave by form, are spread into columns of their own names.
SPREAD = {"figures": CompensationFigures, "given": GivenMinutes}
COMPENSATION_FIELDS = [(f"{field.name}.{inner.name}", inner) if field.name in SPREAD else (field.name, field)
                       for field in dataclasses.fields(CompensationRow)
                       for inner in (dataclasses.fields(SPREAD[field.name]) if field.name in SPREAD else (field,))]
COMPENSATION_COLUMNS = [path.rpartition(".")[2] for path, _ in COMPENSATION_FIELDS]
# A busy day has thousands of compensations: their values are read in one C call a row, and
# only those that can be a time, a text or None go through ``cell``.
COMPENSATION_VALUES = attrgetter(*(path for path, _ in COMPENSATION_FIELDS))
NUMBER_TYPES = {"int", "bool"}
COMPENSATION_CELLS = [index for index, (_, field) in enumerate(COMPENSATION_FIELDS) if field.type not in NUMBER_TYPES]
ADJUSTMENTS = COMPENSATION_COLUMNS.index("adjustments")


def render(report: DailyReportData) -> str:
    """The report as sectioned CSV text."""
    tz = ZoneInfo(report.timezone)
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, lineterminator="\n")
    # Times are shared by many rows (an outage's dark spells): each is written once.
    times: dict[datetime, str] = {}

    def cell(value: object) -> object:
        if isinstance(value, datetime):
            shown = times.get(value)
            if shown is None:
                shown = times[value] = value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            return shown
        if value is None:
            return ""
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value

    def section(name: str, header: list[str], rows: list[list[object]], cells: bool = True) -> None:
        writer.writerow([f"# {name}"])
        writer.writerow(header)
        writer.writerows(([cell(value) for value in row] for row in rows) if cells else rows)
        writer.writerow([])

    def compensation(row: CompensationRow) -> list[object]:
        values = list(COMPENSATION_VALUES(row))
        values[ADJUSTMENTS] = " | ".join(row.adjustments)
        for index in COMPENSATION_CELLS:
            values[index] = cell(values[index])
        return values

    def outage(row: OutageRow) -> list[object]:
        return [row.id, row.kind, layout.scope(report, row), row.source, row.status, row.started_at, row.ended_at,
                row.ongoing_at_end, row.minutes_in_day, row.bridged_by_ups, row.logged_by, row.compensations,
                len(row.corrections), row.note,
                # What each zone's UPS carried of a power cut's minutes, as zone:minutes.
                " ".join(f"{zone.zone_id}:{zone.carried_minutes}" for zone in row.ups_carried), row.flaps]

    section("report", ["venue", "date", "from", "to", "complete", "currency", "generated_at"],
            [[report.venue_name, report.venue_date.isoformat(), report.window_start, report.window_end,
              report.complete, report.currency, report.generated_at]])
    section("figures", ["figure", "value"], [list(pair) for pair in dataclasses.asdict(report.figures).items()])
    section("reliability", ["figure", "value"],
            [list(pair) for pair in dataclasses.asdict(report.reliability).items()])
    # What each zone's UPS carried of the day's power cuts, beside what it did not.
    section("ups", UPS_COLUMNS, [list(dataclasses.astuple(row)) for row in report.ups_by_zone])
    # How each zone's UPS and each seat's own held in the cuts measured, and what to do about it.
    section("equipment", EQUIPMENT_COLUMNS,
            [[" ".join(value) if isinstance(value, tuple) else value for value in dataclasses.astuple(row)]
             for row in report.equipment.rows])
    section("equipment_findings", FINDING_COLUMNS,
            [[item.kind, " ".join(item.seats), " ".join(item.zones), " ".join(item.ups), item.rated_minutes,
              item.held_seconds, item.short_in_last_cuts, item.last_cuts, item.text]
             for item in report.equipment.findings])
    # One row per zone, then the venue's total with an empty zone_id.
    section("takings", TAKINGS_COLUMNS,
            [list(dataclasses.astuple(row)) for row in (*report.takings, report.takings_total)])
    section("outages", OUTAGE_COLUMNS, [outage(row) for row in report.outages])
    section("seat_faults", OUTAGE_COLUMNS, [outage(row) for row in report.seat_faults])
    section("corrections", CORRECTION_COLUMNS, [
        [row.id, item.at, item.actor, item.started_before, item.ended_before, item.started_after, item.ended_after,
         item.reason]
        for row in (*report.outages, *report.seat_faults) for item in row.corrections])
    section("compensations", COMPENSATION_COLUMNS, [compensation(row) for row in report.compensations], cells=False)
    section("anomalies", ["kind", "outage_id", "seat_id", "text"],
            [[item.kind, item.outage_id, item.seat_id, layout.anomaly(item)] for item in report.anomalies])
    return buffer.getvalue()

