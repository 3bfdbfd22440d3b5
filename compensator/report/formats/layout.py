"""What the report's formats share: the figures' labels, money and times as shown, and sentences.

The service computes numbers; this module is the edge where they become text, so that HTML,
PDF and CSV say the same thing in the same words.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from compensator.domain.kinds import ScopeKind
from compensator.notices.wording import format_money
from compensator.report.data import (
    Anomaly,
    AnomalyKind,
    CorrectionRow,
    DailyReportData,
    OutageRow,
    ZoneTakings,
)
from compensator.report.equipment import duration
from compensator.report.equipment_data import ZONE
from compensator.timeofday import time_of_day

NOTHING = "—"
UPS_HEADER = ("Zone", "UPS (min)", "Power cuts", "Carried by the UPS (min)", "Not carried: dark (min)")
UPS_NOTE = ("For each power cut over a zone, its UPS carried the seats for its first minutes, then they went dark: "
            "the cuts' minutes in the day, split.")
SEAT_FAULTS_NOTE = ("Outages of single seats (a PC's or a socket's fault), not of the venue's power: they are "
                    "left out of the outage and power figures above; their credits are counted with the others.")
EQUIPMENT_HEADER = ("Zone or seat", "UPS", "Cuts measured", "Held, median", "Held, shortest", "Rated (min)",
                    "Short of rating", "New battery (RB)")
TAKINGS_HEADER = ("Zone", "Purchases", "Extensions", "Postpaid bills", "Takings", "Credits given", "Credits' share")


def money(report: DailyReportData, amount_minor: int) -> str:
    """An amount in the report's currency, as people read it."""
    return format_money(amount_minor, report.currency)


def local(report: DailyReportData, moment: datetime | None, day_pattern: str | None = None) -> str:
    """A moment's time of day in the venue's time zone and clock style (after its day if asked), or a dash."""
    if moment is None:
        return NOTHING
    tz = ZoneInfo(report.timezone)
    shown = time_of_day(moment, tz, report.clock)
    return f"{moment.astimezone(tz).strftime(day_pattern)} {shown}" if day_pattern else shown


def headline(report: DailyReportData) -> list[tuple[str, str]]:
    """The figures at the top of the report as (label, value) pairs."""
    figures = report.figures
    return [
        ("Outages", str(figures.outages)),
        ("Outage minutes", str(figures.outage_minutes)),
        ("Seat faults", str(figures.seat_faults)),
        ("Sessions affected", str(figures.sessions_affected)),
        ("Value credited", money(report, figures.credited_value_minor)),
        ("Minutes as time", str(figures.credited_time_minutes)),
        ("Minutes as vouchers", str(figures.credited_voucher_minutes)),
        ("Minutes off bills", str(figures.credited_bill_minutes)),
        ("Minutes waived after corrections", str(figures.waived_minutes)),
        ("Minutes carried over (given before, of no new value)", str(figures.carried_minutes)),
        ("Notices delivered / declined / pending",
         f"{figures.notices_delivered} / {figures.notices_declined} / {figures.notices_pending}"),
        ("Feedback happy / neutral / unhappy",
         f"{figures.feedback_happy} / {figures.feedback_neutral} / {figures.feedback_unhappy}"),
        ("Vouchers issued / redeemed / expired",
         f"{figures.vouchers_issued} / {figures.vouchers_redeemed} / {figures.vouchers_expired}"),
        ("Credits awaiting approval", str(figures.awaiting_approval)),
    ]


def reliability(report: DailyReportData) -> list[tuple[str, str]]:
    """The power reliability figures as (label, value) pairs."""
    figures = report.reliability
    mean = figures.mean_time_to_restore_minutes
    bridged = str(figures.cuts_bridged_by_ups)
    if figures.bridged_percent is not None:
        bridged += f" ({figures.bridged_percent}%)"
    return [
        ("Power cuts", str(figures.cuts)),
        ("Downtime (min)", str(figures.downtime_minutes)),
        ("Longest cut (min)", str(figures.longest_cut_minutes)),
        ("Mean time to restore (min)", NOTHING if mean is None else str(mean)),
        ("Cuts bridged by UPS", bridged),
    ]


def ups(report: DailyReportData) -> list[tuple[str, ...]]:
    """The UPS table's rows, one per zone, as ``UPS_HEADER`` names them."""
    return [(row.zone_name, str(row.ups_minutes) if row.ups_minutes else "none", str(row.cuts),
             str(row.carried_minutes), str(row.not_carried_minutes))
            for row in report.ups_by_zone]


def equipment(report: DailyReportData) -> list[tuple[str, ...]]:
    """The equipment table's rows, zones then seats, as ``EQUIPMENT_HEADER`` names them."""
    rows: list[tuple[str, ...]] = []
    for row in report.equipment.rows:
        measured = bool(row.cuts)
        rows.append((
            f"Zone {row.zone_name}" if row.kind == ZONE else f"Seat {row.id}",
            ", ".join(row.ups) if row.kind == ZONE else "its own",
            str(row.cuts),
            duration(row.median_held_seconds) if measured else NOTHING,
            duration(row.shortest_held_seconds) if measured else NOTHING,
            str(row.rated_minutes) if row.rated_minutes else "none",
            f"{row.short_in_last_cuts} of the last {row.last_cuts}" if measured else NOTHING,
            local(report, row.replace_battery_at, "%d %b") if row.replace_battery_at else ""))
    return rows


def equipment_note(report: DailyReportData) -> str:
    """What the equipment table measures, as a sentence."""
    return (f"The power cuts that ended in the {report.equipment.days} days up to this day's end, as measured: a "
            "zone by its UPS's status changes (it held until its first low battery, LB, or through the cut), a seat "
            "by its own PC (until the moment it went off, or through the cut). Held times count from the cut's start.")


def takings(report: DailyReportData) -> list[tuple[str, ...]]:
    """The takings table's rows, one per zone then the venue's total, as ``TAKINGS_HEADER`` names them."""
    return [(row.zone_name, *(money(report, amount) for amount in (
                row.purchases_minor, row.extensions_minor, row.postpaid_bills_minor, row.takings_minor,
                row.credited_value_minor)), share(row.credit_share_permille))
            for row in (*report.takings, report.takings_total)]


def share(permille: int | None) -> str:
    """A share given per thousand as a percentage with one decimal ("56.7%"), or a dash without takings."""
    return NOTHING if permille is None else f"{permille // 10}.{permille % 10}%"


def takings_note(row: ZoneTakings) -> str:
    """What the credits' share of the venue's takings means, as a sentence."""
    if row.credit_share_permille is None:
        return "Nothing was taken this day: the credits have no takings to be weighed against."
    return (f"The credits given were worth {share(row.credit_share_permille)} of the takings: "
            "purchases and extensions as charged (a move's price difference with the extensions), and the bills "
            "of the postpaid sessions that ended this day.")


def zone_name(report: DailyReportData, zone_id: str) -> str:
    """A zone as people read it: its name (its id only for a zone the report has no name for)."""
    return next((row.zone_name for row in report.takings if row.zone_id == zone_id), zone_id)


def scope(report: DailyReportData, row: OutageRow) -> str:
    """What an outage covered, in words: zones by their names, seats by their ids."""
    if row.scope_kind is ScopeKind.VENUE:
        return "whole venue"
    if row.scope_kind is ScopeKind.ZONES:
        return f"zones: {', '.join(zone_name(report, zone) for zone in row.scope_ids)}"
    return f"{row.scope_kind.value}: {', '.join(row.scope_ids)}"


def ups_text(row: OutageRow) -> str:
    """What the UPS did in an outage: bridged it, or what each zone's UPS carried of its minutes."""
    if row.bridged_by_ups:
        return "bridged"
    return ", ".join(f"{zone.zone_name} {zone.carried_minutes} of {row.minutes_in_day}" for zone in row.ups_carried)


def flaps(row: OutageRow) -> str:
    """How often mains came back briefly within the outage, blank when never: one cut, however often it flapped."""
    return str(row.flaps) if row.flaps else ""


def end_text(report: DailyReportData, row: OutageRow) -> str:
    """When an outage ended, or that it was still going on at the end of the window."""
    return "ongoing" if row.ongoing_at_end else local(report, row.ended_at)


def correction(report: DailyReportData, item: CorrectionRow) -> str:
    """One correction of an outage's times as a sentence."""
    before = f"{local(report, item.started_before)}–{local(report, item.ended_before)}"
    after = f"{local(report, item.started_after)}–{local(report, item.ended_after)}"
    reason = f": {item.reason}" if item.reason else ""
    return f"{before} → {after} by {item.actor} at {local(report, item.at)}{reason}"


def anomaly(item: Anomaly) -> str:
    """What the owner should look at, as a sentence."""
    if item.kind is AnomalyKind.MANUAL_CREDIT:
        return f"manual credit of {item.minutes} min on seat {item.seat_id} (session {item.session_id}) by {item.actor}"
    if item.kind is AnomalyKind.CREDIT_REDUCED:
        return (f"the credit for seat {item.seat_id} (outage {item.outage_id}) was reduced to {item.minutes} min "
                f"by {item.actor}: {item.reason}")
    if item.kind is AnomalyKind.CREDIT_REFUSED:
        return (f"the credit for seat {item.seat_id} (outage {item.outage_id}) was refused by {item.actor}: "
                f"{item.reason}")
    if item.kind is AnomalyKind.SALE_REVERSED:
        return (f"sale corrected: {item.minutes} min taken back on seat {item.seat_id} (session {item.session_id}) "
                f"by {item.actor}: {item.reason}")
    if item.kind is AnomalyKind.CORRECTED_OUTAGE:
        return f"outage {item.outage_id} was corrected (last by {item.actor})"
    if item.kind is AnomalyKind.NO_AFFECTED_SESSION:
        return f"outage {item.outage_id} affected no session"
    if item.kind is AnomalyKind.NOTICE_NOT_DELIVERED:
        return f"the notice for seat {item.seat_id} (outage {item.outage_id}) was never delivered"
    if item.kind is AnomalyKind.DISMISSED_OUTAGE:
        return (f"outage {item.outage_id} was dismissed by {item.actor}: "
                + (item.reason if item.reason else "no reason given"))
    if item.kind is AnomalyKind.EQUIPMENT:
        return item.reason or ""
    if item.kind is AnomalyKind.ONGOING_OUTAGE:
        return f"outage {item.outage_id} was still going on at the end of the day ({item.minutes} min so far)"
    return f"outage {item.outage_id} is still suspected: confirm or dismiss it"
