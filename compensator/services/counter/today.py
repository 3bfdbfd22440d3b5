"""Today's figures for the dashboard: sessions, outages, minutes credited, notices waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select

from compensator.domain.kinds import CompensationStatus
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


def local_day_bounds(uow: UnitOfWork, moment: datetime | None = None) -> tuple[datetime, datetime]:
    """The UTC start and end of the venue-local day containing ``moment`` (now by default)."""
    tz = uow.settings.venue.tz
    local = (moment or uow.now()).astimezone(tz)
    start = datetime.combine(local.date(), time(0), tzinfo=tz)
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def today_figures(uow: UnitOfWork) -> TodayFigures:
    """Today's figures in five short queries, whatever the size of the venue."""
    start, end = local_day_bounds(uow)
    db = uow.db
    sessions = db.scalar(select(func.count()).select_from(SeatSession).where(
        SeatSession.started_at >= start, SeatSession.started_at < end)) or 0
    outages = db.scalar(select(func.count()).select_from(Outage).where(
        Outage.started_at < end, or_(Outage.ended_at.is_(None), Outage.ended_at >= start))) or 0
    credited = db.scalar(select(func.coalesce(func.sum(Compensation.granted_minutes), 0)).where(
        Compensation.created_at >= start, Compensation.created_at < end)) or 0
    delivered = select(NoticeDelivery.id).where(NoticeDelivery.notice_id == Notice.id).exists()
    pending = db.scalar(select(func.count()).select_from(Notice).where(~delivered)) or 0
    waiting = db.scalar(select(func.count()).select_from(Compensation).where(
        Compensation.status == CompensationStatus.AWAITING_APPROVAL)) or 0
    return TodayFigures(sessions, outages, int(credited), pending, waiting)
