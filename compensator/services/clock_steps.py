"""The steps of the PC's clock, recorded in the audit log once each with their size.

Business time comes from a ``SteadyClock`` (``compensator.clock``) that never follows a step
of the wall clock; this module writes down what it noticed, and tells it where the recorded
time stands at start-up so that business time never runs back behind what was written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select

from compensator.clock import ClockStep, SteadyClock
from compensator.domain.kinds import OutageStatus
from compensator.services import audit
from compensator.store.database import UnitOfWork
from compensator.store.models import AuditRecord, OpenSeatSession, Outage
from compensator.store.operations import ServerRun

STEP_ACTION = "clock.step"
STEP_ACTOR = "clock"


def latest_recorded(uow: UnitOfWork) -> datetime | None:
    """The latest business time written down: the last alive record or the last audited change."""
    times = [uow.db.scalar(select(func.max(ServerRun.last_alive_at))),
             uow.db.scalar(select(func.max(AuditRecord.at)))]
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


def resume(uow: UnitOfWork, clock: SteadyClock) -> ClockStep | None:
    """Set business time at start-up, so that it never runs back behind what is written and never leaps
    over time that did not pass; a step of the PC's clock made while the server was stopped is noted.

    On the same boot of the PC the last run's monotonic reading says how long the server was really
    stopped: business time goes on from its last alive record by that much, unless nothing is open
    (no session, no outage), when it takes the PC's clock again (never behind what is written), so a
    clock that was wrong is caught up with at a quiet start. After a reboot the PC's clock is taken,
    never behind what is written.
    """
    floor = latest_recorded(uow)
    if floor is None:
        return None
    last = uow.db.scalar(select(ServerRun).order_by(ServerRun.last_alive_at.desc(), ServerRun.id.desc()).limit(1))
    if (last is None or not clock.boot_id or last.boot_id != clock.boot_id or last.alive_boot_seconds is None
            or last.clock_difference_seconds is None):
        return clock.hold_at_least(floor)
    # The clock was just made from the PC's clock, and no step of it has been followed.
    wall, seconds, _ = clock.reading()
    expected = last.last_alive_at + timedelta(seconds=max(0.0, seconds - last.alive_boot_seconds))
    business = wall if _nothing_open(uow) and wall >= floor else max(expected, floor)
    return clock.resume(business, timedelta(seconds=last.clock_difference_seconds))


def _nothing_open(uow: UnitOfWork) -> bool:
    """No session open and no outage going on: a leap of business time would change nobody's time."""
    open_outage = or_(Outage.status == OutageStatus.ONGOING,
                      (Outage.status == OutageStatus.SUSPECTED) & Outage.ended_at.is_(None))
    return not uow.db.scalar(select(exists().select_from(OpenSeatSession))) and not uow.db.scalar(
        select(exists().where(open_outage)))


def record_pending(uow: UnitOfWork, clock: SteadyClock) -> list[ClockStep]:
    """Write each step the clock noticed and has not had recorded yet into the audit log; commit."""
    clock.now()  # a reading notices a step made since the last one
    steps = clock.pending()
    for step in steps:
        audit.record(uow, actor=STEP_ACTOR, action=STEP_ACTION, target_type="clock", target_id="pc",
                     after=step_record(step))
    if steps:
        uow.commit()
        clock.recorded(len(steps))
    return steps


def step_record(step: ClockStep) -> dict[str, object]:
    """What the audit log keeps of a step: when, by how much, and how far the PC's clock now is."""
    return {"at": step.at.isoformat(), "size_seconds": round(step.size.total_seconds()),
            "pc_clock": step.wall.isoformat(), "difference_seconds": round(step.difference.total_seconds())}
