"""The end-of-day report: what the outages of one venue day cost, and how reliable the power was.

``build_daily_report`` computes every figure here, into the plain records of
``compensator.report.data``; the formats in ``compensator.report.formats`` only lay them
out. The day is the window from the venue's local midnight to its closing time (to the next
midnight when closing time is midnight); for today it stops at now. Activity between closing
time and midnight belongs to no day's window.

Which day an outage belongs to:

- every outage (ongoing or ended) that overlaps the window is listed, its minutes clipped to
  the window; one still going on at the window's end is flagged as ongoing;
- its compensations (credits, money, notices) count on the venue day on which it ended, so an
  outage across midnight is never counted twice, and one still going on at closing time is
  counted by the next day's report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from sqlalchemy import exists, func, select

from compensator.domain.intervals import Span, clip, measure, merge
from compensator.domain.kinds import (
    COUNTED_OUTAGE_STATUSES,
    CompensationStatus,
    EntryKind,
    Feedback,
    OutageStatus,
)
from compensator.domain.ledger import ceil_minutes
from compensator.domain.venue_day import closing_of, date_of, day_bounds
from compensator.errors import InvalidInput, NotFound
from compensator.report import power
from compensator.report.data import (
    Anomaly,
    AnomalyKind,
    CompensationRow,
    CorrectionRow,
    DailyReportData,
    DayFigures,
    NoticeState,
    OutageBand,
    OutageRow,
    ZoneTakings,
)
from compensator.report.equipment import build_equipment
from compensator.report.rows import (
    Catalog,
    DayOutage,
    corrections,
    day_compensations,
    dismissals,
    load_catalog,
    overlapping_outages,
)
from compensator.report.takings import daily_takings
from compensator.report.timeline_rows import timeline_rows
from compensator.services import parsing
from compensator.store.database import UnitOfWork
from compensator.store.models import LedgerEntry, SeatSession, Voucher, VoucherRedemption

# Nothing the engine recorded can be older than this; earlier dates are a typing mistake.
EARLIEST_REPORT_DATE = date(2000, 1, 1)


def parse_report_date(value: object) -> date:
    """A report date from text like 2026-11-22, or ``InvalidInput`` naming the field."""
    return value if isinstance(value, date) else parsing.venue_day(value, field="date")


def day_window(uow: UnitOfWork, venue_date: date) -> tuple[datetime, datetime, bool]:
    """The report window of ``venue_date`` (cut at now for today) and whether the day is over."""
    settings = uow.settings
    tz = settings.venue.tz
    now = uow.now()
    if venue_date > date_of(now, tz):
        # A well-formed day that has not come yet names no report: not found, as an unknown id is.
        raise NotFound(f"{venue_date.isoformat()} is in the future: there is no report for it yet", field="date")
    if venue_date < EARLIEST_REPORT_DATE:
        raise InvalidInput(f"there are no reports before {EARLIEST_REPORT_DATE.isoformat()}", field="date")
    start = day_bounds(venue_date, tz)[0]
    end = closing_of(venue_date, tz, settings.venue.closing_time)
    return start, min(end, now), now >= end


def check_report_date(uow: UnitOfWork, value: object) -> date:
    """The venue day named by ``value`` if it can have a report (today or earlier), else ``InvalidInput``."""
    venue_date = parse_report_date(value)
    day_window(uow, venue_date)
    return venue_date


def _dismissed(uow: UnitOfWork, overlapping: list[DayOutage]) -> list[Anomaly]:
    """The day's dismissed outages, each with who dismissed it and why: counted nowhere, but the owner may ask."""
    dismissed = [item.id for item in overlapping if item.status is OutageStatus.DISMISSED]
    return [Anomaly(AnomalyKind.DISMISSED_OUTAGE, outage_id=outage_id, actor=actor, reason=reason)
            for outage_id, (actor, reason) in dismissals(uow, dismissed).items()]


def build_daily_report(uow: UnitOfWork, venue_date: date) -> DailyReportData:
    """Compute the end-of-day report of ``venue_date``, a venue-local day."""
    start, end, complete = day_window(uow, venue_date)
    window = (start, end)
    tz = uow.settings.venue.tz
    next_midnight = day_bounds(venue_date, tz)[1]
    catalog = load_catalog(uow)

    overlapping = overlapping_outages(uow, start, end)
    day_outages = [item for item in overlapping if item.status in COUNTED_OUTAGE_STATUSES]
    # An outage's compensations count on the day it ended (see the module's docstring).
    counted = {item.id for item in day_outages if item.ended_at is not None and item.ended_at < next_midnight}
    compensations = day_compensations(uow, day_outages, counted, catalog)
    revisions = corrections(uow, [item.id for item in day_outages])

    compensation_rows = compensations.rows
    settings = uow.settings
    zones = [zone.id for zone in settings.zones]
    all_rows = [
        _outage_row(item, window, catalog, revisions.get(item.id, ()), compensations.any_lost,
                    compensations.counts.get(item.id, 0) if item.id in counted else 0, zones)
        for item in day_outages
    ]
    # The venue's power is counted apart from the faults of single seats (see ``report.power``).
    venue_outages = [item for item in day_outages if not power.is_seat_fault(item)]
    outage_rows = tuple(row for row in all_rows if not power.is_seat_fault(row))
    seat_faults = tuple(row for row in all_rows if power.is_seat_fault(row))
    figures = _figures(uow, window, outage_rows, len(seat_faults), compensation_rows, compensations.feedback)
    reliability = power.reliability(outage_rows, window)
    ups_by_zone = power.ups_by_zone(outage_rows, catalog, zones)
    anomalies = (_ledger_corrections(uow, window) + _decided_credits(compensation_rows) + _outage_anomalies(all_rows)
                 + [Anomaly(AnomalyKind.UNCONFIRMED_OUTAGE, outage_id=item.id)
                    for item in overlapping if item.status is OutageStatus.SUSPECTED]
                 + _dismissed(uow, overlapping)
                 + [Anomaly(AnomalyKind.NOTICE_NOT_DELIVERED, outage_id=row.outage_id, seat_id=row.seat_id,
                            session_id=row.session_id)
                    for row in compensation_rows if row.notice is NoticeState.PENDING])
    equipment = build_equipment(uow, end, catalog)
    anomalies += [Anomaly(AnomalyKind.EQUIPMENT, seat_id=", ".join(finding.seats) or None, reason=finding.text)
                  for finding in equipment.findings]
    takings, takings_total = _takings(uow, window, compensation_rows, catalog)
    timeline = timeline_rows(uow, window, day_outages, compensations.seats_by_outage, catalog)
    return DailyReportData(
        venue_name=settings.venue.name, currency=settings.venue.currency, timezone=settings.venue.timezone,
        venue_date=venue_date, window_start=start, window_end=end, complete=complete, generated_at=uow.now(),
        figures=figures, reliability=reliability, outages=outage_rows, compensations=compensation_rows,
        anomalies=tuple(anomalies), timeline=timeline,
        outage_bands=tuple(OutageBand(item.id, item.kind, max(item.started_at, start), min(item.ended_at or end, end))
                           for item in venue_outages),
        takings=takings, takings_total=takings_total, clock=settings.venue.clock, ups_by_zone=ups_by_zone,
        seat_faults=seat_faults, equipment=equipment,
    )


def _takings(uow: UnitOfWork, window: Span, rows: tuple[CompensationRow, ...],
             catalog: Catalog) -> tuple[tuple[ZoneTakings, ...], ZoneTakings]:
    """The day's takings by zone, against the value of the applied credits given on each zone's seats."""
    credited: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.status is CompensationStatus.APPLIED:
            credited[catalog.zone_of_seat[row.seat_id]] += row.given_value_minor
    zones = [(zone.id, catalog.zone_names.get(zone.id, zone.name)) for zone in uow.settings.zones]
    return daily_takings(uow, window, zones=zones, zone_of_seat=catalog.zone_of_seat,
                         price_minor_per_hour=catalog.price_minor_per_hour, credited_by_zone=credited)


def _outage_row(outage: DayOutage, window: Span, catalog: Catalog, corrections: tuple[CorrectionRow, ...],
                any_lost: frozenset[int], compensations: int, zones: list[str]) -> OutageRow:
    ongoing = outage.ended_at is None or outage.ended_at > window[1]
    minutes = _minutes_in(outage, window)
    return OutageRow(
        id=outage.id, kind=outage.kind, scope_kind=outage.scope_kind, scope_ids=outage.scope_ids,
        source=outage.source, status=outage.status, started_at=outage.started_at, ended_at=outage.ended_at,
        ongoing_at_end=ongoing, minutes_in_day=minutes,
        bridged_by_ups=not ongoing and power.is_bridged(outage, catalog, any_lost), logged_by=outage.actor,
        note=outage.note, compensations=compensations, corrections=corrections,
        ups_carried=power.carried(outage, minutes, window, catalog, zones), flaps=outage.flaps)


def _minutes_in(outage: DayOutage, window: Span) -> int:
    return ceil_minutes(measure(clip([(outage.started_at, outage.ended_at or window[1])], window)))


def _figures(uow: UnitOfWork, window: Span, outages: tuple[OutageRow, ...], seat_faults: int,
             rows: tuple[CompensationRow, ...], feedback_given: tuple[Feedback, ...]) -> DayFigures:
    start, end = window
    applied = [row for row in rows if row.status is CompensationStatus.APPLIED]


    notices = Counter(row.notice for row in rows if row.notice is not None)
    feedback = Counter(feedback_given)
    redeemed = exists().where(VoucherRedemption.voucher_id == Voucher.id)
    vouchers_issued = uow.db.scalar(select(func.count()).select_from(Voucher).where(
        Voucher.created_at >= start, Voucher.created_at < end))
    vouchers_redeemed = uow.db.scalar(select(func.count()).select_from(VoucherRedemption).where(
        VoucherRedemption.at >= start, VoucherRedemption.at < end))
    vouchers_expired = uow.db.scalar(select(func.count()).select_from(Voucher).where(
        Voucher.expires_at >= start, Voucher.expires_at < end, ~redeemed))
    return DayFigures(
        outages=len(outages),
        # Measured once over the merged outages, as the downtime is: overlaps count once, and
        # seconds round up once for the day, not once per outage.
        outage_minutes=ceil_minutes(measure(clip(merge(
            (row.started_at, row.ended_at or window[1]) for row in outages), window))),
        seat_faults=seat_faults,
        sessions_affected=len({row.session_id for row in rows}),
        # What reached the customers, as the ledger's credit entries and the vouchers hold it.
        credited_time_minutes=sum(row.given.time_minutes for row in rows),
        credited_voucher_minutes=sum(row.given.voucher_minutes for row in rows),
        credited_bill_minutes=sum(row.given.bill_minutes for row in rows),
        credited_value_minor=sum(row.given_value_minor for row in applied),
        waived_minutes=sum(row.waived_minutes for row in applied),
        carried_minutes=sum(row.figures.carried_minutes for row in applied),
        notices_delivered=notices[NoticeState.SHOWN] + notices[NoticeState.PRINTED],
        notices_declined=notices[NoticeState.DECLINED],
        notices_pending=notices[NoticeState.PENDING],
        feedback_happy=feedback[Feedback.HAPPY],
        feedback_neutral=feedback[Feedback.NEUTRAL],
        feedback_unhappy=feedback[Feedback.UNHAPPY],
        vouchers_issued=vouchers_issued or 0,
        vouchers_redeemed=vouchers_redeemed or 0,
        vouchers_expired=vouchers_expired or 0,
        awaiting_approval=sum(1 for row in rows if row.status is CompensationStatus.AWAITING_APPROVAL),
    )


def _ledger_corrections(uow: UnitOfWork, window: Span) -> list[Anomaly]:
    """The day's manual credits and corrected sales, which a person decided and the owner should see."""
    start, end = window
    entries = uow.db.execute(
        select(LedgerEntry.kind, LedgerEntry.seat_session_id, LedgerEntry.minutes, LedgerEntry.actor,
               LedgerEntry.note, SeatSession.seat_id)
        .join(SeatSession, SeatSession.id == LedgerEntry.seat_session_id)
        .where(LedgerEntry.kind.in_((EntryKind.MANUAL_CREDIT, EntryKind.REVERSAL)), LedgerEntry.created_at >= start,
               LedgerEntry.created_at < end)
        .order_by(LedgerEntry.id))
    return [Anomaly(AnomalyKind.MANUAL_CREDIT, seat_id=seat_id, session_id=session_id, minutes=minutes, actor=actor)
            if kind is EntryKind.MANUAL_CREDIT else
            Anomaly(AnomalyKind.SALE_REVERSED, seat_id=seat_id, session_id=session_id, minutes=-minutes, actor=actor,
                    reason=note)
            for kind, session_id, minutes, actor, note, seat_id in entries]


def _decided_credits(rows: tuple[CompensationRow, ...]) -> list[Anomaly]:
    """The credits a manager reduced or refused, with their reason (rule 10, amended)."""
    found = []
    for row in rows:
        if row.decision_reason is None:
            continue
        kind = AnomalyKind.CREDIT_REFUSED if row.status is CompensationStatus.REFUSED else AnomalyKind.CREDIT_REDUCED
        found.append(Anomaly(kind, outage_id=row.outage_id, seat_id=row.seat_id, session_id=row.session_id,
                             minutes=row.granted_minutes, actor=row.decided_by, reason=row.decision_reason))
    return found


def _outage_anomalies(rows: list[OutageRow]) -> list[Anomaly]:
    anomalies = []
    for row in rows:
        if row.corrections:
            anomalies.append(Anomaly(AnomalyKind.CORRECTED_OUTAGE, outage_id=row.id, actor=row.corrections[-1].actor))
        if row.ongoing_at_end:
            anomalies.append(Anomaly(AnomalyKind.ONGOING_OUTAGE, outage_id=row.id, minutes=row.minutes_in_day))
        elif row.compensations == 0:
            anomalies.append(Anomaly(AnomalyKind.NO_AFFECTED_SESSION, outage_id=row.id))
    return anomalies
