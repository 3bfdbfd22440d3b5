"""Today's figures for the dashboard: sessions, outages, minutes credited, notices waiting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from compensator.domain.kinds import CompensationStatus
from compensator.domain.venue_day import date_of, day_bounds
from compensator.store.conditions import outage_overlaps
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, Notice, NoticeDelivery, Outage, SeatSession


@dataclass(frozen=True, slots=True)
class TodayFigures:
    """What happened today (venue local day) so far."""

    sessions: int
    outages: int
    credited_minutes: int
    pending_notices: int
    awaiting_approval: int


def today_figures(uow: UnitOfWork) -> TodayFigures:
    """Today's figures in five short queries, whatever the size of the venue."""
    tz = uow.settings.venue.tz
    start, end = day_bounds(date_of(uow.now(), tz), tz)
    db = uow.db
    sessions = db.scalar(select(func.count()).select_from(SeatSession).where(
        SeatSession.started_at >= start, SeatSession.started_at < end)) or 0
    outages = db.scalar(select(func.count()).select_from(Outage).where(
        outage_overlaps(start, end))) or 0
    credited = db.scalar(select(func.coalesce(func.sum(Compensation.granted_minutes), 0)).where(
        Compensation.created_at >= start, Compensation.created_at < end)) or 0
    delivered = select(NoticeDelivery.id).where(NoticeDelivery.notice_id == Notice.id).exists()
    pending = db.scalar(select(func.count()).select_from(Notice).where(~delivered)) or 0
    waiting = db.scalar(select(func.count()).select_from(Compensation).where(
        Compensation.status == CompensationStatus.AWAITING_APPROVAL)) or 0
    return TodayFigures(sessions, outages, int(credited), pending, waiting)
