"""The end-of-day report: what the outages of one venue day cost, and how reliable the power was.

``build_daily_report`` computes every figure here, as plain data; the formats in
``compensator.reporting`` only lay it out. The day runs from the venue's local midnight to its
closing time (the whole day when closing time is midnight); for today it runs up to now.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, select

from compensator.domain.intervals import clip, merge
from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    EntryKind,
    OutageKind,
    OutageStatus,
    SessionEventKind,
)
from compensator.domain.ledger import balance, ceil_minutes
from compensator.errors import InvalidInput
from compensator.services.outages import OutageView, list_outages, scope_seats
from compensator.services.sessions import load_sessions
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    LedgerEntry,
    Notice,
    NoticeDelivery,
    OutageRevision,
    SeatSession,
    SessionEvent,
    Voucher,
    VoucherRedemption,
)

COUNTED = (OutageStatus.ONGOING, OutageStatus.ENDED)


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures at the top of the report."""

    outages: int
    outage_minutes: int
    sessions_affected: int
    credited_time_minutes: int
    credited_voucher_minutes: int
    credited_bill_minutes: int
    credited_value_minor: int
    waived_minutes: int
    notices_delivered: int
    notices_pending: int
    feedback_happy: int
    feedback_neutral: int
    feedback_unhappy: int
    vouchers_issued: int
    vouchers_redeemed: int
    vouchers_expired: int
    awaiting_approval: int


@dataclass(frozen=True, slots=True)
class Reliability:
    """How the power held up: power cuts only, network failures are not the generator's fault."""

    cuts: int
    downtime_minutes: int
    longest_cut_minutes: int
    mean_time_to_restore_minutes: int | None
    cuts_bridged_by_ups: int
    bridged_percent: int | None


@dataclass(frozen=True, slots=True)
class OutageRow:
    """One outage of the day."""

    id: int
    kind: str
    scope: str
    source: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    minutes_in_day: int
    logged_by: str
    corrections: int
    compensations: int
    note: str | None


@dataclass(frozen=True, slots=True)
class CompensationRow:
    """One compensation of the day, with its explanation."""

    id: int
    outage_id: int
    session_id: int
    seat_id: str
    lost_minutes: int
    credit_minutes: int
    granted_minutes: int
    waived_minutes: int
    form: str
    status: str
    value_minor: int
    notice_status: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something the owner should look at."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One seat on the timeline: when it had a session and when it was dark."""

    seat_id: str
    sessions: tuple[tuple[datetime, datetime], ...]
    dark: tuple[tuple[datetime, datetime], ...]


@dataclass(frozen=True, slots=True)
class DailyReport:
    """Everything the end-of-day report shows for one venue day."""

    venue_name: str
    currency: str
    timezone: str
    venue_date: date
    window_start: datetime
    window_end: datetime
    complete: bool
    generated_at: datetime
    figures: Figures
    reliability: Reliability
    outages: tuple[OutageRow, ...]
    compensations: tuple[CompensationRow, ...]
    anomalies: tuple[Anomaly, ...]
    timeline: tuple[TimelineRow, ...]
    outage_bands: tuple[tuple[int, datetime, datetime], ...]


def day_window(uow: UnitOfWork, venue_date: date) -> tuple[datetime, datetime, bool]:
    """The day's report window [local midnight, closing time], cut at now for today, and whether it is over."""
    settings = uow.settings
    tz = settings.venue.tz
    now = uow.now()
    today = now.astimezone(tz).date()
    if venue_date > today:
        raise InvalidInput(f"{venue_date.isoformat()} is in the future: there is no report yet", field="date")
    start = datetime.combine(venue_date, time(0), tzinfo=tz)
    closing = settings.venue.closing_time
    end = datetime.combine(venue_date + timedelta(days=1) if closing == time(0) else venue_date, closing, tzinfo=tz)
    return start, min(end, now), now >= end


def parse_report_date(value: object) -> date:
    """A report date from text like 2026-11-22, or ``InvalidInput`` naming the field."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput("the date must look like 2026-11-22", field="date") from None


def _minutes_in(start: datetime, end: datetime | None, window: tuple[datetime, datetime]) -> int:
    parts = clip([(start, end or window[1])], window)
    return ceil_minutes(sum((part[1] - part[0] for part in parts), timedelta()))


def _is_bridged(uow: UnitOfWork, outage: OutageView) -> bool:
    # A cut is bridged when no seat it covers went dark: every covered zone's UPS lasted longer
    # than the cut, and nobody lost a minute to it.
    if outage.ended_at is None or any(item.lost_minutes > 0 for item in outage.compensations):
        return False
    duration = outage.ended_at - outage.started_at
    seats = scope_seats(uow, outage.scope_kind, list(outage.scope_ids))
    zones = {uow.settings.seat(seat).zone_id for seat in seats}
    return all(timedelta(minutes=uow.settings.zone(zone).ups_minutes) >= duration for zone in zones)


def build_daily_report(uow: UnitOfWork, venue_date: date) -> DailyReport:
    """Compute the end-of-day report of ``venue_date`` (venue local day)."""
    start, end, complete = day_window(uow, venue_date)
    window = (start, end)
    settings = uow.settings
    day_outages = [item for item in list_outages(uow, start=start, end=end) if item.status in COUNTED]
    compensations = [item for outage in day_outages for item in outage.compensations]
    compensation_ids = [item.id for item in compensations]

    notices = {row.compensation_id: row.id for row in uow.db.execute(
        select(Notice.compensation_id, Notice.id).where(Notice.compensation_id.in_(compensation_ids)))}
    deliveries: dict[int, NoticeDelivery] = {}
    for row in uow.db.scalars(select(NoticeDelivery).where(
            NoticeDelivery.notice_id.in_(list(notices.values()))).order_by(NoticeDelivery.id)):
        deliveries[row.notice_id] = row
    revisions = Counter(uow.db.scalars(select(OutageRevision.outage_id).where(
        OutageRevision.outage_id.in_([item.id for item in day_outages]), OutageRevision.action == "correct")))

    applied = [item for item in compensations if item.status is CompensationStatus.APPLIED]

    def credited(form: CompensationForm) -> int:
        return sum(item.granted_minutes for item in applied if item.form is form)

    feedback = Counter(row.feedback.value for row in deliveries.values() if row.feedback is not None)
    redeemed = exists().where(VoucherRedemption.voucher_id == Voucher.id)
    vouchers_issued = uow.db.scalar(select(func.count()).select_from(Voucher).where(
        Voucher.created_at >= start, Voucher.created_at < end)) or 0
    vouchers_redeemed = uow.db.scalar(select(func.count()).select_from(VoucherRedemption).where(
        VoucherRedemption.at >= start, VoucherRedemption.at < end)) or 0
    vouchers_expired = uow.db.scalar(select(func.count()).select_from(Voucher).where(
        Voucher.expires_at >= start, Voucher.expires_at < end, ~redeemed)) or 0
    figures = Figures(
        outages=len(day_outages),
        outage_minutes=sum(_minutes_in(item.started_at, item.ended_at, window) for item in day_outages),
        sessions_affected=len({item.session_id for item in compensations}),
        credited_time_minutes=credited(CompensationForm.TIME),
        credited_voucher_minutes=credited(CompensationForm.VOUCHER),
        credited_bill_minutes=credited(CompensationForm.BILL_REDUCTION),
        credited_value_minor=sum(item.value_minor for item in applied),
        waived_minutes=sum(item.waived_minutes for item in applied),
        notices_delivered=sum(1 for notice_id in notices.values() if notice_id in deliveries),
        notices_pending=sum(1 for notice_id in notices.values() if notice_id not in deliveries),
        feedback_happy=feedback["happy"],
        feedback_neutral=feedback["neutral"],
        feedback_unhappy=feedback["unhappy"],
        vouchers_issued=vouchers_issued,
        vouchers_redeemed=vouchers_redeemed,
        vouchers_expired=vouchers_expired,
        awaiting_approval=sum(1 for item in compensations if item.status is CompensationStatus.AWAITING_APPROVAL),
    )

    cuts = [item for item in day_outages if item.kind is OutageKind.POWER]
    cut_minutes = [_minutes_in(item.started_at, item.ended_at, window) for item in cuts]
    restored = [ceil_minutes(item.ended_at - item.started_at) for item in cuts if item.ended_at is not None]
    bridged = sum(1 for item in cuts if _is_bridged(uow, item))
    reliability = Reliability(
        cuts=len(cuts),
        downtime_minutes=sum(cut_minutes),
        longest_cut_minutes=max(cut_minutes, default=0),
        mean_time_to_restore_minutes=-(-sum(restored) // len(restored)) if restored else None,
        cuts_bridged_by_ups=bridged,
        bridged_percent=(100 * bridged + len(cuts) // 2) // len(cuts) if cuts else None,
    )

    outage_rows = tuple(
        OutageRow(
            id=item.id, kind=item.kind.value,
            scope="whole venue" if not item.scope_ids else f"{item.scope_kind.value}: {', '.join(item.scope_ids)}",
            source=item.source.value, status=item.status.value, started_at=item.started_at, ended_at=item.ended_at,
            minutes_in_day=_minutes_in(item.started_at, item.ended_at, window), logged_by=item.actor,
            corrections=revisions[item.id], compensations=len(item.compensations), note=item.note)
        for item in day_outages
    )
    compensation_rows = tuple(
        CompensationRow(
            id=item.id, outage_id=item.outage_id, session_id=item.session_id, seat_id=item.seat_id,
            lost_minutes=item.lost_minutes, credit_minutes=item.credit_minutes, granted_minutes=item.granted_minutes,
            waived_minutes=item.waived_minutes, form=item.form.value, status=item.status.value,
            value_minor=item.value_minor,
            notice_status=deliveries[notices[item.id]].how.value if notices.get(item.id) in deliveries
            else ("pending" if item.id in notices else "none"),
            explanation=item.explanation)
        for item in compensations
    )

    anomalies: list[Anomaly] = []
    manual = uow.db.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == EntryKind.MANUAL_CREDIT, LedgerEntry.created_at >= start, LedgerEntry.created_at < end))
    for entry in manual:
        anomalies.append(Anomaly("manual_credit", f"manual credit of {entry.minutes} min on session "
                                                  f"{entry.seat_session_id} by {entry.actor}"))
    for row in outage_rows:
        if row.corrections:
            anomalies.append(Anomaly("corrected_outage", f"outage {row.id} was corrected {row.corrections} time(s)"))
        if row.status == OutageStatus.ENDED.value and row.compensations == 0:
            anomalies.append(Anomaly("no_affected_session", f"outage {row.id} affected no session"))
        if row.ended_at is None:
            anomalies.append(Anomaly("ongoing_outage", f"outage {row.id} was still going on at the end of the day"))
    for row in compensation_rows:
        if row.notice_status == "pending":
            anomalies.append(Anomaly("notice_not_delivered",
                                     f"the notice for seat {row.seat_id} (outage {row.outage_id}) was never delivered"))

    return DailyReport(
        venue_name=settings.venue.name, currency=settings.venue.currency, timezone=settings.venue.timezone,
        venue_date=venue_date, window_start=start, window_end=end, complete=complete, generated_at=uow.now(),
        figures=figures, reliability=reliability, outages=outage_rows, compensations=compensation_rows,
        anomalies=tuple(anomalies), timeline=_timeline(uow, window, day_outages),
        outage_bands=tuple((item.id, max(item.started_at, start), min(item.ended_at or end, end))
                           for item in day_outages),
    )


def _timeline(uow: UnitOfWork, window: tuple[datetime, datetime], day_outages: list[OutageView]) -> tuple[TimelineRow, ...]:
    start, end = window
    ended_before = exists().where(SessionEvent.seat_session_id == SeatSession.id,
                                  SessionEvent.kind == SessionEventKind.END, SessionEvent.at < start)
    ids = uow.db.scalars(select(SeatSession.id).where(and_(SeatSession.started_at < end, ~ended_before)))
    sessions_by_seat: dict[str, list[tuple[datetime, datetime]]] = {}
    for loaded in load_sessions(uow.db, ids).values():
        for interval in balance(loaded.facts, end).occupancy:
            for part in clip([(interval.start, interval.end)], window):
                sessions_by_seat.setdefault(interval.seat_id, []).append(part)
    dark_by_seat: dict[str, list[tuple[datetime, datetime]]] = {}
    for outage in day_outages:
        for item in outage.compensations:
            for part in clip([(item.dark_start, item.dark_end)], window):
                dark_by_seat.setdefault(item.seat_id, []).append(part)
    seats = [seat.id for seat in uow.settings.seats if seat.id in sessions_by_seat or seat.id in dark_by_seat]
    return tuple(TimelineRow(seat, tuple(merge(sessions_by_seat.get(seat, []))), tuple(merge(dark_by_seat.get(seat, []))))
                 for seat in seats)

