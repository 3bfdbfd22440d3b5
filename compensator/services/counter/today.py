"""Today's figures for the dashboard: sessions, outages, seat faults, minutes credited, letters waiting.

The box counts what the lists show: outages as the end-of-day report counts them (ongoing or
ended, never suspected or dismissed; those of the whole venue or of zones, the outages of single
seats being seat faults, counted apart), and the letters to hand over as the dashboard lists them
(one per customer's session, a correction's short letter apart), not their notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from compensator.domain.kinds import CompensationStatus, ScopeKind
from compensator.domain.venue_day import date_of, day_bounds
from compensator.store.conditions import outage_counts, outage_overlaps
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, Notice, NoticeDelivery, Outage, SeatSession


@dataclass(frozen=True, slots=True)
class TodayFigures:
    """What happened today (venue local day) so far.

    ``pending_notices`` counts the letters waiting to be handed over, as the dashboard lists them.
    """

    sessions: int
    outages: int
    credited_minutes: int
    pending_notices: int
    awaiting_approval: int
    seat_faults: int = 0


def today_figures(uow: UnitOfWork) -> TodayFigures:
    """Today's figures in six short queries, whatever the size of the venue."""
    tz = uow.settings.venue.tz
    start, end = day_bounds(date_of(uow.now(), tz), tz)
    db = uow.db
    sessions = db.scalar(select(func.count()).select_from(SeatSession).where(
        SeatSession.started_at >= start, SeatSession.started_at < end)) or 0
    is_fault = Outage.scope_kind == ScopeKind.SEATS
    outages, faults = db.execute(
        select(func.count(case((~is_fault, 1))), func.count(case((is_fault, 1))))
        .select_from(Outage).where(outage_overlaps(start, end), outage_counts())).one()
    credited = db.scalar(select(func.coalesce(func.sum(Compensation.granted_minutes), 0)).where(
        Compensation.created_at >= start, Compensation.created_at < end)) or 0
    delivered = select(NoticeDelivery.id).where(NoticeDelivery.notice_id == Notice.id).exists()
    # A letter is the pending notices of one session; a correction's short letter is a letter of its own.
    letters = (select(Compensation.seat_session_id, Notice.adjustment_id.is_(None).label("first"))
               .join(Compensation, Compensation.id == Notice.compensation_id).where(~delivered).distinct().subquery())
    pending = db.scalar(select(func.count()).select_from(letters)) or 0
    waiting = db.scalar(select(func.count()).select_from(Compensation).where(
        Compensation.status == CompensationStatus.AWAITING_APPROVAL)) or 0
    return TodayFigures(sessions, int(outages or 0), int(credited), pending, waiting, int(faults or 0))
