"""Reading a period for its report: the compensations, the letters' handovers, the vouchers and the sessions.

The outages, the catalog and the takings are read by the day's readers (``compensator.report.rows``
and ``.takings``) over the period's window. What is read here is read as plain column rows in a
fixed number of statements, whatever the number of days: a busy month has hundreds of
thousands of compensations, and the period needs a few columns of each, not their explanations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, select

from compensator.domain.kinds import CompensationStatus, Delivery, Feedback
from compensator.domain.money import value_minor
from compensator.report.rows import Catalog
from compensator.services.sessions.views import sessions_not_ended_before
from compensator.store.bulk import fetch_tuples, stream_tuples
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    Compensation,
    CompensationAdjustment,
    Notice,
    NoticeDelivery,
    Seat,
    SeatSession,
    Voucher,
    VoucherRedemption,
    Zone,
)


@dataclass(slots=True)
class Credits:
    """The compensations counted in the period, summed as they are read.

    ``minutes`` and ``value_minor`` are the applied credits' (minutes given, and their value) by
    zone, ``by_outage`` the same by outage (for the day it ended); ``sessions`` are the sessions
    compensated (whatever the credit's status: they were interrupted) by zone;
    ``pending_sessions`` the sessions with a notice never handed over (one letter each), and
    ``pending_value_minor`` the value of the credits those notices tell of.
    """

    minutes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    value_minor: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_outage: dict[int, list[int]] = field(default_factory=dict)
    sessions: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    pending_sessions: set[int] = field(default_factory=set)
    pending_value_minor: int = 0


@dataclass(frozen=True, slots=True)
class Letter:
    """One letter handed over: the notices of one session first delivered together.

    ``attendant`` is who first handed it over, ``how`` and ``feedback`` its last delivery's;
    ``power_back`` the end of the last cut it tells of.
    """

    session_id: int
    attendant: str
    how: Delivery
    feedback: Feedback | None
    handed_at: datetime
    power_back: datetime | None


@dataclass(frozen=True, slots=True)
class VoucherRow:
    """A voucher as the period needs it: minutes, value, when issued, when it expires, when redeemed."""

    minutes: int
    value_minor: int
    created_at: datetime
    expires_at: datetime
    redeemed_at: datetime | None


def credits(uow: UnitOfWork, outage_ids: list[int], catalog: Catalog) -> Credits:
    """The compensations of ``outage_ids`` as they stand after any correction, summed, in two statements.

    As in the day's report, what the customer got is the credit's value as it stands, plus the
    minutes a correction no longer owes (given and not taken back) at the zone's price. A
    month's rows are summed as they stream in, never all held at once.
    """
    found = Credits()
    if not outage_ids:
        return found
    corrected = {compensation_id: (minutes, value)
                 for compensation_id, minutes, value in fetch_tuples(uow.db, (
                     select(CompensationAdjustment.compensation_id, CompensationAdjustment.credit_minutes,
                            CompensationAdjustment.value_minor)
                     .join(Compensation, Compensation.id == CompensationAdjustment.compensation_id)
                     .where(Compensation.outage_id.in_(outage_ids)).order_by(CompensationAdjustment.id)))}
    delivered = exists().where(NoticeDelivery.notice_id == Notice.id)
    zone_of_seat = catalog.zone_of_seat
    for compensation_id, outage_id, session_id, seat_id, status, granted, credit, value, notice_id, handed in (
            stream_tuples(uow.db, (
                select(Compensation.id, Compensation.outage_id, Compensation.seat_session_id, Compensation.seat_id,
                       Compensation.status, Compensation.granted_minutes, Compensation.credit_minutes,
                       Compensation.value_minor, Notice.id, delivered)
                .outerjoin(Notice, and_(Notice.compensation_id == Compensation.id, Notice.adjustment_id.is_(None)))
                .where(Compensation.outage_id.in_(outage_ids))))):
        zone = zone_of_seat.get(seat_id, "")
        found.sessions[zone].add(session_id)
        if status is not CompensationStatus.APPLIED:
            continue
        if compensation_id in corrected:
            credit, value = corrected[compensation_id]
        waived = granted - credit
        given = value + value_minor(waived, catalog.price_of_seat(seat_id)) if waived > 0 else value
        found.minutes[zone] += granted
        found.value_minor[zone] += given
        totals = found.by_outage.setdefault(outage_id, [0, 0])
        totals[0] += granted
        totals[1] += given
        if notice_id is not None and not handed:
            found.pending_sessions.add(session_id)
            found.pending_value_minor += given
    return found


def letters(uow: UnitOfWork, outage_ids: list[int], ended: dict[int, datetime | None]) -> list[Letter]:
    """The letters handed over of the compensations of ``outage_ids`` (``ended``: each outage's end), in one
    statement."""
    if not outage_ids:
        return []
    # Each notice handed over: its session, its outage, and its deliveries in order.
    notices: dict[int, list[tuple[int, int, Delivery, Feedback | None, str, datetime]]] = {}
    for notice_id, session_id, outage_id, how, feedback, actor, at in fetch_tuples(uow.db, (
            select(Notice.id, Compensation.seat_session_id, Compensation.outage_id, NoticeDelivery.how,
                   NoticeDelivery.feedback, NoticeDelivery.actor, NoticeDelivery.at)
            .join(Compensation, Compensation.id == Notice.compensation_id)
            .join(NoticeDelivery, NoticeDelivery.notice_id == Notice.id)
            .where(Compensation.outage_id.in_(outage_ids), Notice.adjustment_id.is_(None))
            .order_by(Notice.id, NoticeDelivery.id))):
        notices.setdefault(notice_id, []).append((session_id, outage_id, how, feedback, actor, at))
    grouped: dict[tuple[int, datetime], list[list[tuple[int, int, Delivery, Feedback | None, str, datetime]]]] = (
        defaultdict(list))
    for deliveries in notices.values():
        # A letter is the notices of one session first handed over at one moment.
        grouped[deliveries[0][0], deliveries[0][5]].append(deliveries)
    found = []
    for (session_id, first_at), members in grouped.items():
        last = members[-1][-1]
        ends = [ended.get(deliveries[0][1]) for deliveries in members]
        found.append(Letter(session_id=session_id, attendant=members[0][0][4], how=last[2], feedback=last[3],
                            handed_at=first_at, power_back=max((end for end in ends if end is not None), default=None)))
    return found


def vouchers(uow: UnitOfWork, end: datetime) -> list[VoucherRow]:
    """Every voucher issued before ``end`` with its redemption, in one statement.

    A voucher keeps its value in money: minutes at the price it was issued at, or (issued before
    vouchers carried their price) at the price of the zone its compensation's seat is in.
    """
    found = []
    for minutes, price, zone_price, created_at, expires_at, redeemed_at in fetch_tuples(uow.db, (
            select(Voucher.minutes, Voucher.price_minor_per_hour, Zone.price_minor_per_hour, Voucher.created_at,
                   Voucher.expires_at, VoucherRedemption.at)
            .outerjoin(VoucherRedemption, VoucherRedemption.voucher_id == Voucher.id)
            .outerjoin(Compensation, Compensation.id == Voucher.compensation_id)
            .outerjoin(Seat, Seat.id == Compensation.seat_id)
            .outerjoin(Zone, Zone.id == Seat.zone_id)
            .where(Voucher.created_at < end))):
        found.append(VoucherRow(minutes, value_minor(minutes, price if price is not None else zone_price or 0),
                                created_at, expires_at, redeemed_at))
    return found


def sessions_by_zone(uow: UnitOfWork, start: datetime, end: datetime) -> dict[str, int]:
    """How many sessions held a seat in ``[start, end)``, by the zone of the seat they started on."""
    return {zone: int(count) for zone, count in uow.db.execute(
        select(Seat.zone_id, func.count())
        .join(SeatSession, and_(SeatSession.seat_id == Seat.id))
        .where(SeatSession.id.in_(sessions_not_ended_before(start, end)))
        .group_by(Seat.zone_id)).tuples()}
