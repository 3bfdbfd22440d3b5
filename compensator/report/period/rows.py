"""Reading a period for its report: the compensations, the letters' handovers, the vouchers and the sessions.

The outages, the catalog and the takings are read by the day's readers (``compensator.report.rows``
and ``.takings``) over the period's window. What is read here is read as plain column rows in a
fixed number of statements, whatever the number of days: a busy month has hundreds of
thousands of compensations, and the period needs a few columns of each, not their explanations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from compensator.domain.kinds import CompensationStatus, Delivery, Feedback
from compensator.domain.money import value_minor
from compensator.report.rows import Catalog
from compensator.services.sessions.views import sessions_not_ended_before
from compensator.store.bulk import fetch_tuples
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


@dataclass(frozen=True, slots=True)
class Credit:
    """One compensation counted in the period: the minutes given and their value (when applied), on which seat."""

    outage_id: int
    session_id: int
    seat_id: str
    status: CompensationStatus
    minutes: int
    value_minor: int


@dataclass(frozen=True, slots=True)
class Letter:
    """One letter: the notices of one session first handed over together (or none yet: pending).

    ``attendant`` is who first handed it over, ``how`` and ``feedback`` its last delivery's;
    ``power_back`` the end of the last cut it tells of; ``value_minor`` the credits it tells of.
    """

    session_id: int
    attendant: str | None
    how: Delivery | None
    feedback: Feedback | None
    handed_at: datetime | None
    power_back: datetime | None
    value_minor: int


@dataclass(frozen=True, slots=True)
class VoucherRow:
    """A voucher as the period needs it: minutes, value, when issued, when it expires, when redeemed."""

    minutes: int
    value_minor: int
    created_at: datetime
    expires_at: datetime
    redeemed_at: datetime | None


def credits(uow: UnitOfWork, outage_ids: list[int], catalog: Catalog) -> list[Credit]:
    """The compensations of ``outage_ids``, as they stand after any correction, in two statements.

    As in the day's report, what the customer got is the credit's value as it stands, plus the
    minutes a correction no longer owes (given and not taken back) at the zone's price.
    """
    if not outage_ids:
        return []
    corrected = {compensation_id: (minutes, value)
                 for compensation_id, minutes, value in fetch_tuples(uow.db, (
                     select(CompensationAdjustment.compensation_id, CompensationAdjustment.credit_minutes,
                            CompensationAdjustment.value_minor)
                     .join(Compensation, Compensation.id == CompensationAdjustment.compensation_id)
                     .where(Compensation.outage_id.in_(outage_ids)).order_by(CompensationAdjustment.id)))}
    found = []
    for compensation_id, outage_id, session_id, seat_id, status, granted, credit, value in fetch_tuples(uow.db, (
            select(Compensation.id, Compensation.outage_id, Compensation.seat_session_id, Compensation.seat_id,
                   Compensation.status, Compensation.granted_minutes, Compensation.credit_minutes,
                   Compensation.value_minor)
            .where(Compensation.outage_id.in_(outage_ids)))):
        if status is not CompensationStatus.APPLIED:
            found.append(Credit(outage_id, session_id, seat_id, status, 0, 0))
            continue
        credit, value = corrected.get(compensation_id, (credit, value))
        waived = max(granted - credit, 0)
        given = value + (value_minor(waived, catalog.price_of_seat(seat_id)) if waived else 0)
        found.append(Credit(outage_id, session_id, seat_id, status, granted, given))
    return found


def letters(uow: UnitOfWork, outage_ids: list[int], ended: dict[int, datetime | None],
            value_of: dict[tuple[int, int], int]) -> list[Letter]:
    """The letters of the compensations of ``outage_ids``, handed over or pending, in one statement.

    ``ended`` has each outage's end, ``value_of`` each applied credit's value by (outage, session).
    """
    if not outage_ids:
        return []
    # Each notice: its session, its outage, and its deliveries in order (a row without any).
    notices: dict[int, list[tuple[int, int, Delivery | None, Feedback | None, str | None, datetime | None]]] = {}
    for notice_id, session_id, outage_id, how, feedback, actor, at in fetch_tuples(uow.db, (
            select(Notice.id, Compensation.seat_session_id, Compensation.outage_id, NoticeDelivery.how,
                   NoticeDelivery.feedback, NoticeDelivery.actor, NoticeDelivery.at)
            .join(Compensation, Compensation.id == Notice.compensation_id)
            .outerjoin(NoticeDelivery, NoticeDelivery.notice_id == Notice.id)
            .where(Compensation.outage_id.in_(outage_ids), Notice.adjustment_id.is_(None))
            .order_by(Notice.id, NoticeDelivery.id))):
        notices.setdefault(notice_id, []).append((session_id, outage_id, how, feedback, actor, at))
    grouped: dict[tuple[int, datetime | None], list[list[tuple[int, int, Delivery | None, Feedback | None,
                                                               str | None, datetime | None]]]] = defaultdict(list)
    for deliveries in notices.values():
        # A letter is the notices of one session first handed over at one moment; pending ones make one.
        grouped[deliveries[0][0], deliveries[0][5]].append(deliveries)
    found = []
    for (session_id, first_at), members in grouped.items():
        last = members[-1][-1]
        ends = [ended.get(deliveries[0][1]) for deliveries in members]
        found.append(Letter(
            session_id=session_id, attendant=members[0][0][4], how=last[2], feedback=last[3], handed_at=first_at,
            power_back=max((end for end in ends if end is not None), default=None),
            value_minor=sum(value_of.get((deliveries[0][1], session_id), 0) for deliveries in members)))
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
