"""Reading one venue day for the report: the catalog, the outages, the compensations and the corrections.

Everything is read as plain column rows in a fixed number of statements, whatever the number
of sessions and compensations: a busy day has thousands of compensations, and hydrating ORM
objects or intermediate views for each would cost more than the report itself. Each
compensation comes in one row with its notice; the notices' deliveries and the adjustments
of corrected outages come in one statement each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import (
    CompensationStatus,
    Delivery,
    EntryKind,
    Feedback,
    OutageKind,
    OutageSource,
    OutageStatus,
    RevisionAction,
    ScopeKind,
    SessionMode,
)
from compensator.domain.money import value_minor
from compensator.report.data import GIVEN_NOTHING, CompensationRow, CorrectionRow, GivenMinutes, NoticeState
from compensator.store.bulk import fetch_tuples
from compensator.store.conditions import outage_overlaps
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    Compensation,
    CompensationAdjustment,
    LedgerEntry,
    Notice,
    NoticeDelivery,
    Outage,
    OutageRevision,
    Seat,
    SeatSession,
    Voucher,
    Zone,
)

FIGURE_NAMES = CompensationFigures.names()
FIGURE_COUNT = len(FIGURE_NAMES)
NOTICE_STATES = {how: NoticeState(how.value) for how in Delivery}


@dataclass(frozen=True, slots=True)
class Catalog:
    """Seats and zones as the database knows them, retired ones included: past days use them."""

    zone_of_seat: dict[str, str]
    active_seats: frozenset[str]
    price_minor_per_hour: dict[str, int]
    ups_minutes: dict[str, int]
    zone_names: dict[str, str]

    def zones_covered(self, outage: DayOutage) -> set[str]:
        """The zones an outage's scope covers."""
        if outage.scope_kind is ScopeKind.ZONES:
            return set(outage.scope_ids)
        seats = outage.scope_ids if outage.scope_kind is ScopeKind.SEATS else self.active_seats
        return {self.zone_of_seat[seat] for seat in seats if seat in self.zone_of_seat}

    def price_of_seat(self, seat_id: str) -> int:
        """The hourly price of the zone a seat is in (0 for a seat the database does not know)."""
        return self.price_minor_per_hour.get(self.zone_of_seat.get(seat_id, ""), 0)


@dataclass(frozen=True, slots=True)
class DayOutage:
    """An outage that overlaps the day, as its row stands (after any correction)."""

    id: int
    kind: OutageKind
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    source: OutageSource
    status: OutageStatus
    actor: str
    note: str | None
    flaps: int = 0


@dataclass(frozen=True, slots=True)
class DayCompensations:
    """The compensations of the day's outages: the rows counted in the day, and what every one tells the timeline.

    ``rows`` are those of the outages counted in the day, in the order of the outages then of
    the compensations; ``seats_by_outage`` has the seat of every compensation of every outage
    read (counted or not), and ``any_lost`` the outages with a compensation that counts a lost
    minute as it stands. ``feedback`` is the feedback of each counted letter's last delivery:
    the notices of one session handed over together are one letter, and the customer gave one
    face for it, however many cuts it told of.
    """

    rows: tuple[CompensationRow, ...]
    counts: dict[int, int]
    seats_by_outage: dict[int, list[str]]
    any_lost: frozenset[int]
    feedback: tuple[Feedback, ...]


def load_catalog(uow: UnitOfWork) -> Catalog:
    """Every zone and seat the database knows, in two statements."""
    zones = uow.db.execute(select(Zone.id, Zone.price_minor_per_hour, Zone.ups_minutes, Zone.name)).all()
    seats = uow.db.execute(select(Seat.id, Seat.zone_id, Seat.retired)).all()
    return Catalog(
        zone_of_seat={seat_id: zone_id for seat_id, zone_id, _ in seats},
        active_seats=frozenset(seat_id for seat_id, _, retired in seats if not retired),
        price_minor_per_hour={zone_id: price for zone_id, price, _, _ in zones},
        ups_minutes={zone_id: ups for zone_id, _, ups, _ in zones},
        zone_names={zone_id: name for zone_id, _, _, name in zones},
    )


def overlapping_outages(uow: UnitOfWork, start: datetime, end: datetime) -> list[DayOutage]:
    """Every outage, of any status, that overlaps ``[start, end)``, oldest first, in one statement."""
    rows = uow.db.execute(
        select(Outage.id, Outage.kind, Outage.scope_kind, Outage.scope_ids, Outage.started_at, Outage.ended_at,
               Outage.source, Outage.status, Outage.actor, Outage.note, Outage.flaps)
        .where(outage_overlaps(start, end))
        .order_by(Outage.started_at, Outage.id)).tuples()
    return [DayOutage(outage_id, kind, scope_kind, tuple(scope_ids), started_at, ended_at, source, status, actor, note,
                      flaps)
            for outage_id, kind, scope_kind, scope_ids, started_at, ended_at, source, status, actor, note, flaps
            in rows]


def day_compensations(uow: UnitOfWork, outages: list[DayOutage], counted: set[int],
                      catalog: Catalog) -> DayCompensations:
    """The compensations of ``outages``, as rows for those whose ids are in ``counted``, in two statements."""
    ids = [outage.id for outage in outages]
    if not ids:
        return DayCompensations((), {}, {}, frozenset(), ())
    rows = fetch_tuples(uow.db, (
        select(Compensation.outage_id, Compensation.id, Compensation.seat_session_id, Compensation.seat_id,
               *(getattr(Compensation, name) for name in FIGURE_NAMES), Compensation.granted_minutes,
               Compensation.status, Compensation.explanation, Compensation.approved_by,
               Compensation.decision_reason, Notice.id)
        .outerjoin(Notice, and_(Notice.compensation_id == Compensation.id, Notice.adjustment_id.is_(None)))
        .where(Compensation.outage_id.in_(ids)).order_by(Compensation.id)))
    deliveries = _last_deliveries(uow, ids)
    adjusted = _adjustments(uow, ids)
    given_by_form = _given(uow, ids)
    by_outage: dict[int, list[CompensationRow]] = defaultdict(list)
    seats_by_outage: dict[int, list[str]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    any_lost: set[int] = set()
    # The feedback of each letter, by its session and the moment it was first handed over.
    feedback: dict[tuple[int, datetime], Feedback] = {}
    for row in rows:
        outage_id, compensation_id, session_id, seat_id = row[:4]
        granted, status, explanation, decided_by, decision_reason, notice_id = row[4 + FIGURE_COUNT:]
        seats_by_outage[outage_id].append(seat_id)
        counts[outage_id] += 1
        adjustments = adjusted.get(compensation_id)
        figures = adjustments[-1][0] if adjustments else CompensationFigures.from_values(row[4:4 + FIGURE_COUNT])
        if figures.lost_minutes > 0:
            any_lost.add(outage_id)
        if outage_id not in counted:
            continue
        notice: NoticeState | None = None
        if notice_id is not None:
            delivered = deliveries.get(notice_id)
            notice = delivered.state if delivered else NoticeState.PENDING
            if delivered and delivered.feedback is not None:
                feedback[session_id, delivered.first_at] = delivered.feedback
        # Minutes given that a correction no longer owes (and that were not taken back) still
        # count in what the customer got, at the zone's price.
        waived = max(granted - figures.credit_minutes, 0) if status is CompensationStatus.APPLIED else 0
        given = figures.value_minor + (value_minor(waived, catalog.price_of_seat(seat_id)) if waived else 0)
        if status is CompensationStatus.APPLIED and granted < figures.credit_minutes:
            # A manager gave fewer minutes than the policy did: their value, minutes carried over left out.
            given = value_minor(max(granted - figures.carried_minutes, 0), catalog.price_of_seat(seat_id))
        by_outage[outage_id].append(CompensationRow(
            id=compensation_id, outage_id=outage_id, session_id=session_id, seat_id=seat_id, figures=figures,
            granted_minutes=granted, waived_minutes=waived, status=status, given_value_minor=given, notice=notice,
            explanation=explanation, adjustments=tuple(text for _, text in adjustments or ()),
            given=given_by_form.get(compensation_id, GIVEN_NOTHING), decided_by=decided_by,
            decision_reason=decision_reason))
    ordered = tuple(row for outage in outages for row in by_outage.get(outage.id, ()))
    return DayCompensations(ordered, dict(counts), dict(seats_by_outage), frozenset(any_lost),
                            tuple(feedback.values()))


def _given(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, GivenMinutes]:
    """What each compensation of the outages gave, by form: its credit entries and its vouchers, in two statements."""
    time: dict[int, int] = defaultdict(int)
    bill: dict[int, int] = defaultdict(int)
    vouchers: dict[int, int] = defaultdict(int)
    for compensation_id, mode, minutes in fetch_tuples(uow.db, (
            select(LedgerEntry.compensation_id, SeatSession.mode, func.sum(LedgerEntry.minutes))
            .join(SeatSession, SeatSession.id == LedgerEntry.seat_session_id)
            .join(Compensation, Compensation.id == LedgerEntry.compensation_id)
            .where(Compensation.outage_id.in_(outage_ids),
                   LedgerEntry.kind.in_((EntryKind.OUTAGE_CREDIT, EntryKind.OUTAGE_TOPUP)))
            .group_by(LedgerEntry.compensation_id, SeatSession.mode))):
        (bill if mode is SessionMode.POSTPAID else time)[compensation_id] += int(minutes)
    for compensation_id, minutes in fetch_tuples(uow.db, (
            select(Voucher.compensation_id, func.sum(Voucher.minutes))
            .join(Compensation, Compensation.id == Voucher.compensation_id)
            .where(Compensation.outage_id.in_(outage_ids)).group_by(Voucher.compensation_id))):
        vouchers[compensation_id] += int(minutes)
    return {compensation_id: GivenMinutes(time[compensation_id], bill[compensation_id], vouchers[compensation_id])
            for compensation_id in set(time) | set(bill) | set(vouchers)}


@dataclass(frozen=True, slots=True)
class _Delivered:
    """How a notice was last delivered, the feedback given then, and when it was first handed over."""

    state: NoticeState
    feedback: Feedback | None
    first_at: datetime


def _last_deliveries(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, _Delivered]:
    """How each notice of the outages' compensations was last delivered, with the feedback given then.

    A notice declined after a happy face counts no feedback: the customer's last word was to decline it.
    """
    found: dict[int, _Delivered] = {}
    for notice_id, how, given, at in fetch_tuples(uow.db, (
            select(NoticeDelivery.notice_id, NoticeDelivery.how, NoticeDelivery.feedback, NoticeDelivery.at)
            .join(Notice, Notice.id == NoticeDelivery.notice_id)
            .join(Compensation, Compensation.id == Notice.compensation_id)
            .where(Compensation.outage_id.in_(outage_ids)).order_by(NoticeDelivery.id))):
        before = found.get(notice_id)
        found[notice_id] = _Delivered(NOTICE_STATES[how], given, before.first_at if before else at)
    return found


def _adjustments(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, list[tuple[CompensationFigures, str]]]:
    """The figures and explanation of each adjustment of the outages' compensations, oldest first."""
    found: dict[int, list[tuple[CompensationFigures, str]]] = defaultdict(list)
    for row in fetch_tuples(uow.db, (
            select(CompensationAdjustment.compensation_id,
                   *(getattr(CompensationAdjustment, name) for name in FIGURE_NAMES),
                   CompensationAdjustment.explanation)
            .join(Compensation, Compensation.id == CompensationAdjustment.compensation_id)
            .where(Compensation.outage_id.in_(outage_ids)).order_by(CompensationAdjustment.id))):
        found[row[0]].append((CompensationFigures.from_values(row[1:-1]), row[-1]))
    return found


def corrections(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, tuple[CorrectionRow, ...]]:
    """Each outage's corrections, with the times each one replaced taken from the revision before it."""
    found: dict[int, list[CorrectionRow]] = defaultdict(list)
    if not outage_ids:
        return {}
    previous: dict[int, tuple[datetime, datetime | None]] = {}
    for outage_id, action, at, actor, reason, started_at, ended_at in uow.db.execute(
            select(OutageRevision.outage_id, OutageRevision.action, OutageRevision.at, OutageRevision.actor,
                   OutageRevision.reason, OutageRevision.started_at, OutageRevision.ended_at)
            .where(OutageRevision.outage_id.in_(outage_ids)).order_by(OutageRevision.id)).tuples():
        before = previous.get(outage_id)
        if action is RevisionAction.CORRECT and before is not None:
            found[outage_id].append(CorrectionRow(at=at, actor=actor, reason=reason, started_before=before[0],
                                               ended_before=before[1], started_after=started_at,
                                               ended_after=ended_at))
        previous[outage_id] = (started_at, ended_at)
    return {outage_id: tuple(items) for outage_id, items in found.items()}


def dismissals(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Who dismissed each of these (dismissed) outages, and why as they wrote it (None when they gave no reason)."""
    if not outage_ids:
        return {}
    return {outage_id: (actor, reason) for outage_id, actor, reason in uow.db.execute(
        select(OutageRevision.outage_id, OutageRevision.actor, OutageRevision.reason)
        .where(OutageRevision.outage_id.in_(outage_ids), OutageRevision.action == RevisionAction.DISMISS)
        .order_by(OutageRevision.id)).tuples()}
